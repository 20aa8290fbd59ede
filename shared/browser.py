"""Make every response safe for a browser to show: no sniffing, framing, leaking or scripts.

Applied on `on_response_prepare` (so to errors and pages alike) and written into the
fast path's prepared heads, so both paths send the same headers.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

SERVER: Final = "sec"  # no product or version to fingerprint
# Pages are server-rendered with inline <style> only: no script may run, nothing may
# frame them, forms post only to the page's own origin.
PAGE_POLICY: Final = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# Every response, whatever it carries.
ALWAYS: Final = {"Server": SERVER, "X-Content-Type-Options": "nosniff"}


def leaks_a_token(request: web.BaseRequest) -> bool:
    """Tell whether the URL itself is a secret (a link token, a private feed)."""
    return "token" in request.query or request.path.startswith("/feeds/private/")


async def harden_response(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """Add the headers that keep a browser from misusing what this service sends."""
    response.headers.update(ALWAYS)
    if response.content_type == "text/html":
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        response.headers["X-Frame-Options"] = "DENY"
    # A page or feed reached by a secret URL must not hand that URL on as a Referer.
    response.headers["Referrer-Policy"] = (
        "no-referrer" if leaks_a_token(request) else "strict-origin-when-cross-origin"
    )
