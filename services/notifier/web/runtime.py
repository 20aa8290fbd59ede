"""Hold the use cases' dependencies once the platform has started, and expose the consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from services.notifier.service.context import Deps, build_deps
from services.notifier.service.delivering import send_batch
from services.notifier.service.fanout import apply_event
from services.notifier.service.scheduling import run_scheduler
from shared.app import Platform
from shared.clock import Clock
from shared.db import Session
from shared.events import CloudEvent
from shared.settings import NotifierSettings


class NotifierRuntime:
    """The composition root: consumers and views reach the use cases through it."""

    def __init__(self, settings: NotifierSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._deps: Deps | None = None

    @property
    def deps(self) -> Deps:
        if self._deps is None:
            raise RuntimeError("the notifier has not started yet")
        return self._deps

    async def start(self, platform: Platform) -> None:
        """on_startup hook: runs before consumers, background jobs and requests."""
        self._deps = build_deps(platform, self.settings, self.clock)

    async def handle_event(self, event: CloudEvent, session: Session) -> None:
        await apply_event(self.deps, event, session)

    async def send(self, event: CloudEvent) -> bool:
        return await send_batch(self.deps, event)

    async def scheduler(self, platform: Platform) -> None:
        del platform  # the deps already hold what the scheduler needs
        await run_scheduler(self.deps)

    async def smtp_ctx(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: close the SMTP connections when the app stops."""
        del app
        yield
        if self._deps is not None:
            await self._deps.smtp.close()


NOTIFIER = web.AppKey("notifier", NotifierRuntime)


def deps_of(request: web.Request) -> Deps:
    return request.app[NOTIFIER].deps
