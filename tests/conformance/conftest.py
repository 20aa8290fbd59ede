"""The running calendar (seeded) and a scenario of entries every client must read right."""

from __future__ import annotations

import pytest

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
