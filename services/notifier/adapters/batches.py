"""Batches of deliveries: the unit a sending worker claims, sends and closes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Final

from services.notifier.adapters import names
from shared.db import Document, Mongo, Session

# Enough to amortise a claim and a few `_id $in` reads; small enough that a batch is
# sent in a few seconds, well within a claim's lifetime.
BATCH_SIZE: Final = 100


class BatchState(StrEnum):
    OPEN = "open"
    DONE = "done"


def new_batches(
    kind: str, delivery_ids: Sequence[str], now: datetime, due_at: datetime
) -> list[Document]:
    """Split `delivery_ids` into open batches; the sweeper requeues one still open at `due_at`."""
    return [
        {
            "_id": uuid.uuid4().hex,
            "kind": kind,
            "delivery_ids": list(delivery_ids[start : start + BATCH_SIZE]),
            "state": BatchState.OPEN.value,
            "attempts": 0,
            "created_at": now,
            # Unclaimed: any worker may take it from now on.
            "claimed_until": now,
            "next_attempt_at": due_at,
            "last_error": None,
            "done_at": None,
        }
        for start in range(0, len(delivery_ids), BATCH_SIZE)
    ]


class BatchRepository:
    """The `notifier_batches` collection.

    Every write is an `update_one` by `_id` with equality or range conditions beside it,
    which SecantusDB serves from the `_id` index (~4-6 ms at 10,000 batches); `$or`,
    `$in` beside `_id` and `find_one_and_update` scan the collection there.
    """

    def __init__(self, mongo: Mongo) -> None:
        self._batches = mongo.collection(names.BATCHES)

    async def insert_many(self, documents: Sequence[Document], session: Session) -> None:
        if documents:
            await self._batches.insert_many(list(documents), session=session)

    async def claim(self, batch_id: str, now: datetime, until: datetime) -> Document | None:
        """Take an open batch nobody holds (or whose holder's claim lapsed) until `until`."""
        result = await self._batches.update_one(
            {"_id": batch_id, "state": BatchState.OPEN.value, "claimed_until": {"$lte": now}},
            # A claim that lapses makes the batch due for the sweeper at the same moment.
            {"$set": {"claimed_until": until, "next_attempt_at": until}, "$inc": {"attempts": 1}},
        )
        if result.modified_count == 0:
            return None
        # Ours now: nobody else moves a live claim, so reading it back is safe.
        return await self._batches.find_one({"_id": batch_id})

    async def release(
        self, batch_id: str, held_until: datetime, now: datetime, error: str, retry_at: datetime
    ) -> None:
        """Give a batch back after a temporary failure; the sweeper retries it at `retry_at`."""
        await self._batches.update_one(
            {"_id": batch_id, "claimed_until": held_until},
            {
                "$set": {
                    "claimed_until": now,
                    "next_attempt_at": retry_at,
                    "last_error": error[:500],
                }
            },
        )

    async def close(self, batch_id: str, held_until: datetime, now: datetime) -> None:
        """Mark a batch done, if this worker still holds it (else its new holder will)."""
        await self._batches.update_one(
            {"_id": batch_id, "claimed_until": held_until},
            {"$set": {"state": BatchState.DONE.value, "done_at": now}},
        )

    async def due(self, now: datetime) -> list[Document]:
        """Return open batches no queued job is likely to pick up any more (for the sweeper)."""
        cursor = self._batches.find(
            {"state": BatchState.OPEN.value, "next_attempt_at": {"$lt": now}},
            projection={"_id": 1, "kind": 1},
        ).limit(1000)
        return [doc async for doc in cursor]
