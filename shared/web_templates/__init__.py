"""One look for every service's pages: the layout, the shared static files, error pages.

Each service keeps its own page templates and extends `layout.html` from here; the
stylesheet and the copy-button script are served by every service at /static/, so
the Content-Security-Policy's 'self' covers them (docs/decisions/pages-one-look.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ValidationError

from shared.logs import current_correlation_id

if TYPE_CHECKING:
    from collections.abc import Mapping

    from shared.settings import ServiceSettings

Q = TypeVar("Q", bound=BaseModel)
LAYOUTS: Final = Path(__file__).resolve().parent
STATIC: Final = LAYOUTS.parent / "static"
_STATIC_TYPES: Final = {"site.css": "text/css", "site.js": "text/javascript"}
_STATIC_BODIES: Final = {name: (STATIC / name).read_bytes() for name in _STATIC_TYPES}
# Changes whenever a file does, so a page never pairs with a stale cached stylesheet.
STATIC_VERSION: Final = hashlib.sha256(b"".join(_STATIC_BODIES.values())).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class NavLink:
    key: str
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Site:
    """Where each service's pages are, as a reader's browser reaches them."""

    registry: str
    calendar: str
    notifier: str

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Site:
        return cls(
            registry=settings.public_base_url_registry.rstrip("/"),
            calendar=settings.public_base_url_calendar.rstrip("/"),
            notifier=settings.public_base_url_notifier.rstrip("/"),
        )

    @property
    def links(self) -> tuple[NavLink, ...]:
        return (
            NavLink("calendar", "Calendar", f"{self.calendar}/"),
            NavLink("register", "Modifications", f"{self.registry}/modifications"),
            NavLink("releases", "Releases", f"{self.registry}/releases"),
            NavLink("alerts", "Email alerts", f"{self.notifier}/subscribe"),
        )


SITE = web.AppKey("site", Site)


def static_url(name: str) -> str:
    return f"/static/{name}?v={STATIC_VERSION}"


def webcal(url: str) -> str:
    """Return the webcal:// form of a feed URL: browsers hand it to the calendar app."""
    return urlsplit(url)._replace(scheme="webcal").geturl()


def page_environment(loader: BaseLoader | Path) -> Environment:
    """Return a service's Jinja2 environment: its own templates first, then the layout."""
    own = FileSystemLoader(loader) if isinstance(loader, Path) else loader
    environment = Environment(
        loader=ChoiceLoader([own, FileSystemLoader(LAYOUTS)]),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )
    environment.globals.update(static_url=static_url, webcal=webcal)
    return environment


def render_page(
    request: web.Request,
    environment: Environment,
    name: str,
    *,
    section: str,
    status: int = 200,
    **context: Any,
) -> web.Response:
    """Render a page in the shared layout; `section` marks the current navigation link."""
    html = environment.get_template(name).render(site=request.app[SITE], section=section, **context)
    return web.Response(status=status, text=html, content_type="text/html")


async def _static(request: web.Request) -> web.Response:
    name = request.path.rpartition("/")[2]
    return web.Response(
        body=_STATIC_BODIES[name],
        content_type=_STATIC_TYPES[name],
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=86400", "ETag": f'"{STATIC_VERSION}"'},
    )


def add_static_routes(app: web.Application) -> None:
    """Serve the shared stylesheet and script from this app's own origin (CSP 'self')."""
    for name in _STATIC_TYPES:
        app.router.add_get(f"/static/{name}", _static)


def install_look(app: web.Application, settings: ServiceSettings) -> None:
    """Serve the shared static files and turn on HTML error pages for browsers."""
    app[SITE] = Site.from_settings(settings)
    add_static_routes(app)


def prefers_html(accept: str) -> bool:
    """Tell whether an Accept header ranks text/html above JSON (a browser, not a client).

    A tie, `*/*` alone or no header at all is a program: it keeps problem+json.
    """
    html = json = 0.0
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        kind = kind.lower()
        if kind in {"text/html", "application/xhtml+xml"}:
            html = max(html, quality)
        elif kind in {"application/json", "application/problem+json", "*/*", "application/*"}:
            json = max(json, quality)
        elif kind == "text/*":
            html = max(html, quality)
    return html > json


_ERROR_ENVIRONMENT: Final = page_environment(LAYOUTS)


def error_page(
    request: web.Request, status: int, title: str, detail: str | None, headers: Mapping[str, str]
) -> web.Response | None:
    """Return the error as a page in the shared look when a browser asked for a page.

    None for API paths, for programs, and for apps that did not install the look.
    """
    if (
        SITE not in request.app
        or request.path.startswith("/api/")
        or not prefers_html(request.headers.get("Accept", ""))
    ):
        return None
    response = render_page(
        request,
        _ERROR_ENVIRONMENT,
        "error.html",
        section="",
        status=status,
        code=status,
        title=title,
        detail=detail,
        reference=current_correlation_id(),
    )
    response.headers.update(headers)
    return response


def read_page_query(request: web.Request, model: type[Q]) -> Q:
    """Read a page's query: unknown parameters (utm_source...) are ignored; a bad value of a
    known one is a 400 that names it (a page for a browser), never a 500."""
    known = {key: request.query[key] for key in model.model_fields if key in request.query}
    try:
        return model.model_validate(known)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = ".".join(str(part) for part in first["loc"])
        value = str(known.get(name, ""))[:80]
        raise web.HTTPBadRequest(
            text=f"This address asks for {name}={value!r}, which this page cannot show: "
            f"{first['msg']}."
        ) from exc
