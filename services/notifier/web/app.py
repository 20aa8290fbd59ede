"""Build the notifier service's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from shared.app import ServiceSpec, create_service_app
from shared.settings import NotifierSettings


def create_app(settings: NotifierSettings) -> web.Application:
    spec = ServiceSpec(name="notifier")
    return create_service_app(settings, spec)
