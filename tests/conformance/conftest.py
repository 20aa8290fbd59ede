"""The running calendar (seeded) and a scenario of entries every client must read right."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
from tests.support.rabbit import amqp_url_of_own


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """A vhost of the conformance suite's own.

    Every calendar app of a test session consumes from the same queue name, so a
    copy of a registry event published by another suite (the registry's moving a
    consultation, say) could change an entry here between fetching a feed and
    reading the store.
    """
    with amqp_url_of_own() as url:
        yield url


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
