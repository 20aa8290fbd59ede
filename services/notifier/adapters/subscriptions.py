"""Store subscriptions and suppressions; every query is an equality or range on an index."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from services.notifier.adapters import names
from services.notifier.adapters.documents import (
    as_utc,
    from_document,
    suppression_document,
    to_document,
)
from services.notifier.domain.subscriptions import (
    DigestFrequency,
    Subscription,
    SubscriptionStatus,
    Suppression,
)
from shared.contracts.topics import Topic
from shared.db import Mongo, Session, find_by_ids

# Followers read a round trip at a time while a fan-out reads who gets its source.
FOLLOWERS_BATCH = 1_000
# Hard (5xx) failures after which an address is suppressed for good.
HARD_FAILURES_BEFORE_SUPPRESSION = 3


class ConcurrentUpdate(RuntimeError):
    """The subscription changed between read and write; the transaction retries."""


class SubscriptionRepository:
    """The `notifier_subscriptions` collection and its companions (suppressions, bounces)."""

    def __init__(self, mongo: Mongo) -> None:
        self._subscriptions = mongo.collection(names.SUBSCRIPTIONS)
        self._suppressions = mongo.collection(names.SUPPRESSIONS)
        self._bounces = mongo.collection(names.BOUNCES)

    async def get(
        self, subscription_id: str, session: Session | None = None
    ) -> Subscription | None:
        document = await self._subscriptions.find_one({"_id": subscription_id}, session=session)
        return None if document is None else from_document(document)

    async def many(self, subscription_ids: Iterable[str]) -> dict[str, Subscription]:
        """Return the subscriptions among `subscription_ids` that exist, by id (`find_by_ids`)."""
        cursor = find_by_ids(self._subscriptions, subscription_ids)
        return {str(doc["_id"]): from_document(doc) async for doc in cursor}

    async def by_email_hash(
        self, email_hash: str, session: Session | None = None
    ) -> Subscription | None:
        document = await self._subscriptions.find_one({"email_hash": email_hash}, session=session)
        return None if document is None else from_document(document)

    async def insert(self, subscription: Subscription, session: Session) -> None:
        await self._subscriptions.insert_one(to_document(subscription), session=session)

    async def replace(
        self, previous: Subscription, updated: Subscription, session: Session
    ) -> None:
        """Write `updated` only if the stored version is still `previous.version`."""
        result = await self._subscriptions.replace_one(
            {"_id": previous.id, "version": previous.version},
            to_document(updated),
            session=session,
        )
        if result.matched_count != 1:
            raise ConcurrentUpdate(f"subscription {previous.id} changed meanwhile")

    async def delete(self, subscription_id: str, session: Session) -> None:
        await self._subscriptions.delete_one({"_id": subscription_id}, session=session)

    async def set_verified_party(self, subscription_id: str, verified: bool) -> bool:
        result = await self._subscriptions.update_one(
            {"_id": subscription_id},
            {"$set": {"verified_party": verified}, "$inc": {"version": 1}},
        )
        return result.matched_count == 1

    async def following(self, topics: Iterable[Topic]) -> AsyncIterator[Subscription]:
        """Yield, in no order, the confirmed subscribers of any of `topics`.

        One query for them all: reading them again by id a page at a time cost the
        database as much again, in a hundred queries a thousand followers.
        """
        cursor = self._subscriptions.find(
            {"topics": {"$in": sorted(topics)}, "status": SubscriptionStatus.CONFIRMED.value},
            # The driver's own batches hold 16 MB of documents: 60 MB more at 20,000.
            batch_size=FOLLOWERS_BATCH,
        )
        async for document in cursor:
            yield from_document(document)

    async def confirmed_with_digest(
        self, frequency: DigestFrequency
    ) -> AsyncIterator[Subscription]:
        cursor = self._subscriptions.find(
            {"digest": frequency.value, "status": SubscriptionStatus.CONFIRMED.value}
        )
        async for document in cursor:
            yield from_document(document)

    async def delete_expired_pending(self, now: datetime) -> int:
        """Remove unconfirmed subscriptions past their 7 days; return how many."""
        result = await self._subscriptions.delete_many(
            {"status": SubscriptionStatus.PENDING.value, "expires_at": {"$lt": now}}
        )
        return result.deleted_count

    async def is_suppressed(self, email_hash: str, session: Session | None = None) -> bool:
        found = await self._suppressions.find_one({"_id": email_hash}, session=session)
        return found is not None

    async def suppression_reason(
        self, email_hash: str, session: Session | None = None
    ) -> str | None:
        found = await self._suppressions.find_one({"_id": email_hash}, session=session)
        return None if found is None else str(found["reason"])

    async def suppression(self, email_hash: str) -> Suppression | None:
        found = await self._suppressions.find_one({"_id": email_hash})
        if found is None:
            return None
        return Suppression(email_hash, str(found["reason"]), as_utc(found["suppressed_at"]))

    async def suppression_reasons(self, email_hashes: Iterable[str]) -> dict[str, str]:
        """Return the reason each suppressed address among `email_hashes` is suppressed."""
        cursor = self._suppressions.find({"_id": {"$in": sorted(set(email_hashes))}})
        return {str(doc["_id"]): str(doc["reason"]) async for doc in cursor}

    async def suppress(self, suppression: Suppression, session: Session | None = None) -> None:
        document = suppression_document(suppression)
        await self._suppressions.replace_one(
            {"_id": document["_id"]}, document, upsert=True, session=session
        )

    async def lift_suppression(self, email_hash: str, reason: str, session: Session) -> None:
        """Remove a suppression of `reason` (an erased person who confirmed anew)."""
        await self._suppressions.delete_one({"_id": email_hash, "reason": reason}, session=session)

    async def record_hard_failure(self, email_hash: str, now: datetime) -> bool:
        """Count a permanent failure; return True once the address should be suppressed."""
        await self._bounces.update_one(
            {"_id": email_hash}, {"$inc": {"count": 1}, "$set": {"last_at": now}}, upsert=True
        )
        document = await self._bounces.find_one({"_id": email_hash})
        assert document is not None  # just upserted
        return int(document["count"]) >= HARD_FAILURES_BEFORE_SUPPRESSION

    async def hard_failures(self, email_hash: str) -> int:
        """Return how many permanent failures the address has had."""
        document = await self._bounces.find_one({"_id": email_hash})
        return 0 if document is None else int(document["count"])

    async def forget_hard_failures(self, email_hash: str, session: Session) -> None:
        await self._bounces.delete_one({"_id": email_hash}, session=session)
