"""Serve a rendered feed with validators: 304, pre-compressed gzip, HEAD."""

from __future__ import annotations

from email.utils import format_datetime

from aiohttp import web

from services.calendar.adapters.feed_cache import RenderedFeed

CONTENT_TYPE = "text/calendar"


def accepts_gzip(header: str) -> bool:
    """Return whether an Accept-Encoding value allows gzip (RFC 9110 12.5.3, q=0 refuses)."""
    allowed: dict[str, bool] = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if not name:
            continue
        refused = params.replace(" ", "").lower() in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
        allowed[name.strip().lower()] = not refused
    if "gzip" in allowed:
        return allowed["gzip"]
    return allowed.get("*", False)


def _tags(header: str) -> set[str]:
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter for If-None-Match.
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def not_modified(request: web.Request, feed: RenderedFeed) -> bool:
    """Return whether the client's copy is current; If-None-Match wins over If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = _tags(if_none_match)
        return "*" in tags or bool(tags & {feed.etag, feed.gzip_etag})
    since = request.if_modified_since
    return since is not None and feed.last_modified <= since


def feed_response(request: web.Request, feed: RenderedFeed, *, private: bool) -> web.Response:
    """Return 304, or the gzipped or plain bytes from the cache (never compressed per request)."""
    gzipped = accepts_gzip(request.headers.get("Accept-Encoding", ""))
    headers = {
        "ETag": feed.gzip_etag if gzipped else feed.etag,
        "Last-Modified": format_datetime(feed.last_modified, usegmt=True),
        "Vary": "Accept-Encoding",
        # Calendar clients poll (REFRESH-INTERVAL); a private feed must not sit in shared caches.
        "Cache-Control": "private, max-age=300" if private else "public, max-age=300",
    }
    if not_modified(request, feed):
        return web.Response(status=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return web.Response(
        body=feed.gzipped if gzipped else feed.plain,
        headers=headers,
        content_type=CONTENT_TYPE,
        charset="utf-8",
    )
