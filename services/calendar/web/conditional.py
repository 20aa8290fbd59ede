"""Serve a rendered feed with validators: 304, pre-compressed gzip, HEAD.

A cached feed is served thousands of times per render, so everything that depends
only on the feed (validators, the formatted date, the header sets) is built once
per feed and kept; a request only picks a variant (docs/decisions/calendar-feed-cache.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import NamedTuple

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from services.calendar.adapters.feed_cache import RenderedFeed
from shared.fastpath import Prepared, prepare

CONTENT_TYPE = "text/calendar"
_CONTENT_TYPE_HEADER = f"{CONTENT_TYPE}; charset=utf-8"


class FeedHeaders(NamedTuple):
    """One feed's validators and response headers, indexed by "gzip served"."""

    plain_etag: str
    gzip_etag: str
    # [plain, gzip]: 200 headers (with Content-Type and, for gzip, Content-Encoding) ...
    ok: tuple[CIMultiDictProxy[str], CIMultiDictProxy[str]]
    # ... and 304 headers (the validators and caching headers a 200 would carry).
    not_modified: tuple[CIMultiDictProxy[str], CIMultiDictProxy[str]]


@lru_cache(maxsize=1024)
def feed_headers(digest: str, last_modified: datetime, private: bool) -> FeedHeaders:
    """Build the header sets of one feed representation (memoised: pure and small)."""
    plain_etag = f'"{digest}"'
    # A different content coding is a different representation (RFC 9110 8.8.3).
    gzip_etag = f'"{digest}-gzip"'
    ok: list[CIMultiDictProxy[str]] = []
    not_modified: list[CIMultiDictProxy[str]] = []
    for etag, gzipped in ((plain_etag, False), (gzip_etag, True)):
        common = CIMultiDict(
            {
                "ETag": etag,
                "Last-Modified": format_datetime(last_modified, usegmt=True),
                "Vary": "Accept-Encoding",
                # Calendar clients poll (REFRESH-INTERVAL); a private feed must not sit
                # in shared caches.
                "Cache-Control": "private, max-age=300" if private else "public, max-age=300",
            }
        )
        not_modified.append(CIMultiDictProxy(common))
        full = common.copy()
        full["Content-Type"] = _CONTENT_TYPE_HEADER
        if gzipped:
            full["Content-Encoding"] = "gzip"
        ok.append(CIMultiDictProxy(full))
    return FeedHeaders(plain_etag, gzip_etag, (ok[0], ok[1]), (not_modified[0], not_modified[1]))


@lru_cache(maxsize=256)
def accepts_gzip(header: str) -> bool:
    """Return whether an Accept-Encoding value allows gzip (RFC 9110 12.5.3, q=0 refuses).

    Memoised: clients send a handful of distinct values, and parsing is per request.
    """
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


@lru_cache(maxsize=256)
def http_date(value: str | None) -> datetime | None:
    """Parse an HTTP date (If-Modified-Since); None when absent or invalid (then ignored)."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    feed: RenderedFeed,
    headers: FeedHeaders,
) -> bool:
    """Return whether the client's copy is current; If-None-Match wins over If-Modified-Since."""
    if if_none_match is not None:
        # Polling clients echo the one ETag they were given: compare before parsing.
        if if_none_match == headers.gzip_etag or if_none_match == headers.plain_etag:
            return True
        tags = _tags(if_none_match)
        return "*" in tags or headers.plain_etag in tags or headers.gzip_etag in tags
    since = http_date(if_modified_since)
    return since is not None and feed.last_modified <= since


def feed_response(request: web.Request, feed: RenderedFeed, *, private: bool) -> web.Response:
    """Return 304, or the gzipped or plain bytes from the cache (never compressed per request)."""
    headers = feed_headers(feed.digest, feed.last_modified, private)
    gzipped = accepts_gzip(request.headers.get("Accept-Encoding", ""))
    found = request.headers
    if not_modified(found.get("If-None-Match"), found.get("If-Modified-Since"), feed, headers):
        return web.Response(status=304, headers=headers.not_modified[gzipped])
    return web.Response(body=feed.gzipped if gzipped else feed.plain, headers=headers.ok[gzipped])


class PreparedFeed(NamedTuple):
    """A public feed's four fast-path responses, indexed like FeedHeaders by "gzip served"."""

    feed: RenderedFeed
    headers: FeedHeaders
    ok: tuple[Prepared, Prepared]
    not_modified: tuple[Prepared, Prepared]


def prepare_feed(route: str, feed: RenderedFeed) -> PreparedFeed:
    """Serialise a public feed's responses once, with the headers feed_response sends."""
    headers = feed_headers(feed.digest, feed.last_modified, False)
    plain_ok, gzip_ok = headers.ok
    plain_304, gzip_304 = headers.not_modified
    return PreparedFeed(
        feed,
        headers,
        (
            prepare(route, 200, "OK", plain_ok, feed.plain),
            prepare(route, 200, "OK", gzip_ok, feed.gzipped),
        ),
        (
            prepare(route, 304, "Not Modified", plain_304, b""),
            prepare(route, 304, "Not Modified", gzip_304, b""),
        ),
    )


def fast_feed_response(
    prepared: PreparedFeed, accept_encoding: bytes, if_none_match: bytes | None, since: bytes | None
) -> Prepared:
    """Pick the prepared response feed_response would build for these request headers."""
    gzipped = accepts_gzip(accept_encoding.decode("latin-1"))
    inm = None if if_none_match is None else if_none_match.decode("latin-1")
    ims = None if since is None else since.decode("latin-1")
    if not_modified(inm, ims, prepared.feed, prepared.headers):
        return prepared.not_modified[gzipped]
    return prepared.ok[gzipped]
