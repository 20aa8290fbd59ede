"""Store deliveries (one email each) and the insert-only record of how each one ended."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.errors import BulkWriteError

from services.notifier.adapters import names
from services.notifier.adapters.documents import as_utc
from services.notifier.domain.deliveries import (
    ConfirmationRequest,
    Delivery,
    DeliveryKind,
    DeliveryOutcome,
    DeliveryPayload,
    DigestPeriod,
    Ended,
)
from services.notifier.domain.display import parse_instant
from shared.db import Document, Mongo, Session, find_by_ids

DUPLICATE_KEY = 11000


def _payload_document(payload: DeliveryPayload) -> Document | None:
    match payload:
        case ConfirmationRequest(nonce=nonce, version=version):
            return {"nonce": nonce, "version": version}
        case DigestPeriod(start=start, end=end):
            return {"period_start": start.isoformat(), "period_end": end.isoformat()}
    return None


def _payload(kind: DeliveryKind, document: Mapping[str, Any] | None) -> DeliveryPayload:
    if kind in (DeliveryKind.ALERT, DeliveryKind.REMINDER):
        return None
    if document is None:
        raise ValueError(f"a {kind.value} delivery without its payload")
    if kind is DeliveryKind.CONFIRMATION:
        return ConfirmationRequest(str(document["nonce"]), int(document["version"]))
    return DigestPeriod(
        parse_instant(document["period_start"]), parse_instant(document["period_end"])
    )


def delivery_document(delivery: Delivery) -> Document:
    """Return the document of a delivery (`_id` is the delivery id)."""
    return {
        "_id": delivery.id,
        "kind": delivery.kind.value,
        "source_key": delivery.source_key,
        "subscription_id": delivery.subscription_id,
        "payload": _payload_document(delivery.payload),
        "created_at": delivery.created_at,
    }


def delivery_from_document(document: Mapping[str, Any]) -> Delivery:
    """Return the delivery stored in a document."""
    kind = DeliveryKind(document["kind"])
    return Delivery(
        id=str(document["_id"]),
        kind=kind,
        source_key=str(document["source_key"]),
        subscription_id=str(document["subscription_id"]),
        payload=_payload(kind, document.get("payload")),
        created_at=as_utc(document["created_at"]),
    )


def ended_document(ended: Ended) -> Document:
    """Return the `notifier_sent` row of an outcome (`_id` is the delivery id)."""
    return {
        "_id": ended.delivery_id,
        "outcome": ended.outcome.value,
        "at": ended.at,
        "message_id": ended.message_id,
        "error": ended.error[:500] if ended.error else None,
    }


def ended_from_document(document: Mapping[str, Any]) -> Ended:
    """Return the outcome stored in a `notifier_sent` row."""
    return Ended(
        delivery_id=str(document["_id"]),
        outcome=DeliveryOutcome(document["outcome"]),
        at=as_utc(document["at"]),
        message_id=document.get("message_id"),
        error=document.get("error"),
    )


class DeliveryRepository:
    """The `notifier_deliveries` collection and the `notifier_sent` outcomes.

    Deliveries are never updated: on SecantusDB every per-document write costs
    milliseconds, so the worker reads them in bulk (`_id $in`) and records outcomes
    with `insert_many` into a collection keyed by the delivery id.
    """

    def __init__(self, mongo: Mongo) -> None:
        self._deliveries = mongo.collection(names.DELIVERIES)
        self._ended = mongo.collection(names.SENT)

    async def insert_missing(self, deliveries: Sequence[Delivery], session: Session) -> list[str]:
        """Insert the deliveries whose (source, subscriber) is new; return their ids."""
        if not deliveries:
            return []
        documents = [delivery_document(d) for d in deliveries]
        operations = [
            UpdateOne(
                {"source_key": doc["source_key"], "subscription_id": doc["subscription_id"]},
                {
                    "$setOnInsert": {
                        k: v for k, v in doc.items() if k not in ("source_key", "subscription_id")
                    }
                },
                upsert=True,
            )
            for doc in documents
        ]
        result = await self._deliveries.bulk_write(operations, ordered=True, session=session)
        return [str(value) for value in (result.upserted_ids or {}).values()]

    async def insert_many(self, deliveries: Sequence[Delivery], session: Session) -> None:
        """Insert new deliveries; the unique index refuses a second (source, subscriber)."""
        if deliveries:
            await self._deliveries.insert_many(
                [delivery_document(d) for d in deliveries], session=session
            )

    async def queued_subscribers(
        self, source_key: str, subscription_ids: Sequence[str]
    ) -> set[str]:
        """Return which of `subscription_ids` have a delivery of `source_key` already."""
        cursor = find_by_ids(
            self._deliveries,
            subscription_ids,
            field="subscription_id",
            also={"source_key": source_key},
            projection={"subscription_id": 1},
        )
        return {str(document["subscription_id"]) async for document in cursor}

    async def any_of_source(self, source_key: str) -> bool:
        """Return whether a delivery of `source_key` exists (the unique index's prefix)."""
        found = await self._deliveries.find_one({"source_key": source_key}, {"_id": 1})
        return found is not None

    async def many(self, delivery_ids: Sequence[str]) -> list[Delivery]:
        """Return the deliveries among `delivery_ids` that still exist (erasure deletes)."""
        cursor = find_by_ids(self._deliveries, delivery_ids)
        return [delivery_from_document(doc) async for doc in cursor]

    async def ended(self, delivery_ids: Sequence[str]) -> set[str]:
        """Return which of `delivery_ids` already have an outcome (sent, failed or skipped)."""
        if not delivery_ids:
            return set()
        cursor = self._ended.find({"_id": {"$in": list(delivery_ids)}}, projection={"_id": 1})
        return {str(doc["_id"]) async for doc in cursor}

    async def record(self, outcomes: Sequence[Ended]) -> None:
        """Insert outcomes; one already recorded (a re-sent delivery) is kept as it was."""
        if not outcomes:
            return
        try:
            await self._ended.insert_many([ended_document(o) for o in outcomes], ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != DUPLICATE_KEY for error in errors) or not errors:
                raise

    async def for_source(self, source_key: str) -> list[Delivery]:
        """Return every delivery of one event, reminder or digest (the unique index's prefix)."""
        cursor = self._deliveries.find({"source_key": source_key})
        return [delivery_from_document(doc) async for doc in cursor]

    async def outcomes(self, delivery_ids: Sequence[str]) -> dict[str, Ended]:
        """Return the outcomes recorded for `delivery_ids`, by delivery id."""
        if not delivery_ids:
            return {}
        cursor = self._ended.find({"_id": {"$in": list(delivery_ids)}})
        return {str(doc["_id"]): ended_from_document(doc) async for doc in cursor}

    async def forget_failures(self, delivery_ids: Sequence[str], session: Session) -> list[str]:
        """Remove the `failed` outcome of each of `delivery_ids`; return whose was removed.

        One conditional delete each: of two operators resending at once, only one removes
        a given failure, so each delivery is queued again once.
        """
        forgotten = []
        for delivery_id in delivery_ids:
            result = await self._ended.delete_one(
                {"_id": delivery_id, "outcome": DeliveryOutcome.FAILED.value}, session=session
            )
            if result.deleted_count == 1:
                forgotten.append(delivery_id)
        return forgotten

    async def of_subscription(
        self, subscription_id: str, after: str | None, limit: int
    ) -> list[Delivery]:
        """Return a page of one subscriber's deliveries in id order, after the id `after`."""
        query: dict[str, Any] = {"subscription_id": subscription_id}
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self._deliveries.find(query).sort("_id", ASCENDING).limit(limit)
        return [delivery_from_document(doc) async for doc in cursor]

    async def count_of_subscription(self, subscription_id: str) -> int:
        return await self._deliveries.count_documents({"subscription_id": subscription_id})

    async def pseudonymise(
        self,
        subscription_id: str,
        pseudonym: str,
        redact: Callable[[str], str],
        session: Session,
    ) -> int:
        """Move a subscriber's deliveries to `pseudonym` and strip their outcomes of identity.

        The outcomes lose their Message-ID (it holds the old subscription id, as the mail
        in the person's mailbox does) and their error text passes through `redact`.
        Return how many deliveries there were.
        """
        cursor = self._deliveries.find(
            {"subscription_id": subscription_id}, projection={"_id": 1}, session=session
        )
        ids = [str(doc["_id"]) async for doc in cursor]
        if not ids:
            return 0
        await self._deliveries.update_many(
            {"subscription_id": subscription_id},
            {"$set": {"subscription_id": pseudonym}},
            session=session,
        )
        ended = self._ended.find({"_id": {"$in": ids}}, session=session)
        updates = [
            UpdateOne(
                {"_id": doc["_id"]},
                {"$set": {"message_id": None, "error": redact(doc["error"] or "") or None}},
            )
            async for doc in ended
        ]
        if updates:
            await self._ended.bulk_write(updates, ordered=False, session=session)
        return len(ids)
