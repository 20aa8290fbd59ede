"""Count requests per (kind, key, window) in MongoDB so every API replica shares the limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifier.adapters import names
from shared.db import Mongo


@dataclass(frozen=True)
class Limit:
    """At most `count` requests of one kind and key in each fixed window."""

    kind: str
    count: int
    window: timedelta


class RateLimiter:
    """Fixed-window counters in `notifier_rate_limits`; a TTL index removes old windows."""

    def __init__(self, mongo: Mongo) -> None:
        self._counters = mongo.collection(names.RATE_LIMITS)

    async def hit(self, limit: Limit, key: str, now: datetime) -> int | None:
        """Count one request; return the seconds until the window ends when over the limit."""
        seconds = int(limit.window.total_seconds())
        window = int(now.timestamp()) // seconds
        window_end = datetime.fromtimestamp((window + 1) * seconds, now.tzinfo)
        key_id = f"{limit.kind}:{key}:{window}"
        # update_one + find_one: SecantusDB answers find_one_and_update with a scan.
        await self._counters.update_one(
            {"_id": key_id},
            {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": window_end}},
            upsert=True,
        )
        document = await self._counters.find_one({"_id": key_id})
        assert document is not None  # just upserted
        if int(document["count"]) > limit.count:
            return max(1, int((window_end - now).total_seconds()))
        return None
