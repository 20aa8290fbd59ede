"""The running calendar (seeded) and a scenario of entries every client must read right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.registry.web.app import create_app as create_registry
from shared.settings import RegistrySettings
from tests.conformance.scenario import build_scenario
from tests.integration.calendar.conftest import (  # noqa: F401 (fixtures used here)
    Client,
    calendar,
    calendar_settings,
    registry_server,
    staff,
)


@pytest.fixture
async def scenario(calendar: Client, staff: dict[str, str]) -> list[str]:  # noqa: F811
    return await build_scenario(calendar, staff)


@pytest.fixture
async def registry_app(
    aiohttp_client: Callable[..., Any], make_settings: Callable[..., Any]
) -> Client:
    """An empty register."""
    client: Client = await aiohttp_client(create_registry(make_settings(RegistrySettings)))
    return client
