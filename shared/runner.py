"""Run one service process: settings from the environment, logging, the HTTP server."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TypeVar

import uvloop
from aiohttp import web
from aiohttp.web_runner import GracefulExit
from pydantic import ValidationError

from shared.app import PLATFORM
from shared.fastpath import FAST_PATH, FastPathSite
from shared.logs import configure_logging
from shared.messaging import BrokerUnavailable
from shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def run_service(
    name: str, settings_type: type[S], create_app: Callable[[S], web.Application]
) -> None:
    try:
        settings = settings_type()  # values come from the environment
    except ValidationError as exc:
        sys.exit(f"{name}: configuration is incomplete or invalid:\n{exc}")
    configure_logging(name, settings.log_level, settings.log_json)
    port = getattr(settings, "port", 8080)
    try:
        # uvloop's event loop and transports are C: per-request overhead drops
        # markedly (docs/decisions/platform-uvloop.md).
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve(create_app(settings), settings.host, port))
    except (GracefulExit, KeyboardInterrupt):
        pass  # SIGTERM or SIGINT: leaving the Runner cancelled serve(), which cleaned up
    except BrokerUnavailable as exc:
        sys.exit(f"{name}: {exc}")


async def serve(app: web.Application, host: str, port: int) -> None:
    """Serve `app` until cancelled, through the fast path when the app names one."""
    # handle_signals: SIGTERM and SIGINT raise GracefulExit out of the loop.
    runner = web.AppRunner(app, access_log=None, handle_signals=True)
    await runner.setup()
    try:
        await service_site(runner, host, port).start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def service_site(runner: web.AppRunner, host: str | None, port: int) -> web.BaseSite:
    """Return the site to listen on: the app's fast path in front when it names one."""
    responder = runner.app.get(FAST_PATH)
    if responder is None:
        return web.TCPSite(runner, host, port)
    return FastPathSite(runner, host, port, responder, runner.app[PLATFORM].metrics)
