"""Read notifier subscribers for the calendar's private feeds (read-only).

The notifier service owns the `notifier_subscriptions` collection: it alone writes
it and creates its indexes, including the unique index on `feed_token_hash` that
makes this lookup an indexed equality match. Other services read it only through
this module and never write to it.

A private feed URL is `/feeds/private/{token}.ics`. The calendar hashes the token
with `feed_token_hash` (SHA-256 hex; no secret needed) and calls
`find_feed_subscriber`. Serve the feed only when `status == "confirmed"`; include
Green items only when `verified_party` is true. A rotated or erased subscription
no longer matches, so its old URL stops working at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from shared.db import Mongo

SUBSCRIPTIONS_COLLECTION: Final = "notifier_subscriptions"
CONFIRMED: Final = "confirmed"


@dataclass(frozen=True, slots=True)
class FeedSubscriber:
    """What the calendar may know about the owner of a private feed token."""

    subscription_id: str
    topics: frozenset[str]  # canonical notifier topics, e.g. "committee:change-board"
    verified_party: bool  # may see Green items
    status: str  # "pending" | "confirmed" | "unsubscribed"

    @property
    def is_active(self) -> bool:
        return self.status == CONFIRMED


def feed_token_hash(token: str) -> str:
    """Return the stored lookup key of a private feed token (the same as the notifier's)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def find_feed_subscriber(mongo: Mongo, token_hash: str) -> FeedSubscriber | None:
    """Return the subscriber whose private feed token hashes to `token_hash`, if any."""
    document = await mongo.collection(SUBSCRIPTIONS_COLLECTION).find_one(
        {"feed_token_hash": token_hash},
        projection={"_id": 1, "topics": 1, "verified_party": 1, "status": 1},
    )
    if document is None:
        return None
    return FeedSubscriber(
        subscription_id=str(document["_id"]),
        topics=frozenset(str(topic) for topic in document.get("topics", ())),
        verified_party=bool(document.get("verified_party", False)),
        status=str(document.get("status", "")),
    )
