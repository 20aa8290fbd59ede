"""Exactly one event per change, through the outbox and the real RabbitMQ."""

from __future__ import annotations

import json
from collections import Counter

import aio_pika

from services.registry.service.seeding import load_seed_register
from services.registry.web.http import REGISTRY
from shared.app import PLATFORM
from tests.integration.registry.conftest import Client
from tests.integration.test_platform_events import next_message, tap

API = "/api/v1/modifications"


MARKER = {"ref": "MP499", "title": "Marker", "path": "path-3"}


async def drain(
    registry: Client, staff: dict[str, str], queue: aio_pika.abc.AbstractQueue
) -> list[dict]:
    """Make a marker change after all others; return every event that arrives before its event.

    The relay publishes in commit order on one channel and the queue is FIFO, so an extra
    event from any earlier change would arrive before the marker's, never after it.
    """
    response = await registry.post(API, json=MARKER, headers=staff)
    assert response.status == 201, await response.text()
    events = []
    while (event := json.loads((await next_message(queue)).body))["subject"] != MARKER["ref"]:
        events.append(event)
    assert event["type"] == "registry.modification.created"
    return events


async def test_every_change_emits_exactly_one_event_and_refusals_none(
    registry: Client, staff: dict[str, str]
) -> None:
    queue = await tap(registry.app[PLATFORM].broker, "registry.#")

    async def call(method: str, path: str, body: dict, status: int, **headers: str) -> None:
        response = await registry.request(method, path, json=body, headers={**staff, **headers})
        assert response.status == status, await response.text()

    await call("POST", API, {"ref": "MP400", "title": "Events", "path": "path-3"}, 201)
    await call("PATCH", f"{API}/MP400", {"working_group": "WG"}, 200, **{"If-Match": '"1"'})
    await call(
        "PATCH", f"{API}/MP400", {"working_group": "WG"}, 200, **{"If-Match": '"2"'}
    )  # no-op
    await call("POST", f"{API}/MP400/transitions", {"to": "implemented", "reason": "x"}, 409)
    for to in ("report-phase", "modification-report-consultation", "change-board-vote"):
        await call("POST", f"{API}/MP400/transitions", {"to": to, "reason": "next"}, 201)
    decision = {"body": "change_board", "outcome": "reject", "decided_on": "2022-03-01"}
    await call("POST", f"{API}/MP400/decisions", decision, 201)
    consultation = {
        "title": "Budget",
        "kind": "budget",
        "respond_to": "SECAS",
        "id": "budget-2026",
        "opens_at": "2026-01-01T09:00:00Z",
        "closes_at": "2026-01-28T17:00:00Z",
    }
    await call("POST", "/api/v1/consultations", consultation, 201)
    await call(
        "POST", "/api/v1/consultations/budget-2026/move", {"closes_at": "2026-02-04T17:00:00Z"}, 200
    )
    await call("POST", "/api/v1/consultations/budget-2026/close", {}, 200)
    await call(
        "POST", "/api/v1/releases", {"effective_date": "2026-06-25", "kind": "scheduled"}, 201
    )
    await call("POST", "/api/v1/releases/2026-06/publish", {}, 200)

    events = await drain(registry, staff, queue)
    assert Counter(event["type"] for event in events) == {
        "registry.modification.created": 1,
        "registry.modification.updated": 1,
        "registry.modification.status_changed": 4,
        "registry.decision.recorded": 1,
        "registry.consultation.opened": 1,
        "registry.consultation.closing": 1,
        "registry.consultation.closed": 1,
        "registry.release.scheduled": 1,
        "registry.release.published": 1,
    }
    rejected = [e for e in events if e["type"].endswith("status_changed")][-1]
    assert rejected["subject"] == "MP400"
    assert rejected["data"]["to_status"] == "rejected"
    assert rejected["data"]["previous_ref"] == "MP400"
    assert rejected["data"]["modification"]["url"].endswith("/modifications/MP400")
    closing = next(e for e in events if e["type"] == "registry.consultation.closing")
    assert closing["data"]["consultation"]["closes_at"] == "2026-02-04T17:00:00+00:00"


async def test_seed_loads_once_and_announces_each_entity_once(seeded: Client) -> None:
    outbox = seeded.app[PLATFORM].outbox.collection
    first = await outbox.count_documents({})
    types = Counter([doc["routing_key"] async for doc in outbox.find({})])
    assert types["registry.modification.created"] > 40
    assert types["registry.consultation.opened"] >= 5
    assert types["registry.release.scheduled"] >= 5
    assert await load_seed_register(seeded.app[REGISTRY]) == 0
    assert await outbox.count_documents({}) == first
