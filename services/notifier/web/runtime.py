"""Hold the use cases' dependencies once the platform has started, and expose the consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from services.notifier.adapters.upgrade import upgrade_storage
from services.notifier.service.context import NotifierContext, build_context
from services.notifier.service.delivering import send_batch
from services.notifier.service.fanout import apply_event, run_fanouts
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
        self._context: NotifierContext | None = None

    @property
    def context(self) -> NotifierContext:
        if self._context is None:
            raise RuntimeError("the notifier has not started yet")
        return self._context

    async def start(self, platform: Platform) -> None:
        """on_startup hook: runs before consumers, background jobs and requests."""
        await upgrade_storage(platform.mongo)
        self._context = build_context(platform, self.settings, self.clock)

    async def handle_event(self, event: CloudEvent, session: Session) -> None:
        await apply_event(self.context, event, session)

    async def send(self, event: CloudEvent) -> bool:
        return await send_batch(self.context, event)

    async def fanouts(self, platform: Platform) -> None:
        del platform  # the context already holds what the fan-outs need
        await run_fanouts(self.context)

    async def scheduler(self, platform: Platform) -> None:
        del platform  # the context already holds what the scheduler needs
        await run_scheduler(self.context)

    async def smtp_ctx(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: close the SMTP connections when the app stops."""
        del app
        yield
        if self._context is not None:
            await self._context.smtp.close()


NOTIFIER = web.AppKey("notifier", NotifierRuntime)


def context_of(request: web.Request) -> NotifierContext:
    return request.app[NOTIFIER].context
