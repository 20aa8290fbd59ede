"""Convert subscriptions and suppressions to and from MongoDB documents (pure, BSON-ready)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.notifier.domain.addresses import EmailAddress
from services.notifier.domain.subscriptions import (
    DigestFrequency,
    PartyCategory,
    PendingChange,
    Subscription,
    SubscriptionStatus,
    Suppression,
)
from shared.contracts.topics import Topic

# Indexes the repository must create (collection notifier_subscriptions):
#   {"email_hash": 1} unique        - one subscription per person, merge on re-subscribe
#   {"feed_token_hash": 1} unique   - the calendar's private-feed lookup (equality)
#   {"topics": 1, "status": 1}      - fan-out: confirmed subscribers of an event's topics
#   {"status": 1, "expires_at": 1}  - purge of unconfirmed subscriptions after 7 days
SUBSCRIPTION_INDEXES: tuple[tuple[tuple[tuple[str, int], ...], bool], ...] = (
    ((("email_hash", 1),), True),
    ((("feed_token_hash", 1),), True),
    ((("topics", 1), ("status", 1)), False),
    ((("status", 1), ("expires_at", 1)), False),
)


def as_utc(value: object) -> datetime:
    """Return a stored datetime as an aware UTC one."""
    # PyMongo returns naive UTC datetimes unless the client is tz_aware.
    if not isinstance(value, datetime):
        raise ValueError(f"expected a datetime, got {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def optional_utc(value: object) -> datetime | None:
    """Return a stored datetime or None as an aware UTC datetime or None."""
    return None if value is None else as_utc(value)


def _change_document(change: PendingChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "topics": sorted(change.topics),
        "digest": change.digest.value,
        "party_category": change.party_category.value,
        "requested_at": change.requested_at,
    }


def to_document(subscription: Subscription) -> dict[str, Any]:
    """Return the MongoDB document of a subscription (`_id` is the subscription id)."""
    return {
        "_id": subscription.id,
        "email": subscription.email,
        "email_hash": subscription.email_hash,
        "topics": sorted(subscription.topics),
        "digest": subscription.digest.value,
        "party_category": subscription.party_category.value,
        "verified_party": subscription.verified_party,
        "status": subscription.status.value,
        "created_at": subscription.created_at,
        "confirmed_at": subscription.confirmed_at,
        "expires_at": subscription.expires_at,
        "unsubscribed_at": subscription.unsubscribed_at,
        "confirm_nonce": subscription.confirm_nonce,
        "feed_salt": subscription.feed_salt,
        "feed_token_hash": subscription.feed_token_hash,
        "pending_change": _change_document(subscription.pending_change),
        "version": subscription.version,
    }


def from_document(document: Mapping[str, Any]) -> Subscription:
    """Return the subscription stored in a MongoDB document."""
    change = document.get("pending_change")
    return Subscription(
        id=str(document["_id"]),
        email=EmailAddress(document["email"]),
        email_hash=document["email_hash"],
        topics=frozenset(Topic(t) for t in document["topics"]),
        digest=DigestFrequency(document["digest"]),
        party_category=PartyCategory(document["party_category"]),
        verified_party=bool(document["verified_party"]),
        status=SubscriptionStatus(document["status"]),
        created_at=as_utc(document["created_at"]),
        confirmed_at=optional_utc(document.get("confirmed_at")),
        expires_at=optional_utc(document.get("expires_at")),
        unsubscribed_at=optional_utc(document.get("unsubscribed_at")),
        confirm_nonce=document.get("confirm_nonce"),
        feed_salt=document["feed_salt"],
        feed_token_hash=document["feed_token_hash"],
        pending_change=None
        if change is None
        else PendingChange(
            topics=frozenset(Topic(t) for t in change["topics"]),
            digest=DigestFrequency(change["digest"]),
            party_category=PartyCategory(change["party_category"]),
            requested_at=as_utc(change["requested_at"]),
        ),
        version=int(document["version"]),
    )


def suppression_document(suppression: Suppression) -> dict[str, Any]:
    """Return the document of a suppression (`_id` is the address hash, so it is unique)."""
    return {
        "_id": suppression.email_hash,
        "reason": suppression.reason,
        "suppressed_at": suppression.suppressed_at,
    }
