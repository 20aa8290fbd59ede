"""Store deliveries (one email each) and the insert-only record of how each one ended."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from services.notifier.adapters import names
from shared.db import Document, Mongo, Session

DUPLICATE_KEY = 11000


class DeliveryKind(StrEnum):
    """What a delivery renders: the source key means something different for each."""

    ALERT = "alert"  # source key = CloudEvent id, source stored in notifier_sources
    REMINDER = "reminder"  # source key = reminder key, source stored in notifier_sources
    DIGEST = "digest"  # source key = digest key, payload = period
    CONFIRMATION = "confirmation"  # source key = confirm:<version>, payload = nonce


class Outcome(StrEnum):
    """How a delivery ended; a delivery without an outcome has not been sent yet."""

    SENT = "sent"
    FAILED = "failed"  # permanent (5xx, or out of attempts)
    SKIPPED = "skipped"  # nothing to send any more: unsubscribed, suppressed, superseded


@dataclass(frozen=True)
class Ended:
    """One row of `notifier_sent`: a delivery's outcome, written once."""

    delivery_id: str
    outcome: Outcome
    at: datetime
    message_id: str | None = None
    error: str | None = None

    def document(self) -> Document:
        return {
            "_id": self.delivery_id,
            "outcome": self.outcome.value,
            "at": self.at,
            "message_id": self.message_id,
            "error": self.error[:500] if self.error else None,
        }


def new_delivery(
    kind: DeliveryKind,
    source_key: str,
    subscription_id: str,
    now: datetime,
    payload: Mapping[str, Any] | None = None,
) -> Document:
    """Return the document of a delivery; its batch says when it is sent."""
    return {
        "_id": uuid.uuid4().hex,
        "kind": kind.value,
        "source_key": source_key,
        "subscription_id": subscription_id,
        "payload": dict(payload) if payload is not None else None,
        "created_at": now,
    }


class DeliveryRepository:
    """The `notifier_deliveries` collection and the `notifier_sent` outcomes.

    Deliveries are never updated: on SecantusDB every per-document write costs
    milliseconds, so the worker reads them in bulk (`_id $in`) and records outcomes
    with `insert_many` into a collection keyed by the delivery id.
    """

    def __init__(self, mongo: Mongo) -> None:
        self._deliveries = mongo.collection(names.DELIVERIES)
        self._ended = mongo.collection(names.SENT)

    async def insert_many(self, documents: Sequence[Document], session: Session) -> None:
        """Insert new deliveries; the unique index refuses a second (source, subscriber)."""
        if documents:
            await self._deliveries.insert_many(list(documents), ordered=False, session=session)

    async def insert_missing(self, documents: Sequence[Document], session: Session) -> list[str]:
        """Insert the deliveries whose (source, subscriber) is new; return their ids."""
        if not documents:
            return []
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

    async def many(self, delivery_ids: Sequence[str]) -> list[Document]:
        """Return the deliveries among `delivery_ids` that still exist (erasure deletes)."""
        if not delivery_ids:
            return []
        cursor = self._deliveries.find({"_id": {"$in": list(delivery_ids)}})
        return [doc async for doc in cursor]

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
            await self._ended.insert_many([o.document() for o in outcomes], ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != DUPLICATE_KEY for error in errors) or not errors:
                raise
