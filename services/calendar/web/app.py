"""Build the calendar service's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from shared.app import ServiceSpec, create_service_app
from shared.settings import CalendarSettings


def create_app(settings: CalendarSettings) -> web.Application:
    spec = ServiceSpec(name="calendar")
    return create_service_app(settings, spec)
