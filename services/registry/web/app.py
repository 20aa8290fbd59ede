"""Build the registry service's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from shared.app import ServiceSpec, create_service_app
from shared.settings import RegistrySettings


def create_app(settings: RegistrySettings) -> web.Application:
    spec = ServiceSpec(name="registry")
    return create_service_app(settings, spec)
