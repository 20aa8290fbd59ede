"""iCalendar feeds (all, committee, type, modification, private) and single-entry .ics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from aiohttp import web

from services.calendar.domain.errors import CalendarError
from services.calendar.domain.feeds import FeedSpec
from services.calendar.domain.rendering import render_single
from services.calendar.service import commands
from services.calendar.service.context import EventNotFound
from services.calendar.service.private_feeds import private_feed_spec
from services.calendar.web.conditional import (
    CONTENT_TYPE,
    PreparedFeed,
    fast_feed_response,
    feed_response,
    prepare_feed,
)
from services.calendar.web.keys import CONTEXT, FEEDS, ORGANIZER
from shared.auth import PRINCIPAL_KEY, ROLE_ADMIN, ROLE_SECRETARIAT, ROLE_SERVICE
from shared.contracts.classification import Classification
from shared.errors import Problem
from shared.fastpath import Prepared

log = logging.getLogger(__name__)
# As many as the feed cache holds by default: one prepared set per cached public feed.
MAX_PREPARED_FEEDS = 512


async def _serve(request: web.Request, spec: FeedSpec) -> web.Response:
    feed = await request.app[FEEDS].feed(spec)
    return feed_response(request, feed, private=not spec.is_public)


# Specs are immutable and their builders validate names: build each once, not per
# request. lru_cache does not keep a builder's exception, so unknown names stay 404.
_EVERYTHING = FeedSpec.everything()
_committee = lru_cache(maxsize=256)(FeedSpec.committee)
_event_type = lru_cache(maxsize=64)(FeedSpec.event_type)
_modification = lru_cache(maxsize=1024)(FeedSpec.modification)


@dataclass(frozen=True)
class PublicFeed:
    """One public feed route: its template and how the name in a path becomes a FeedSpec."""

    template: str
    spec_of: Callable[[str], FeedSpec]

    @property
    def variable(self) -> str | None:
        return self.template.partition("{")[2].partition("}")[0] or None

    @property
    def prefix(self) -> str:
        return self.template.partition("{")[0]

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info[self.variable] if self.variable else ""
        return await _serve(request, self.spec_of(name))


PUBLIC_FEEDS = (
    PublicFeed("/feeds/all.ics", lambda _: _EVERYTHING),
    PublicFeed("/feeds/committees/{slug}.ics", _committee),
    PublicFeed("/feeds/types/{type}.ics", _event_type),
    PublicFeed("/feeds/modifications/{ref}.ics", _modification),
)


@lru_cache(maxsize=1024)
def _public_spec(target: bytes) -> tuple[str, FeedSpec] | None:
    """Return the route template and spec of a public feed target, None for anything else.

    Targets with a query or percent-escapes go to aiohttp, which decodes them.
    """
    if b"?" in target or b"%" in target:
        return None
    path = target.decode("ascii", errors="replace")
    for route in PUBLIC_FEEDS:
        if route.variable is None:
            if path == route.template:
                return route.template, route.spec_of("")
            continue
        name = path.removeprefix(route.prefix)
        if name != path and name.endswith(".ics") and "/" not in name[:-4] and name[:-4]:
            try:
                return route.template, route.spec_of(name[:-4])
            except CalendarError:
                return None
    return None


class FastFeeds:
    """The fast path's responder: current public feeds from memory, the rest declined."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._prepared: dict[FeedSpec, PreparedFeed] = {}

    def answer(self, target: bytes, headers: Mapping[bytes, bytes]) -> Prepared | None:
        found = _public_spec(target)
        if found is None:
            return None
        template, spec = found
        feed = self._app[FEEDS].fresh(spec)
        if feed is None:
            return None  # stale or never rendered: warm() renders it
        held = self._prepared.get(spec)
        if held is None or held.feed is not feed:
            self._prepared.pop(spec, None)
            held = self._prepared[spec] = prepare_feed(template, feed)
            if len(self._prepared) > MAX_PREPARED_FEEDS:
                del self._prepared[next(iter(self._prepared))]
        return fast_feed_response(
            held,
            headers.get(b"accept-encoding", b""),
            headers.get(b"if-none-match"),
            headers.get(b"if-modified-since"),
        )

    def warm(self, target: bytes) -> Awaitable[object] | None:
        # Render here rather than hand off: a proxy's kept-alive upstream connection
        # would otherwise leave the fast path at the first poll after every change.
        found = _public_spec(target)
        return None if found is None else self._app[FEEDS].feed(found[1])


async def private_feed(request: web.Request) -> web.Response:
    """Serve a subscriber's feed; an unknown token is a plain 404, never 403.

    The token is part of the path, so nothing here may log the path: failures are
    logged without it and answered with a problem that does not echo it.
    """
    context = request.app[CONTEXT]
    try:
        spec = await private_feed_spec(context.mongo, request.match_info["token"])
        return await _serve(request, spec)
    except (Problem, CalendarError):
        raise
    except Exception as exc:
        log.error("private feed failed: %s", type(exc).__name__)
        raise Problem(500, "Internal Server Error", "The error was logged.") from None


async def single_ics(request: web.Request) -> web.Response:
    """Return one entry as METHOD:PUBLISH .ics ("add to calendar"; the notifier attaches it)."""
    context = request.app[CONTEXT]
    event = await commands.get(context, request.match_info["id"])
    principal = request.get(PRINCIPAL_KEY)
    roles = frozenset() if principal is None else principal.roles
    staff = bool(roles & {ROLE_SECRETARIAT, ROLE_ADMIN})
    # Green goes out only through a service that checks entitlement and says it is for
    # verified SEC Parties (the notifier's `audience=parties`); Amber and Red only to staff.
    green = staff or (ROLE_SERVICE in roles and request.query.get("audience") == "parties")
    if not (
        event.classification.is_public
        or staff
        or (green and event.classification is Classification.GREEN)
    ):
        raise EventNotFound("no such entry")
    # Off the event loop: the first render of a process builds the VTIMEZONE (~1 s).
    body = await asyncio.to_thread(
        render_single,
        event,
        base_url=context.base_url,
        include_green=green,
        organizer=request.app[ORGANIZER],
    )
    return web.Response(
        body=body,
        content_type=CONTENT_TYPE,
        charset="utf-8",
        headers={
            "Vary": "Authorization",
            "ETag": f'"{event.version}"',
            "Content-Disposition": f'attachment; filename="{event.id}.ics"',
        },
    )


def add_routes(app: web.Application) -> None:
    for route in PUBLIC_FEEDS:
        app.router.add_get(route.template, route.handle)
    app.router.add_get("/feeds/private/{token}.ics", private_feed)
    # Before /events/{id} (pages): the .ics suffix must win.
    app.router.add_get("/events/{id}.ics", single_ics)
