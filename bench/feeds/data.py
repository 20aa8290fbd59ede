"""Build calendar entries from the seed and load them straight into MongoDB."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pymongo import MongoClient

from services.calendar.adapters.documents import to_document
from services.calendar.adapters.repository import (
    EVENTS,
    FEED_VERSION_ID,
    FEED_VERSIONS,
    INDEXES,
)
from services.calendar.domain.model import CalendarEvent, uid_for
from services.calendar.seed import load_seed


def later(instant: datetime, zone: str, days: int) -> datetime:
    """Return `instant` `days` later on the wall clock of `zone` (across DST changes)."""
    local = instant.astimezone(ZoneInfo(zone))
    wall = local.replace(tzinfo=None) + timedelta(days=days)
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def entries(count: int) -> list[CalendarEvent]:
    """Return `count` White entries: the seed's shapes, spread a day apart.

    Shifted on their own clock, so an all-day entry stays at local midnight and a
    PATCH of it passes validation.
    """
    seed = [e for e in load_seed() if e.recurrence is None]
    made = []
    for index in range(count):
        base = seed[index % len(seed)]
        event_id = f"bench-{index:04d}"
        made.append(
            replace(
                base,
                id=event_id,
                uid=uid_for(event_id),
                starts_at=later(base.starts_at, base.timezone, index),
                ends_at=later(base.ends_at, base.timezone, index),
                source="manual",
            )
        )
    return made


def load(url: str, database: str, events: list[CalendarEvent]) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(url)
    try:
        db = client[database]
        # As a running calendar has them: a first start would otherwise build every index
        # over the loaded entries (a minute at 10,000 on SecantusDB), which a restart never does.
        db[EVENTS].create_indexes(list(INDEXES[EVENTS]))
        db[EVENTS].insert_many([to_document(e) for e in events])
        db[FEED_VERSIONS].update_one(
            {"_id": FEED_VERSION_ID},
            {"$inc": {"number": 1}, "$set": {"changed_at": datetime.now(UTC)}},
            upsert=True,
        )
    finally:
        client.close()
