"""What another service may know of the notifier's subscribers, and how it looks one up.

The notifier owns `notifier_subscriptions`; the calendar reads it (shared/readers) to
serve private feeds. A private feed URL is `/feeds/private/{token}.ics`; the notifier
stores only `feed_token_hash(token)`, under a unique index, so the lookup is one indexed
equality match and the token itself is never stored, compared or logged.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

from shared.contracts.topics import Topic

SUBSCRIPTIONS_COLLECTION: Final = "notifier_subscriptions"


class SubscriberStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class FeedSubscriber(BaseModel):
    """The owner of a private feed token, as the calendar may know them."""

    model_config = ConfigDict(frozen=True)

    subscription_id: str
    topics: frozenset[Topic]  # canonical topics, e.g. "committee:change-board"
    verified_party: bool  # may see Green items
    # Anything the reader does not know (a newer status) serves no feed.
    status: SubscriberStatus | None

    @property
    def is_active(self) -> bool:
        return self.status is SubscriberStatus.CONFIRMED


def feed_token_hash(token: str) -> str:
    """Return the stored, indexed lookup key of a private feed token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
