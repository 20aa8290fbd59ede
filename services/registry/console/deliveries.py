"""Console screen of an event's deliveries: counts by outcome, the failed, resend the failed.

The notifier's admin API (docs/operations.md) called as the signed-in person; the
secretariat may use it as well as admins, as the API allows.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote, urlencode

from aiohttp import web

from services.registry.console.calls import CONSOLE_CALLS
from services.registry.console.forms import Form
from services.registry.console.rendering import invalid, page, see_other
from shared.auth import ROLE_SECRETARIAT
from shared.staff.web import STAFF_AUTH, staff_page

API: Final = "/api/v1/admin/events"
LONGEST_ID: Final = 200


def _api(event_id: str, suffix: str = "") -> str:
    return f"{API}/{quote(event_id, safe='')}/deliveries{suffix}"


@staff_page(ROLE_SECRETARIAT)
async def report_page(request: web.Request) -> web.StreamResponse:
    event_id = request.query.get("event", "").strip()
    form: Form[Any] = Form({"event": event_id})
    resent = request.query.get("resent")
    if not event_id:
        return page(request, "deliveries.html", form=form, report=None, resent=None)
    if len(event_id) > LONGEST_ID:
        form.fail("event", f"An id is at most {LONGEST_ID} characters.")
        return invalid(request, "deliveries.html", form, report=None, resent=None)
    answer = await request.app[CONSOLE_CALLS].call(request, "notifier", "GET", _api(event_id))
    if answer.status != 200:
        form.fail("event", "No email was sent for this id (an event, reminder or digest).")
        return invalid(request, "deliveries.html", form, report=None, resent=None)
    return page(
        request,
        "deliveries.html",
        form=form,
        report=answer.json(),
        resent=int(resent) if resent and resent.isdigit() else None,
    )


@staff_page(ROLE_SECRETARIAT)
async def resend(request: web.Request) -> web.StreamResponse:
    event_id = request.match_info["event_id"]
    answer = await request.app[CONSOLE_CALLS].call(
        request, "notifier", "POST", _api(event_id, "/resend"), json_body={}
    )
    count = len(answer.json()["resent"]) if answer.status == 202 else 0
    console = request.app[STAFF_AUTH].path
    return see_other(f"{console}/deliveries?{urlencode({'event': event_id, 'resent': count})}")


def add_routes(app: web.Application, console: str) -> None:
    base = f"{console}/deliveries"
    app.router.add_get(base, report_page)
    app.router.add_post(f"{base}/{{event_id}}/resend", resend)
