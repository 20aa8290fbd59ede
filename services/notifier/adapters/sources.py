"""Store each event or reminder once, digest items per subscriber, and reminder projections."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateOne

from services.notifier.adapters import names
from services.notifier.domain.digests import DigestItem
from services.notifier.domain.display import parse_instant
from shared.db import Document, Mongo, Session


class SourceRepository:
    """`notifier_sources`: the content deliveries render, stored once however many recipients."""

    def __init__(self, mongo: Mongo, cache_size: int = 256) -> None:
        self._sources = mongo.collection(names.SOURCES)
        # Sources never change once written ($setOnInsert), and a fan-out sends the same
        # one to thousands of subscribers: keep the recent ones in memory.
        self._cache: OrderedDict[str, Document] = OrderedDict()
        self._cache_size = cache_size

    async def put(
        self, key: str, kind: str, payload: Mapping[str, Any], now: datetime, session: Session
    ) -> None:
        await self._sources.update_one(
            {"_id": key},
            {"$setOnInsert": {"kind": kind, "payload": dict(payload), "created_at": now}},
            upsert=True,
            session=session,
        )

    async def get(self, key: str) -> Document | None:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        document = await self._sources.find_one({"_id": key})
        if document is not None:
            self._cache[key] = document
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return document

    async def many(self, keys: Iterable[str]) -> dict[str, Document]:
        cursor = self._sources.find({"_id": {"$in": sorted(set(keys))}})
        return {str(doc["_id"]): doc async for doc in cursor}


class DigestItemRepository:
    """`notifier_digest_items`: which events wait for which subscriber's next digest."""

    def __init__(self, mongo: Mongo) -> None:
        self._items = mongo.collection(names.DIGEST_ITEMS)

    async def add(
        self,
        subscription_ids: Sequence[str],
        item_key: str,
        occurred_at: datetime,
        session: Session,
    ) -> None:
        if not subscription_ids:
            return
        await self._items.bulk_write(
            [
                UpdateOne(
                    {"subscription_id": subscription_id, "item_key": item_key},
                    {"$setOnInsert": {"occurred_at": occurred_at, "consumed_by": None}},
                    upsert=True,
                )
                for subscription_id in subscription_ids
            ],
            session=session,
        )

    async def keys(self, subscription_id: str, consumed_by: str | None) -> list[str]:
        """Return the item keys of one subscriber, unconsumed (None) or of one digest."""
        cursor = self._items.find(
            {"subscription_id": subscription_id, "consumed_by": consumed_by},
            projection={"item_key": 1},
        )
        return [str(doc["item_key"]) async for doc in cursor]

    async def consume(
        self, subscription_id: str, item_keys: Iterable[str], digest_key: str, session: Session
    ) -> None:
        await self._items.update_many(
            {
                "subscription_id": subscription_id,
                "consumed_by": None,
                "item_key": {"$in": sorted(item_keys)},
            },
            {"$set": {"consumed_by": digest_key}},
            session=session,
        )


def items_from_sources(sources: Iterable[Document]) -> list[DigestItem]:
    """Return the digest items of stored alert sources (CloudEvent id, type, data, time)."""
    items = []
    for source in sources:
        payload = source["payload"]
        items.append(
            DigestItem(
                str(source["_id"]), payload["type"], payload["data"], parse_instant(payload["time"])
            )
        )
    return items


class ProjectionRepository:
    """`notifier_consultations` and `notifier_meetings`: what the reminders look at."""

    def __init__(self, mongo: Mongo) -> None:
        self._consultations = mongo.collection(names.CONSULTATIONS)
        self._meetings = mongo.collection(names.MEETINGS)

    async def keep_consultation(
        self, consultation: Mapping[str, Any], status: str, seen_at: datetime, session: Session
    ) -> None:
        await self._keep(
            self._consultations,
            str(consultation["id"]),
            {
                "consultation": dict(consultation),
                "status": status,
                "closes_at": parse_instant(consultation["closes_at"]),
            },
            seen_at,
            session,
        )

    async def keep_meeting(
        self, event: Mapping[str, Any], seen_at: datetime, session: Session
    ) -> None:
        await self._keep(
            self._meetings,
            str(event["id"]),
            {
                "event": dict(event),
                "status": str(event.get("status") or "confirmed"),
                "starts_at": parse_instant(event["starts_at"]),
            },
            seen_at,
            session,
        )

    @staticmethod
    async def _keep(
        collection: Any, key: str, values: dict[str, Any], seen_at: datetime, session: Session
    ) -> None:
        # Events may arrive out of order: an older state never overwrites a newer one.
        current = await collection.find_one({"_id": key}, {"seen_at": 1}, session=session)
        if current is not None and parse_instant(current["seen_at"]) > seen_at:
            return
        await collection.replace_one(
            {"_id": key}, {**values, "seen_at": seen_at}, upsert=True, session=session
        )

    async def open_consultations(self, closing_until: datetime, now: datetime) -> list[Document]:
        cursor = self._consultations.find(
            {"status": "open", "closes_at": {"$gt": now, "$lte": closing_until}}
        )
        return [doc["consultation"] async for doc in cursor]

    async def meetings(self, starting_until: datetime, now: datetime) -> list[Document]:
        cursor = self._meetings.find(
            {
                "status": {"$in": ["confirmed", "tentative"]},
                "starts_at": {"$gt": now, "$lte": starting_until},
            }
        )
        return [doc["event"] async for doc in cursor]
