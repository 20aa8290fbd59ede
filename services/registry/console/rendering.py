"""Render console pages (autoescaped Jinja2) with who is signed in and their form token."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from aiohttp import web
from jinja2 import StrictUndefined

from services.registry.console.forms import LONDON, Form, shown
from services.registry.web.pages import TEMPLATES
from shared.auth import ROLE_ADMIN
from shared.staff.web import CSRF_FIELD, STAFF, STAFF_AUTH
from shared.web_templates import SITE, page_environment

# The console's navigation: (path under the console, label); the admin's screens after.
STAFF_LINKS: Final = (
    ("modifications", "Modifications"),
    ("consultations", "Consultations"),
    ("releases", "Releases"),
    ("meetings", "Meetings"),
    ("deliveries", "Deliveries"),
)
ADMIN_LINKS: Final = (("subscribers", "Subscribers"), ("dead-letters", "Dead letters"))


def _london(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(LONDON).strftime("%-d %b %Y %H:%M")


def _instant(text: str | None) -> str:
    """Show an ISO instant from another service's JSON in London time."""
    return "—" if not text else _london(datetime.fromisoformat(text))


def _day(value: date | None) -> str:
    return "—" if value is None else value.strftime("%-d %b %Y")


# The shared look (decision 0051): console/base.html extends its layout.html.
environment = page_environment(TEMPLATES)
environment.undefined = StrictUndefined
environment.filters.update(london=_london, day=_day, shown=shown, instant=_instant)


def page(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    """Render `console/<name>` for the signed-in person (or the sign-in page's visitor)."""
    staff = request.get(STAFF)
    auth = request.app[STAFF_AUTH]
    is_admin = staff is not None and ROLE_ADMIN in staff.account.roles
    values = {
        "site": request.app[SITE],
        "section": "",
        "staff": staff,
        "is_admin": is_admin,
        "console_links": STAFF_LINKS + ADMIN_LINKS if is_admin else STAFF_LINKS,
        "console_section": request.path.removeprefix(auth.path + "/").partition("/")[0],
        "csrf_field": CSRF_FIELD,
        "csrf_token": "" if staff is None else staff.session.csrf_token,
        "console": auth.path,
        "form": Form[Any]({}),
        # The form whose errors the banner announces, when it is not `form`.
        "problem_form": None,
        **context,
    }
    body = environment.get_template(f"console/{name}").render(**values)
    # A console page is about one person's work: never kept by a shared cache.
    headers = {"Cache-Control": "no-store"}
    return web.Response(text=body, status=status, content_type="text/html", headers=headers)


def invalid(request: web.Request, name: str, form: Form[Any], **context: Any) -> web.Response:
    """Render a form again with its errors (422), keeping everything typed."""
    return page(request, name, status=422, form=form, **context)


def see_other(location: str) -> web.Response:
    """Answer a form with 303 See Other (post/redirect/get), keeping cookies set on it."""
    return web.Response(status=303, headers={"Location": location})
