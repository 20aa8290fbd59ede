"""iCalendar feeds (all, committee, type, modification, private) and single-entry .ics."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache

from aiohttp import web

from services.calendar.domain.errors import CalendarError
from services.calendar.domain.feeds import FeedSpec
from services.calendar.domain.rendering import render_single
from services.calendar.service import commands
from services.calendar.service.context import EventNotFound
from services.calendar.service.private_feeds import private_feed_spec
from services.calendar.web.conditional import CONTENT_TYPE, feed_response
from services.calendar.web.keys import CONTEXT, FEEDS
from shared.errors import Problem
from shared.vocabulary import Classification

log = logging.getLogger(__name__)


async def _serve(request: web.Request, spec: FeedSpec) -> web.Response:
    feed = await request.app[FEEDS].feed(spec)
    return feed_response(request, feed, private=not spec.is_public)


# Specs are immutable and their builders validate names: build each once, not per
# request. lru_cache does not keep a builder's exception, so unknown names stay 404.
_EVERYTHING = FeedSpec.everything()
_committee = lru_cache(maxsize=256)(FeedSpec.committee)
_event_type = lru_cache(maxsize=64)(FeedSpec.event_type)
_modification = lru_cache(maxsize=1024)(FeedSpec.modification)


async def all_feed(request: web.Request) -> web.Response:
    return await _serve(request, _EVERYTHING)


async def committee_feed(request: web.Request) -> web.Response:
    return await _serve(request, _committee(request.match_info["slug"]))


async def type_feed(request: web.Request) -> web.Response:
    return await _serve(request, _event_type(request.match_info["type"]))


async def modification_feed(request: web.Request) -> web.Response:
    return await _serve(request, _modification(request.match_info["ref"]))


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
    if event.classification is not Classification.WHITE:
        raise EventNotFound("no such entry")
    # Off the event loop: the first render of a process builds the VTIMEZONE (~1 s).
    body = await asyncio.to_thread(render_single, event, base_url=context.base_url)
    return web.Response(
        body=body,
        content_type=CONTENT_TYPE,
        charset="utf-8",
        headers={
            "ETag": f'"{event.version}"',
            "Content-Disposition": f'attachment; filename="{event.id}.ics"',
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/feeds/all.ics", all_feed)
    app.router.add_get("/feeds/committees/{slug}.ics", committee_feed)
    app.router.add_get("/feeds/types/{type}.ics", type_feed)
    app.router.add_get("/feeds/modifications/{ref}.ics", modification_feed)
    app.router.add_get("/feeds/private/{token}.ics", private_feed)
    # Before /events/{id} (pages): the .ics suffix must win.
    app.router.add_get("/events/{id}.ics", single_ics)
