"""Fan-outs in progress: which stored event still has followers to queue, and who queues them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from pymongo import ASCENDING

from services.notifier.adapters import names
from shared.db import Mongo, Session

# The lease of a fan-out nobody has claimed yet: lapsed whatever the claimant's clock says.
UNCLAIMED: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Fanout:
    """One open fan-out: its source's key and how many pages of it are queued."""

    key: str
    pages: int


class FanoutRepository:
    """The `notifier_fanouts` collection: one document per event whose followers are queued
    page by page (`pages` counts them), deleted once the last page is queued.

    Claims are a find on the (held_until) index then an `update_one` by `_id` with the
    value just read, as the batches' are: `find_one_and_update` scans on SecantusDB.
    """

    def __init__(self, mongo: Mongo) -> None:
        self._fanouts = mongo.collection(names.FANOUTS)

    async def open(self, key: str, now: datetime, session: Session) -> None:
        """Start the fan-out of source `key`; free to claim at once. Opening twice is one."""
        await self._fanouts.update_one(
            {"_id": key},
            {
                "$setOnInsert": {
                    "pages": 0,
                    "held_until": UNCLAIMED,
                    "holder": None,
                    "opened_at": now,
                }
            },
            upsert=True,
            session=session,
        )

    async def release(self, holder: str) -> None:
        """Free the fan-outs `holder` holds (a job starting again after a failure)."""
        await self._fanouts.update_many(
            {"holder": holder}, {"$set": {"holder": None, "held_until": UNCLAIMED}}
        )

    async def claim(self, holder: str, now: datetime, until: datetime) -> Fanout | None:
        """Take the oldest fan-out nobody holds (or whose holder's lease lapsed), if any."""
        cursor = (
            self._fanouts.find({"held_until": {"$lte": now}}).sort("held_until", ASCENDING).limit(5)
        )
        async for document in cursor:
            seen = document["held_until"]
            taken = await self._fanouts.update_one(
                {"_id": document["_id"], "held_until": seen},
                {"$set": {"holder": holder, "held_until": until}},
            )
            if taken.modified_count == 1:
                return Fanout(str(document["_id"]), int(document["pages"]))
        return None

    async def advance(
        self, fanout: Fanout, holder: str, until: datetime, session: Session
    ) -> Fanout | None:
        """Count a queued page and renew the lease, in the page's transaction.

        Return None when the fan-out is no longer this holder's as it knew it (taken over
        after a lapsed lease): the caller aborts the page, whose deliveries the new holder
        queues.
        """
        moved = await self._fanouts.update_one(
            {"_id": fanout.key, "holder": holder, "pages": fanout.pages},
            {"$set": {"pages": fanout.pages + 1, "held_until": until}},
            session=session,
        )
        return Fanout(fanout.key, fanout.pages + 1) if moved.matched_count == 1 else None

    async def finish(self, fanout: Fanout, holder: str, session: Session) -> None:
        """Delete a fan-out whose last page is queued, if this holder still holds it there."""
        await self._fanouts.delete_one(
            {"_id": fanout.key, "holder": holder, "pages": fanout.pages}, session=session
        )
