"""Build the calendar service's aiohttp application."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from services.calendar.adapters.feed_cache import FeedCache
from services.calendar.adapters.repository import INDEXES, EventExists
from services.calendar.domain.errors import (
    InvalidChange,
    InvalidEvent,
    InvalidRegistryEvent,
    UnknownFeed,
    VersionConflict,
)
from services.calendar.domain.rendering import Organizer
from services.calendar.service.context import EventNotFound, build_context
from services.calendar.service.deadlines import REGISTRY_BINDINGS, registry_event_handler
from services.calendar.service.registry_refs import UnknownModification
from services.calendar.service.seeding import load_seed_entries
from services.calendar.web import admin, api, feeds, pages
from services.calendar.web.keys import CONTEXT, FEEDS, ORGANIZER
from shared.app import Platform, ServiceSpec, Subscription, create_service_app
from shared.clock import Clock, system_clock
from shared.db import Session
from shared.errors import ErrorMap
from shared.events import CloudEvent
from shared.fastpath import FAST_PATH
from shared.settings import CalendarSettings

ERRORS: ErrorMap = {
    EventNotFound: (404, "Not Found"),
    UnknownFeed: (404, "Not Found"),
    EventExists: (409, "Conflict"),
    VersionConflict: (412, "Precondition Failed"),
    InvalidEvent: (422, "Unprocessable Content"),
    UnknownModification: (422, "Unprocessable Content"),
    InvalidChange: (422, "Unprocessable Content"),
    InvalidRegistryEvent: (422, "Unprocessable Content"),
}


def create_app(
    settings: CalendarSettings, clock: Clock = system_clock, organizer: Organizer | None = None
) -> web.Application:
    """Return the calendar: JSON API, feeds, pages, registry-event consumer, seed if asked.

    `clock` is injectable so tests can apply changes at a chosen time; `organizer`
    defaults to CALENDAR_ORGANIZER_NAME / CALENDAR_ORGANIZER_EMAIL (or SECAS).
    """
    app: web.Application
    publisher = organizer or Organizer(
        settings.calendar_organizer_name, settings.calendar_organizer_email
    )
    # One thread: renders queue behind each other instead of fighting over the GIL.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calendar-render")

    async def attach(platform: Platform) -> None:
        context = build_context(platform, settings, clock)
        app[CONTEXT] = context
        app[FEEDS] = FeedCache(
            context.repository,
            context.versions,
            executor,
            base_url=settings.public_base_url_calendar,
            organizer=publisher,
        )
        if settings.seed:
            await load_seed_entries(context)

    async def follow_versions(platform: Platform) -> None:
        await app[CONTEXT].versions.run()

    async def on_registry_event(event: CloudEvent, session: Session) -> None:
        await registry_event_handler(app[CONTEXT])(event, session)

    spec = ServiceSpec(
        name="calendar",
        indexes=INDEXES,
        error_map=ERRORS,
        subscriptions=[Subscription("registry-events", REGISTRY_BINDINGS, on_registry_event)],
        background=[("api", follow_versions)],
        on_startup=[attach],
    )
    app = create_service_app(settings, spec)
    app[ORGANIZER] = publisher

    async def stop_executor(_: web.Application) -> None:
        executor.shutdown(wait=False, cancel_futures=True)

    app.on_cleanup.append(stop_executor)
    api.add_routes(app)
    admin.add_routes(app)
    feeds.add_routes(app)
    app[FAST_PATH] = feeds.FastFeeds(app)
    pages.add_routes(app, settings)
    return app
