"""Attach the console to the registry's application: sign-in state, routes, form origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from services.registry.console import (
    consultations,
    dead_letters,
    deliveries,
    meetings,
    modifications,
    releases,
    signing,
    subscribers,
)
from services.registry.console.calls import CONSOLE_CALLS, ConsoleCalls
from services.registry.console.rendering import see_other
from shared.app import PLATFORM
from shared.auth import ROLE_SECRETARIAT, SigningKey
from shared.browser import same_origin_forms
from shared.clock import Clock
from shared.db import ensure_indexes
from shared.http_client import client_session
from shared.settings import RegistrySettings
from shared.staff.csrf import sign_in_key
from shared.staff.sessions import SessionPolicy
from shared.staff.store import INDEXES, StaffStore
from shared.staff.web import STAFF_AUTH, StaffAuth, staff_page

CONSOLE = "/console"


@staff_page(ROLE_SECRETARIAT)
async def home(request: web.Request) -> web.StreamResponse:
    return see_other(f"{CONSOLE}/modifications")


async def to_home(request: web.Request) -> web.StreamResponse:
    return see_other(f"{CONSOLE}/")


def add_console(app: web.Application, settings: RegistrySettings, clock: Clock) -> None:
    """Serve the console at /console/ on `app` (the registry's)."""
    # Development (compose) holds the platform's signing key in every service; the
    # console may mint with it there. Production gives the console a key of its own.
    key = settings.console_signing_key or settings.token_signing_key
    signer = None if key is None else SigningKey.from_pem(key.get_secret_value())

    async def console_ctx(app: web.Application) -> AsyncIterator[None]:
        mongo = app[PLATFORM].mongo
        await ensure_indexes(mongo, INDEXES)
        app[STAFF_AUTH] = StaffAuth(
            store=StaffStore.of(mongo),
            clock=clock,
            path=CONSOLE,
            secure=settings.public_base_url_registry.startswith("https://"),
            sign_in_key=sign_in_key(settings.secret_key.get_secret_value()),
            policy=SessionPolicy(
                idle=timedelta(minutes=settings.console_idle_minutes),
                lifetime=timedelta(hours=settings.console_session_hours),
            ),
        )
        session = client_session()
        app[CONSOLE_CALLS] = ConsoleCalls(
            session,
            signer,
            registry=settings.registry_url,
            calendar=settings.calendar_url,
            notifier=settings.notifier_url,
        )
        try:
            yield
        finally:
            await session.close()

    app.cleanup_ctx.append(console_ctx)
    # Forms posted from another site are refused before the CSRF token is even read.
    app.middlewares.append(same_origin_forms(settings.public_base_url_registry))
    app.router.add_get(CONSOLE, to_home)
    app.router.add_get(f"{CONSOLE}/", home)
    app.router.add_get(f"{CONSOLE}/sign-in", signing.sign_in_form)
    app.router.add_post(f"{CONSOLE}/sign-in", signing.sign_in_post)
    app.router.add_post(f"{CONSOLE}/sign-out", signing.sign_out_post)
    modifications.add_routes(app, CONSOLE)
    consultations.add_routes(app, CONSOLE)
    releases.add_routes(app, CONSOLE)
    meetings.add_routes(app, CONSOLE)
    deliveries.add_routes(app, CONSOLE)
    subscribers.add_routes(app, CONSOLE)
    dead_letters.add_routes(app, CONSOLE)
