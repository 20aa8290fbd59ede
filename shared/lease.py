"""Hold a named lease in MongoDB so that one process at a time does a singleton job."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError

from shared.db import Collection


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """A lease that its holder renews; another process takes it once it has expired."""

    def __init__(self, collection: Collection, name: str, holder: str, ttl: timedelta) -> None:
        self._collection = collection
        self._name = name
        self._holder = holder
        self.ttl = ttl

    async def acquire(self, now: datetime | None = None) -> bool:
        """Take or renew the lease; return whether this process holds it now."""
        now = now or datetime.now(UTC)
        expires_at = now + self.ttl
        try:
            await self._collection.update_one(
                {
                    "_id": self._name,
                    "$or": [{"holder": self._holder}, {"expires_at": {"$lt": now}}],
                },
                {"$set": {"holder": self._holder, "expires_at": expires_at, "renewed_at": now}},
                upsert=True,
            )
        except DuplicateKeyError:
            # The lease exists, is held by someone else and has not expired.
            return False
        return True

    async def release(self) -> None:
        await self._collection.delete_one({"_id": self._name, "holder": self._holder})
