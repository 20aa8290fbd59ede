"""Confirmed subscribers stored straight into the notifier, and the writes that alert them.

A thousand double opt-ins through the API would meet the subscribe rate limits; the
stored documents are the ones the notifier itself writes (its domain and adapter).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from services.notifier.adapters import names
from services.notifier.adapters.documents import to_document
from services.notifier.domain.subscriptions import (
    SubscriptionStatus,
    new_subscription,
    subscription_request,
)
from shared.idempotency import HEADER
from tests.chaos.harness import SERVICES, ChaosSystem, post
from tests.conftest import TEST_SECRET

FOLLOWER = "follower@chaos.example.org"


async def start_with_follower(system: ChaosSystem, topic: str) -> str:
    """Start every service and subscribe FOLLOWER to `topic`; return the address."""
    await system.start(*SERVICES)
    await subscribe(system, [FOLLOWER], [topic])
    return FOLLOWER


def addresses(count: int, prefix: str = "member") -> list[str]:
    return [f"{prefix}{i}@chaos.example.org" for i in range(count)]


async def subscribe(system: ChaosSystem, emails: Iterable[str], topics: Sequence[str]) -> None:
    """Store a confirmed subscription to `topics` for each address (confirmed a minute ago)."""
    confirmed_at = datetime.now(UTC) - timedelta(minutes=1)
    documents = []
    for email in emails:
        pending = new_subscription(
            subscription_request(email, topics), now=confirmed_at, feed_secret=TEST_SECRET.encode()
        )
        confirmed = replace(
            pending,
            status=SubscriptionStatus.CONFIRMED,
            confirmed_at=confirmed_at,
            expires_at=None,
            confirm_nonce=None,
        )
        documents.append(to_document(confirmed))
    await system.mongo.collection(names.SUBSCRIPTIONS).insert_many(documents)


def modification(number: int) -> dict[str, Any]:
    return {"ref": f"MP{number}", "title": f"Chaos modification {number}"}


def consultation() -> dict[str, Any]:
    """A consultation closing in a fortnight (its deadline goes to the calendar)."""
    closes_at = (datetime.now(UTC) + timedelta(days=14)).replace(microsecond=0)
    return {
        "id": f"chaos-{uuid.uuid4().hex[:8]}",
        "title": "Chaos consultation",
        "kind": "industry",
        "closes_at": closes_at.isoformat(),
        "respond_to": "secas@sec.example.org",
    }


async def create(
    http: aiohttp.ClientSession, system: ChaosSystem, path: str, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """POST to the registry API as the secretariat."""
    return await post(http, system.url("registry", path), body, system.staff_headers)


async def missing(http: aiohttp.ClientSession, system: ChaosSystem, urls: Iterable[str]) -> int:
    """How many of `urls` (acknowledged writes) do not answer 200 to the secretariat."""
    gone = 0
    for url in urls:
        async with http.get(url, headers=system.staff_headers) as response:
            gone += response.status != 200
    return gone


# A 409 that says the first try with the key is still running (retry later), not "exists".
IN_PROGRESS = "409 running"
NO_ANSWER = "no answer"


async def write_until_acknowledged(
    http: aiohttp.ClientSession, system: ChaosSystem, number: int, answers: list[str]
) -> None:
    """POST one modification, retrying with the same Idempotency-Key until answered 201 (or 409).

    Each answer goes to `answers`: its status, IN_PROGRESS, or NO_ANSWER (a timeout).
    """
    headers = {**system.staff_headers, HEADER: uuid.uuid4().hex}
    url = system.url("registry", "/api/v1/modifications")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            async with http.post(url, json=modification(number), headers=headers) as response:
                detail = str((await response.json(content_type=None) or {}).get("detail", ""))
                running = response.status == 409 and HEADER in detail
                answers.append(IN_PROGRESS if running else str(response.status))
                # A plain 409 ("exists already") ends it: retrying cannot change that answer.
                if response.status == 201 or (response.status == 409 and not running):
                    return
        except (aiohttp.ClientError, TimeoutError):
            answers.append(NO_ANSWER)
        await asyncio.sleep(0.2)
    raise AssertionError(f"MP{number} was never acknowledged: {answers}")
