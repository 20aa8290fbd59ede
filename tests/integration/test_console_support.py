"""What the console tests share: a registry with staff accounts, a movable clock, sign-in.

No tests here: the fixtures and helpers of tests/integration/test_console_*.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from services.registry.web.app import create_app
from shared.app import PLATFORM
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT
from shared.settings import RegistrySettings
from shared.staff.accounts import StaffAccount
from shared.staff.passwords import hash_password
from shared.staff.store import StaffStore

Client = TestClient[Any, Any]
PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class MovableClock:
    """The registry's and the console's clock; a test moves it forward, never back."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


async def add_account(client: Client, username: str, roles: set[str], name: str = "") -> None:
    """Create an account the way `python -m shared.staff create` does."""
    now = datetime.now(UTC) - timedelta(days=1)
    await StaffStore.of(client.app[PLATFORM].mongo).add_account(
        StaffAccount(
            username=username,
            display_name=name or username.title(),
            roles=frozenset(roles),
            password_hash=hash_password(PASSWORD),
            created_at=now,
            password_changed_at=now,
        )
    )


@pytest.fixture
async def console(
    aiohttp_client: Callable[..., Any], make_settings: Callable[..., Any], clock: MovableClock
) -> Client:
    """A seeded registry with two accounts: alice (secretariat) and root (admin)."""
    settings = make_settings(RegistrySettings, seed=True)
    client: Client = await aiohttp_client(create_app(settings, clock=clock))
    await add_account(client, "alice", {ROLE_SECRETARIAT}, "Alice Example")
    await add_account(client, "root", {ROLE_ADMIN}, "Root Admin")
    return client


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found is not None, "no CSRF token on the page"
    return found[1]


async def sign_in(client: Client, username: str = "alice", password: str = PASSWORD) -> Any:
    """Open the sign-in page and post it; return the (unfollowed) answer."""
    page = await client.get("/console/sign-in")
    token = csrf_token(await page.text())
    return await client.post(
        "/console/sign-in",
        data={"csrf_token": token, "username": username, "password": password, "next": ""},
        allow_redirects=False,
    )


async def signed_in(client: Client, username: str = "alice") -> None:
    response = await sign_in(client, username)
    assert response.status == 303, await response.text()


async def form_token(client: Client, path: str) -> str:
    """Return the CSRF token a console page's forms carry."""
    response = await client.get(path, allow_redirects=False)
    assert response.status == 200, (path, response.status)
    return csrf_token(await response.text())


async def post_form(client: Client, path: str, page: str, /, **fields: Any) -> Any:
    """Post a console form the way a browser does: token from `page`, no redirect followed."""
    token = await form_token(client, page)
    return await client.post(path, data={"csrf_token": token, **fields}, allow_redirects=False)
