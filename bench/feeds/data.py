"""Build 1,000 calendar entries from the seed and load them straight into MongoDB."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from pymongo import MongoClient

from services.calendar.adapters.documents import to_document
from services.calendar.adapters.repository import EVENTS, FEED_VERSION_ID, FEED_VERSIONS
from services.calendar.domain.model import CalendarEvent, uid_for
from services.calendar.seed import load_seed


def entries(count: int) -> list[CalendarEvent]:
    """Return `count` White entries: the seed's shapes, spread a day apart."""
    seed = [e for e in load_seed() if e.recurrence is None]
    made = []
    for index in range(count):
        base = seed[index % len(seed)]
        shift = timedelta(days=index)
        event_id = f"bench-{index:04d}"
        made.append(
            replace(
                base,
                id=event_id,
                uid=uid_for(event_id),
                starts_at=base.starts_at + shift,
                ends_at=base.ends_at + shift,
                source="manual",
            )
        )
    return made


def load(url: str, database: str, events: list[CalendarEvent]) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(url)
    try:
        db = client[database]
        db[EVENTS].insert_many([to_document(e) for e in events])
        db[FEED_VERSIONS].update_one(
            {"_id": FEED_VERSION_ID},
            {"$inc": {"number": 1}, "$set": {"changed_at": datetime.now(UTC)}},
            upsert=True,
        )
    finally:
        client.close()
