"""Admin JSON endpoints: the platform's outbox and dead letters (the registry consumes no queue,
so its dead-letter listing is empty)."""

from __future__ import annotations

from aiohttp import web

from shared.ops.service_api import add_platform_routes


def add_routes(app: web.Application) -> None:
    add_platform_routes(app)
