"""Build the registry service's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from services.registry.adapters.repository import INDEXES
from services.registry.console.setup import add_console
from services.registry.domain.errors import (
    DomainError,
    IllegalTransition,
    InvalidDecision,
    InvalidField,
    InvalidReference,
    InvalidState,
    VersionConflict,
)
from services.registry.service.context import AlreadyExists, NotFound, build_context
from services.registry.service.seeding import load_seed_register
from services.registry.web import admin, api_modifications, api_proceedings, pages
from services.registry.web.feed import feed_view
from services.registry.web.http import REGISTRY
from shared.app import Platform, ServiceSpec, create_service_app
from shared.clock import Clock, system_clock
from shared.errors import ErrorMap
from shared.settings import RegistrySettings

ERRORS: ErrorMap = {
    NotFound: (404, "Not Found"),
    AlreadyExists: (409, "Conflict"),
    IllegalTransition: (409, "Illegal transition"),
    InvalidState: (409, "Conflict"),
    VersionConflict: (412, "Precondition Failed"),
    InvalidField: (422, "Unprocessable Content"),
    InvalidReference: (422, "Unprocessable Content"),
    InvalidDecision: (422, "Unprocessable Content"),
    DomainError: (422, "Unprocessable Content"),
}


def create_app(settings: RegistrySettings, clock: Clock = system_clock) -> web.Application:
    """Return the registry: JSON API, register pages, Atom feed, seed on start-up if asked.

    `clock` is injectable so tests can record changes at a chosen time.
    """
    app: web.Application

    async def attach_registry(platform: Platform) -> None:
        registry = build_context(platform, settings, clock)
        app[REGISTRY] = registry
        if settings.seed:
            await load_seed_register(registry)
        # Load the register copy now, not in the first reader's request (~0.5 s for 5,000).
        await registry.register.current()

    spec = ServiceSpec(
        name="registry", indexes=INDEXES, error_map=ERRORS, on_startup=[attach_registry]
    )
    app = create_service_app(settings, spec)
    # The feed before /modifications/{ref}, which would otherwise take "feed.atom".
    app.router.add_get("/modifications/feed.atom", feed_view)
    api_modifications.add_routes(app)
    api_proceedings.add_routes(app)
    admin.add_routes(app)
    pages.add_routes(app, settings)
    add_console(app, settings, clock)
    return app
