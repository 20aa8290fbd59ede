"""Make every response safe for a browser to show: no sniffing, framing, leaking or scripts.

Applied on `on_response_prepare` (so to errors and pages alike) and written into the
fast path's prepared heads, so both paths send the same headers.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit

from aiohttp import web, web_response

from shared.errors import Problem

SERVER: Final = "sec"  # no product or version to fingerprint
# Pages are server-rendered; the only script is the service's own /static/site.js (copy
# buttons, progressive enhancement), never inline; nothing may frame them, forms post only
# to the page's own origin.
PAGE_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# Every response, whatever it carries.
ALWAYS: Final = {"Server": SERVER, "X-Content-Type-Options": "nosniff"}


def hide_server_version() -> None:
    """Make aiohttp's own answers (a head it cannot parse: 400, 431) say `Server: sec` too.

    Those never reach `on_response_prepare`, and aiohttp takes the header from a module
    constant (`Python/3.11 aiohttp/3.x`), so the constant is what can be changed.
    """
    setattr(web_response, "SERVER_SOFTWARE", SERVER)  # noqa: B010 - not exported, still read


def leaks_a_token(request: web.BaseRequest) -> bool:
    """Tell whether the URL itself is a secret (a link token, a private feed)."""
    return "token" in request.query or request.path.startswith("/feeds/private/")


async def harden_response(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """Add the headers that keep a browser from misusing what this service sends."""
    response.headers.update(ALWAYS)
    if response.content_type == "text/html":
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        response.headers["X-Frame-Options"] = "DENY"
    # A page or feed reached by a secret URL must not hand that URL on as a Referer to
    # another site. Not no-referrer: under it a browser sends `Origin: null` with the page's
    # own form posts, which same_origin_forms must refuse (the confirm and manage buttons).
    response.headers["Referrer-Policy"] = (
        "same-origin" if leaks_a_token(request) else "strict-origin-when-cross-origin"
    )


_FORMS: Final = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def same_origin_forms(public_base_url: str) -> Any:
    """Refuse a form posted from another site (CSRF): its Origin must be this service's.

    Browsers send Origin with every form POST, so a page elsewhere cannot make a
    visitor's browser subscribe, confirm, change or erase. A POST without Origin is
    not from a browser form (a mail provider's RFC 8058 one-click, a script) and passes.
    JSON bodies need no check: a cross-site page cannot send one without a CORS
    preflight, which these services never grant.
    """
    public = _origin(public_base_url)

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if (
            request.method == "POST"
            and request.content_type in _FORMS
            and origin is not None
            and origin not in {public, f"{request.scheme}://{request.host}"}
        ):
            raise Problem(403, "Forbidden", "Forms are accepted only from this site's own pages.")
        response: web.StreamResponse = await handler(request)
        return response

    return middleware


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
