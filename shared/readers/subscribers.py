"""Read notifier subscribers for the calendar's private feeds (read-only).

The notifier service owns the `notifier_subscriptions` collection: it alone writes it and
creates its indexes. Other services read it only through this module and never write to
it. Serve a feed only when the subscriber `is_active`; include Green items only when
`verified_party`. A rotated or erased subscription no longer matches, so its old URL stops
working at once.
"""

from __future__ import annotations

from shared.contracts.subscribers import (
    SUBSCRIPTIONS_COLLECTION,
    FeedSubscriber,
    SubscriberStatus,
)
from shared.db import Mongo


async def find_feed_subscriber(mongo: Mongo, token_hash: str) -> FeedSubscriber | None:
    """Return the subscriber whose private feed token hashes to `token_hash`, if any."""
    document = await mongo.collection(SUBSCRIPTIONS_COLLECTION).find_one(
        {"feed_token_hash": token_hash},
        projection={"_id": 1, "topics": 1, "verified_party": 1, "status": 1},
    )
    if document is None:
        return None
    status = document.get("status")
    return FeedSubscriber(
        subscription_id=str(document["_id"]),
        topics=frozenset(str(topic) for topic in document.get("topics", ())),
        verified_party=document.get("verified_party") is True,
        status=status if status in set(SubscriberStatus) else None,
    )
