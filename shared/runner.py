"""Run one service process: settings from the environment, logging, the HTTP server."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import uvloop
from aiohttp import web
from pydantic import ValidationError

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
    try:
        web.run_app(
            create_app(settings),
            # uvloop's event loop and transports are C: per-request overhead drops
            # markedly (docs/decisions/platform-uvloop.md).
            loop=uvloop.new_event_loop(),
            host=settings.host,
            port=getattr(settings, "port", 8080),
            access_log=None,
            print=None,
            handle_signals=True,
        )
    except BrokerUnavailable as exc:
        sys.exit(f"{name}: {exc}")
