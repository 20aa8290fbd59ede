"""Serve the subset of Mailpit's HTTP API v1 that tests and tools use, plus pages to read mail.

The list page links each message to its own page: the HTML part in a sandboxed frame
served from a route of its own with a CSP that lets no script run and nothing load, then
the text part, every header and the raw message.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from shared.mailsink.store import MessageStore
from shared.mailsink.summary import Body, Json, Summary, header_map
from shared.web_templates import add_static_routes, static_url

STORE: web.AppKey[MessageStore] = web.AppKey("store", MessageStore)
DEFAULT_LIMIT = 50
PAGE_ROWS = 200
_SEARCH_FIELDS = {"to", "from", "subject", "message-id"}

# The sink's own pages: its stylesheet and script, and its frame holding a message's HTML.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# A message's HTML, as a sender wrote it: its own inline styles, nothing fetched, no script,
# a unique origin (sandbox), shown only inside the sink's message page.
MESSAGE_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
)
_templates.globals.update(static_url=static_url)
routes = web.RouteTableDef()


def create_app(store: MessageStore) -> web.Application:
    """Build the HTTP side of the sink around store."""
    app = web.Application()
    app[STORE] = store
    app.add_routes(routes)
    add_static_routes(app)
    return app


def _page(name: str, **context: Any) -> web.Response:
    html = _templates.get_template(name).render(**context)
    return web.Response(
        text=html,
        content_type="text/html",
        headers={"Content-Security-Policy": PAGE_POLICY, "X-Content-Type-Options": "nosniff"},
    )


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    """Show the newest messages as an HTML table."""
    store = request.app[STORE]
    return _page("index.html", total=len(store), shown=store.newest_first(0, PAGE_ROWS))


@routes.get("/messages/{id}")
async def message_page(request: web.Request) -> web.Response:
    """Show one message: its HTML (framed), its text, its headers and its raw bytes."""
    summary, body = _opened(request)
    raw_bytes = request.app[STORE].raw(summary)
    return _page(
        "message.html",
        summary=summary,
        body=body,
        headers=list(header_map(raw_bytes).items()),
        raw=raw_bytes.decode("utf-8", errors="replace"),
    )


@routes.get("/messages/{id}/html")
async def message_html(request: web.Request) -> web.Response:
    """Return the message's HTML part under a policy that runs and fetches nothing."""
    body = request.app[STORE].body(_found(request))
    return web.Response(
        text=body.html,
        content_type="text/html",
        headers={
            "Content-Security-Policy": MESSAGE_HTML_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


@routes.get("/livez")
@routes.get("/readyz")
async def alive(request: web.Request) -> web.Response:
    """Answer the probes Mailpit answers, so start-up scripts can wait on either."""
    return web.Response(text="ok")


@routes.get("/api/v1/messages")
async def list_messages(request: web.Request) -> web.Response:
    """List messages newest first, paged with start and limit."""
    store = request.app[STORE]
    start, limit = _paging(request)
    page = store.newest_first(start, limit)
    return web.json_response(_listing(store, page, len(store), store.unread, start))


@routes.get("/api/v1/search")
async def search(request: web.Request) -> web.Response:
    """List messages matching a Mailpit-style query (to:, from:, subject:, message-id:, words)."""
    store = request.app[STORE]
    start, limit = _paging(request)
    found = store.search(_terms(request.query.get("query", "")))
    unread = sum(1 for s in found if not s.read)
    page = found[start : start + limit]
    return web.json_response(_listing(store, page, len(found), unread, start))


@routes.delete("/api/v1/messages")
async def delete_messages(request: web.Request) -> web.Response:
    """Delete the messages whose IDs the JSON body lists, or every message."""
    ids: list[str] | None = None
    if request.can_read_body:
        try:
            body: Any = await request.json()
        except ValueError as error:
            raise web.HTTPBadRequest(text="body is not JSON") from error
        requested = body.get("IDs") if isinstance(body, dict) else None
        if requested:
            if not isinstance(requested, list) or not all(isinstance(i, str) for i in requested):
                raise web.HTTPBadRequest(text="IDs must be a list of strings")
            ids = requested
    await request.app[STORE].delete(ids)
    return web.Response(text="ok")


@routes.get("/api/v1/message/{id}")
async def message(request: web.Request) -> web.Response:
    """Return one message with its text and HTML parts, marking it read."""
    summary, body = _opened(request)
    return web.json_response(summary.message_json(body))


@routes.get("/api/v1/message/{id}/raw")
async def raw(request: web.Request) -> web.Response:
    """Return the message exactly as it arrived."""
    data = request.app[STORE].raw(_found(request))
    return web.Response(body=data, content_type="text/plain", charset="utf-8")


@routes.get("/api/v1/message/{id}/headers")
async def headers(request: web.Request) -> web.Response:
    """Return every header of the message, each name with a list of values."""
    return web.json_response(header_map(request.app[STORE].raw(_found(request))))


def _listing(
    store: MessageStore, page: list[Summary], matched: int, matched_unread: int, start: int
) -> Json:
    return {
        "total": len(store),
        "unread": store.unread,
        "count": len(page),
        "messages_count": matched,
        "messages_unread": matched_unread,
        "start": start,
        "tags": [],
        "messages": [s.list_json(store.body(s)) for s in page],
    }


def _found(request: web.Request) -> Summary:
    summary = request.app[STORE].get(request.match_info["id"])
    if summary is None:
        raise web.HTTPNotFound(text="message not found")
    return summary


def _opened(request: web.Request) -> tuple[Summary, Body]:
    """Return the message and its parsed body, marking it read: someone looked at it."""
    store = request.app[STORE]
    summary = _found(request)
    body = store.body(summary)
    store.mark_read(summary)
    return summary, body


def _paging(request: web.Request) -> tuple[int, int]:
    try:
        start = int(request.query.get("start", "0"))
        limit = int(request.query.get("limit", str(DEFAULT_LIMIT)))
    except ValueError as error:
        raise web.HTTPBadRequest(text="start and limit must be integers") from error
    if start < 0 or limit < 1:
        raise web.HTTPBadRequest(text="start must be >= 0 and limit >= 1")
    return start, limit


def _terms(query: str) -> list[tuple[str, str]]:
    try:
        words = shlex.split(query)
    except ValueError:  # an unbalanced quote: search the words as typed
        words = query.split()
    terms = []
    for word in words:
        name, _, needle = word.partition(":")
        if needle and name.lower() in _SEARCH_FIELDS:
            terms.append((name.lower(), needle.lower()))
        else:
            terms.append(("", word.lower()))
    return terms
