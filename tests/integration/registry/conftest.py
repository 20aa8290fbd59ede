"""Registry apps on the real servers, seeded or empty, and the secretariat's headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from services.registry.web.app import create_app
from shared.auth import ROLE_SECRETARIAT, issue_token
from shared.settings import RegistrySettings
from tests.conftest import TEST_SIGNER

Client = TestClient[Any, Any]


@pytest.fixture
def staff() -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT})}


@pytest.fixture
async def registry(aiohttp_client: Callable[..., Any], make_settings: Callable[..., Any]) -> Client:
    """An empty register."""
    client: Client = await aiohttp_client(create_app(make_settings(RegistrySettings)))
    return client


@pytest.fixture
async def seeded(aiohttp_client: Callable[..., Any], make_settings: Callable[..., Any]) -> Client:
    """The register holding the seed documents' modifications, consultations and releases."""
    settings = make_settings(RegistrySettings, seed=True)
    client: Client = await aiohttp_client(create_app(settings))
    return client
