"""Remember which reminders and digest periods the scheduler has already handled."""

from __future__ import annotations

from datetime import datetime

from services.notifier.adapters import names
from shared.db import Mongo, Session


class ScheduleRunRepository:
    """`notifier_schedule_runs`: one document per handled key, expired after 60 days."""

    def __init__(self, mongo: Mongo) -> None:
        self._runs = mongo.collection(names.SCHEDULE_RUNS)

    async def done(self, key: str) -> bool:
        return await self._runs.find_one({"_id": key}, {"_id": 1}) is not None

    async def mark(self, key: str, now: datetime, session: Session | None = None) -> None:
        await self._runs.update_one(
            {"_id": key}, {"$set": {"done_at": now}}, upsert=True, session=session
        )
