"""A client that retries a POST with the same Idempotency-Key gets the first answer again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web

from services.registry.web.app import create_app
from shared.app import PLATFORM
from shared.settings import RegistrySettings
from tests.integration.registry.conftest import Client
from tests.support.tcpproxy import TcpProxy

BODY = {"ref": "MP901", "title": "A retried proposal", "classification": "white"}


async def events_about(registry: Client, ref: str) -> int:
    outbox = registry.app[PLATFORM].mongo.collection("registry_outbox")
    return await outbox.count_documents({"envelope.subject": ref})


async def test_a_retry_with_the_same_key_replays_the_first_answer_and_does_nothing_twice(
    registry: Client, staff: dict[str, str]
) -> None:
    headers = {**staff, "Idempotency-Key": "create-mp901-1"}
    first = await registry.post("/api/v1/modifications", json=BODY, headers=headers)
    assert first.status == 201, await first.text()
    retry = await registry.post("/api/v1/modifications", json=BODY, headers=headers)
    assert retry.status == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert await retry.json() == await first.json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert await events_about(registry, "MP901") == 1
    # Without the key, the same request is a second attempt and is refused as before.
    again = await registry.post("/api/v1/modifications", json=BODY, headers=staff)
    assert again.status == 409


async def test_the_same_key_with_another_body_is_refused(
    registry: Client, staff: dict[str, str]
) -> None:
    headers = {**staff, "Idempotency-Key": "create-mp902"}
    first = await registry.post(
        "/api/v1/modifications", json={**BODY, "ref": "MP902"}, headers=headers
    )
    assert first.status == 201
    other = await registry.post(
        "/api/v1/modifications", json={**BODY, "ref": "MP903"}, headers=headers
    )
    assert other.status == 422
    assert other.content_type == "application/problem+json"
    assert await events_about(registry, "MP903") == 0


async def test_a_refused_first_try_is_not_kept_and_concurrent_tries_run_once(
    registry: Client, staff: dict[str, str]
) -> None:
    headers = {**staff, "Idempotency-Key": "create-mp904"}
    refused = await registry.post(
        "/api/v1/modifications", json={**BODY, "ref": "MP904", "title": ""}, headers=headers
    )
    assert refused.status == 422
    fixed = {**BODY, "ref": "MP904"}
    tries = await asyncio.gather(
        *(registry.post("/api/v1/modifications", json=fixed, headers=headers) for _ in range(5))
    )
    statuses = sorted(response.status for response in tries)
    # One ran; the others were replayed (201) or told it was still running (409).
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert await events_about(registry, "MP904") == 1


async def test_a_database_lost_after_the_commit_still_replays_the_first_answer(
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., Any],
    mongo_url: str,
    staff: dict[str, str],
) -> None:
    """The answer could not be recorded (the database went away just after the use case's
    commit): retries are told to wait, then get the first answer; nothing runs twice."""
    mongo = urlsplit(mongo_url)
    proxy = TcpProxy(mongo.hostname or "127.0.0.1", mongo.port or 27017)
    await proxy.start()
    # Direct: a replica set's client would otherwise find the member's own address.
    query = "&".join(filter(None, [mongo.query, "directConnection=true"]))
    proxied = urlunsplit(mongo._replace(netloc=f"127.0.0.1:{proxy.port}", query=query))
    app = create_app(make_settings(RegistrySettings, mongodb_url=proxied))

    armed = [True]

    @web.middleware
    async def lose_the_database_after_commit(request: web.Request, handler: Any) -> Any:
        response = await handler(request)
        if request.method == "POST" and armed.pop():
            await proxy.cut()
        return response

    # Innermost: it runs after the use case, before the idempotency middleware records.
    app.middlewares.append(lose_the_database_after_commit)
    registry: Client = await aiohttp_client(app)
    headers = {**staff, "Idempotency-Key": "create-mp905"}
    first = await registry.post(
        "/api/v1/modifications", json={**BODY, "ref": "MP905"}, headers=headers
    )
    assert first.status == 201, await first.text()
    waiting = await registry.post(
        "/api/v1/modifications", json={**BODY, "ref": "MP905"}, headers=headers
    )
    assert waiting.status in {409, 503}  # still running, or the database is away
    await proxy.restore()
    for _ in range(100):
        retry = await registry.post(
            "/api/v1/modifications", json={**BODY, "ref": "MP905"}, headers=headers
        )
        if retry.status != 409 or "still running" not in (await retry.json())["detail"]:
            break
        await asyncio.sleep(0.2)
    assert retry.status == 201, await retry.text()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert await retry.json() == await first.json()
    assert await events_about(registry, "MP905") == 1
    await proxy.cut()
