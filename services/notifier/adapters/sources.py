"""Store each event or reminder once, digest items per subscriber, and reminder projections."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateOne

from services.notifier.adapters import names
from services.notifier.adapters.documents import as_utc
from services.notifier.domain.deliveries import DeliveryKind
from services.notifier.domain.display import parse_instant
from services.notifier.domain.reminders import Reminder, ReminderKind
from services.notifier.domain.sources import Source, StoredEvent
from shared.contracts.classification import Classification
from shared.contracts.topics import Topic
from shared.db import Document, Mongo, Session


def _payload_document(payload: StoredEvent | Reminder) -> Document:
    if isinstance(payload, Reminder):
        return {
            "kind": payload.kind.value,
            "key": payload.key,
            "entity_id": payload.entity_id,
            "due_at": payload.due_at.isoformat(),
            "topics": sorted(payload.topics),
            "classification": payload.classification.value,
            "data": dict(payload.data),
        }
    return {
        "type": payload.type,
        "subject": payload.subject,
        "time": payload.time.isoformat(),
        "data": dict(payload.data),
    }


def _reminder(payload: Mapping[str, Any]) -> Reminder:
    return Reminder(
        kind=ReminderKind(payload["kind"]),
        key=payload["key"],
        entity_id=payload["entity_id"],
        due_at=parse_instant(payload["due_at"]),
        topics=frozenset(Topic(t) for t in payload["topics"]),
        classification=Classification(payload["classification"]),
        data=payload["data"],
    )


def _stored_event(payload: Mapping[str, Any]) -> StoredEvent:
    return StoredEvent(
        payload["type"], payload.get("subject"), parse_instant(payload["time"]), payload["data"]
    )


def source_document(source: Source) -> Document:
    """Return the document of a source (`_id` is the source key)."""
    return {
        "_id": source.key,
        "kind": source.kind.value,
        "payload": _payload_document(source.payload),
        "created_at": source.created_at,
    }


def source_from_document(document: Mapping[str, Any]) -> Source:
    """Return the source stored in a document (`_id` is the source key)."""
    kind = DeliveryKind(document["kind"])
    payload = document["payload"]
    if kind is DeliveryKind.REMINDER:
        return Source(str(document["_id"]), _reminder(payload), as_utc(document["created_at"]))
    if kind is DeliveryKind.ALERT:
        return Source(str(document["_id"]), _stored_event(payload), as_utc(document["created_at"]))
    raise ValueError(f"no source is stored for {kind.value} deliveries")


class SourceRepository:
    """`notifier_sources`: the content deliveries render, stored once however many recipients."""

    def __init__(self, mongo: Mongo, cache_size: int = 256) -> None:
        self._sources = mongo.collection(names.SOURCES)
        # Sources never change once written ($setOnInsert), and a fan-out sends the same
        # one to thousands of subscribers: keep the recent ones in memory.
        self._cache: OrderedDict[str, Source] = OrderedDict()
        self._cache_size = cache_size

    async def put(self, source: Source, session: Session) -> None:
        """Store a source unless one with its key exists already (it is the same one)."""
        values = source_document(source)
        key = values.pop("_id")
        await self._sources.update_one(
            {"_id": key}, {"$setOnInsert": values}, upsert=True, session=session
        )

    async def get(self, key: str) -> Source | None:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        document = await self._sources.find_one({"_id": key})
        if document is None:
            return None
        source = source_from_document(document)
        self._cache[key] = source
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return source

    async def many(self, keys: Iterable[str]) -> dict[str, Source]:
        cursor = self._sources.find({"_id": {"$in": sorted(set(keys))}})
        return {str(doc["_id"]): source_from_document(doc) async for doc in cursor}


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

    async def of_subscription(self, subscription_id: str) -> list[Document]:
        """Return every digest item of one subscriber, waiting or sent in a digest."""
        cursor = self._items.find(
            {"subscription_id": subscription_id}, projection={"_id": 0, "subscription_id": 0}
        )
        return [doc async for doc in cursor]

    async def delete_for(self, subscription_id: str, session: Session) -> int:
        result = await self._items.delete_many(
            {"subscription_id": subscription_id}, session=session
        )
        return result.deleted_count


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
