"""`notifier_marks`: the latest classification of every subject the notifier has heard of."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from services.notifier.adapters import names
from shared.contracts.classification import Classification, fail_closed
from shared.db import Mongo, Session


class MarkRepository:
    """Remember each subject's mark, so that mail derived before a reclassification is held.

    An alert queued, a digest line collected or a reminder scheduled while a consultation
    was White is not sent once it has turned Red: the sender asks for the current marks.
    """

    def __init__(self, mongo: Mongo) -> None:
        self._marks = mongo.collection(names.MARKS)

    async def record(
        self, marks: Mapping[str, Classification], seen_at: datetime, session: Session
    ) -> None:
        """Keep `marks` unless a later event already set one (events may arrive out of order)."""
        if not marks:
            return
        known = {
            str(doc["_id"]): doc["seen_at"]
            async for doc in self._marks.find({"_id": {"$in": sorted(marks)}}, session=session)
        }
        for key, mark in marks.items():
            if key in known and known[key] > seen_at:
                continue
            await self._marks.replace_one(
                {"_id": key},
                {"classification": mark.value, "seen_at": seen_at},
                upsert=True,
                session=session,
            )

    async def current(self, keys: Iterable[str]) -> dict[str, Classification]:
        """Return the latest known mark of each of `keys` that the notifier has heard of."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        cursor = self._marks.find({"_id": {"$in": wanted}})
        return {str(doc["_id"]): fail_closed(doc.get("classification")) async for doc in cursor}
