"""Read deliveries, a document of them per batch, and keep how each one ended (insert-only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from services.notifier.adapters import names
from services.notifier.adapters.batches import deliveries_in
from services.notifier.adapters.documents import as_utc
from services.notifier.domain.deliveries import Delivery, DeliveryOutcome, Ended
from shared.db import Document, Mongo, Session

DUPLICATE_KEY = 11000


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
    """Deliveries, a document of them per batch, and the outcomes in `notifier_sent`.

    A delivery is written once, with its batch (BatchRepository.insert_many), and never
    changed but by an erasure or a resend. Its outcome goes with `insert_many` into a
    collection keyed by the delivery id: on SecantusDB every per-document update costs
    milliseconds, an insert of a few small documents much less.
    """

    def __init__(self, mongo: Mongo) -> None:
        self._groups = mongo.collection(names.DELIVERIES)
        self._ended = mongo.collection(names.SENT)

    async def exists(
        self, source_key: str, subscription_id: str, session: Session | None = None
    ) -> bool:
        """Return whether the subscriber has a delivery of `source_key` (the unique index)."""
        found = await self._groups.find_one(
            {"source_key": source_key, "deliveries.subscription_id": subscription_id},
            {"_id": 1},
            session=session,
        )
        return found is not None

    async def subscribers_of(self, source_key: str) -> set[str]:
        """Return who has a delivery of `source_key` already."""
        cursor = self._groups.find(
            {"source_key": source_key}, projection={"deliveries.subscription_id": 1}
        )
        return {
            str(delivery["subscription_id"])
            async for document in cursor
            for delivery in document["deliveries"]
        }

    async def any_of_source(self, source_key: str) -> bool:
        """Return whether a delivery of `source_key` exists."""
        found = await self._groups.find_one({"source_key": source_key}, {"_id": 1})
        return found is not None

    async def for_source(self, source_key: str) -> list[Delivery]:
        """Return every delivery of one event, reminder or digest."""
        cursor = self._groups.find({"source_key": source_key})
        return [delivery async for document in cursor for delivery in deliveries_in(document)]

    async def take_out(
        self, source_key: str, delivery_ids: Sequence[str], session: Session
    ) -> None:
        """Remove deliveries from their batches, to queue them again in new ones."""
        if delivery_ids:
            ids = list(delivery_ids)
            await self._groups.update_many(
                {"source_key": source_key, "deliveries._id": {"$in": ids}},
                {"$pull": {"deliveries": {"_id": {"$in": ids}}}},
                session=session,
            )

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

    async def _of_subscription(
        self, subscription_id: str, session: Session | None = None
    ) -> list[Delivery]:
        # A batch holds one delivery of its source per subscriber: the first match is it.
        cursor = self._groups.find(
            {"deliveries.subscription_id": subscription_id},
            projection={
                "kind": 1,
                "source_key": 1,
                "deliveries": {"$elemMatch": {"subscription_id": subscription_id}},
            },
            session=session,
        )
        return [delivery async for document in cursor for delivery in deliveries_in(document)]

    async def of_subscription(
        self, subscription_id: str, after: str | None, limit: int
    ) -> list[Delivery]:
        """Return a page of one subscriber's deliveries in id order, after the id `after`."""
        deliveries = sorted(await self._of_subscription(subscription_id), key=lambda d: d.id)
        return [d for d in deliveries if after is None or d.id > after][:limit]

    async def count_of_subscription(self, subscription_id: str) -> int:
        return await self._groups.count_documents({"deliveries.subscription_id": subscription_id})

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
        ids = [d.id for d in await self._of_subscription(subscription_id, session)]
        if not ids:
            return 0
        await self._groups.update_many(
            {"deliveries.subscription_id": subscription_id},
            {"$set": {"deliveries.$[mine].subscription_id": pseudonym}},
            array_filters=[{"mine.subscription_id": subscription_id}],
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
