"""The event the fan-out sends and the confirmed subscribers it goes to, loaded in bulk."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.notifier.adapters.documents import to_document
from services.notifier.domain.subscriptions import (
    Subscription,
    SubscriptionStatus,
    new_subscription,
    subscription_request,
)
from shared.db import Collection

SECRET = "bench-secret-that-is-long-enough-for-links"  # noqa: S105 - a throwaway bench key
TOPIC = "modification:MP192"
EVENT_TYPE = "registry.modification.status_changed"
CHUNK = 5_000


def status_change(n: int) -> dict[str, Any]:
    """Return the data of MP192's n-th move to the report phase (a contract-valid payload)."""
    modification = {
        "ref": "MP192",
        "title": "Extend Scheduled Services for SMETS1 Devices",
        "summary": "Allow SRVs 4.3 and 4.4.3 to be scheduled for SMETS1 Devices.",
        "status": "report-phase",
        "status_label": "Report Phase",
        "path": "path-3",
        "path_label": "Path 3: Self-Governance",
        "working_group": "WG1",
        "high_impact": False,
        "proposer": "British Gas",
        "target_release": None,
        "is_draft": False,
        "url": "https://registry.sec.example.org/modifications/MP192",
        "classification": "white",
    }
    return {
        "modification": modification,
        "previous_ref": "MP192",
        "from_status": "refinement",
        "to_status": "report-phase",
        "from_label": "Refinement Process",
        "to_label": f"Report Phase ({n})",
        "reason": "",
        "actor": "bench",
        "changed_at": datetime.now(UTC).isoformat(),
    }


def subscribers(count: int, topic: str = TOPIC, first: int = 0) -> list[Subscription]:
    """Return `count` confirmed subscribers to `topic`, member{first}@… onwards."""
    now = datetime.now(UTC)
    made = []
    for i in range(first, first + count):
        pending = new_subscription(
            subscription_request(f"member{i}@bench.example.org", [topic]),
            now=now,
            feed_secret=SECRET.encode(),
        )
        made.append(
            replace(
                pending,
                status=SubscriptionStatus.CONFIRMED,
                confirmed_at=now,
                expires_at=None,
                confirm_nonce=None,
            )
        )
    return made


def chunks(count: int) -> Iterator[tuple[int, int]]:
    """Yield (first, size) of the chunks that make up `count` subscribers."""
    for first in range(0, count, CHUNK):
        yield first, min(CHUNK, count - first)


async def seed(collection: Collection, count: int) -> None:
    """Insert `count` confirmed subscribers as the notifier stores them."""
    started = time.perf_counter()
    for first, size in chunks(count):
        chunk = subscribers(size, first=first)
        await collection.insert_many([to_document(s) for s in chunk])
        done = first + size
        rate = done / (time.perf_counter() - started)
        print(f"  seeded {done:,} of {count:,} subscribers ({rate:,.0f}/s)", flush=True)
