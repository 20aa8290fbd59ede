"""Bearer tokens as a security review would want them: signed elsewhere, per service, revocable.

A service in production holds public keys and its own token, never the signing key,
so nothing in it can mint a token; it accepts a token only when its own name is an
audience, under any of the keys of a rotation, and not once the token is revoked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from shared.app import PLATFORM, ServiceSpec, create_service_app
from shared.auth import ROLE_SECRETARIAT, ROLE_SERVICE, SigningKey, issue_token, requires
from shared.settings import ServiceSettings

Client = TestClient[Any, Any]


@requires(ROLE_SECRETARIAT)
async def whoami(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def registry_app(settings: ServiceSettings) -> web.Application:
    app = create_service_app(settings, ServiceSpec(name="registry"))
    app.router.add_post("/api/v1/whoami", whoami)
    return app


@pytest.fixture
def old_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def new_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
async def registry(
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., ServiceSettings],
    old_key: SigningKey,
    new_key: SigningKey,
) -> Client:
    """A registry in the middle of a key rotation, holding no signing key at all."""
    settings = make_settings(
        token_signing_key=None,
        token_public_keys=[old_key.public_pem(), new_key.public_pem()],
        service_token=issue_token(new_key, "registry", {ROLE_SERVICE}, audience=["calendar"]),
    )
    client: Client = await aiohttp_client(registry_app(settings))
    return client


async def status(client: Client, token: str) -> int:
    response = await client.post("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    return response.status


async def test_tokens_of_both_keys_of_a_rotation_are_taken_and_no_others(
    registry: Client, old_key: SigningKey, new_key: SigningKey
) -> None:
    assert await status(registry, issue_token(old_key, "alice", {ROLE_SECRETARIAT})) == 200
    assert await status(registry, issue_token(new_key, "alice", {ROLE_SECRETARIAT})) == 200
    stranger = SigningKey.generate()
    assert await status(registry, issue_token(stranger, "mallory", {ROLE_SECRETARIAT})) == 401


async def test_a_token_for_another_service_is_refused(
    registry: Client, new_key: SigningKey
) -> None:
    for_the_calendar = issue_token(new_key, "alice", {ROLE_SECRETARIAT}, audience=["calendar"])
    assert await status(registry, for_the_calendar) == 401
    # Its own service token names only the services it calls, so it is no key to itself.
    assert await status(registry, issue_token(new_key, "x", {ROLE_SECRETARIAT}, -1)) == 401


async def test_a_revoked_token_is_refused_from_the_next_read_of_the_list(
    registry: Client, new_key: SigningKey
) -> None:
    token = issue_token(new_key, "alice", {ROLE_SECRETARIAT}, 3600, token_id="t-revoke-me")
    assert await status(registry, token) == 200
    tokens = registry.app[PLATFORM].mongo.collection("platform_tokens")
    await tokens.insert_one({"_id": "t-revoke-me", "subject": "alice", "revoked_at": "now"})
    assert await status(registry, token) == 401


def test_a_service_without_keys_refuses_to_start_and_one_with_public_keys_cannot_mint(
    make_settings: Callable[..., ServiceSettings], new_key: SigningKey
) -> None:
    with pytest.raises(ValueError, match="TOKEN_PUBLIC_KEYS"):
        registry_app(make_settings(token_signing_key=None))
    with pytest.raises(ValueError, match="SERVICE_TOKEN"):
        registry_app(
            make_settings(token_signing_key=None, token_public_keys=[new_key.public_pem()])
        )


async def test_the_command_records_revokes_and_lists_staff_tokens(
    registry: Client, new_key: SigningKey, tmp_path: Any
) -> None:
    settings = registry.app[PLATFORM].settings
    key_file = tmp_path / "signing.pem"
    key_file.write_text(new_key.private_pem())
    env = {
        **os.environ,
        "MONGODB_URL": settings.mongodb_url,
        "MONGODB_DB": settings.mongodb_db,
    }

    def tokens(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "shared.tokens", *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.stdout.strip()

    token = tokens("create", "--subject", "bob", "--roles", "secretariat", "--key", str(key_file))
    assert await status(registry, token) == 200
    [listed] = [line for line in tokens("list").splitlines() if "bob" in line]
    token_id = listed.split()[0]
    assert tokens("revoke", token_id) == f"revoked {token_id}"
    assert await status(registry, token) == 401
    assert "revoked" in tokens("list")
