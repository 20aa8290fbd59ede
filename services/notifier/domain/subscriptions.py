"""Model a subscription and its life: subscribe, merge, confirm, change, unsubscribe, erase."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from services.notifier.domain.addresses import EmailAddress, email_hash, normalise_email
from services.notifier.domain.errors import (
    InvalidSubscriptionField,
    InvalidSubscriptionState,
    UsedToken,
)
from services.notifier.domain.tokens import (
    TokenClaims,
    TokenPurpose,
    feed_token,
    new_feed_salt,
    new_nonce,
)
from shared.contracts.subscribers import feed_token_hash
from shared.contracts.topics import Topic, parse_topics

PENDING_LIFETIME: Final = timedelta(days=7)


class DigestFrequency(StrEnum):
    """How alerts reach the subscriber: one email each, or gathered once a day or week."""

    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"


class PartyCategory(StrEnum):
    """SEC Party category the subscriber says they belong to (Panel constituencies)."""

    LARGE_SUPPLIER = "large-supplier"
    SMALL_SUPPLIER = "small-supplier"
    ELECTRICITY_NETWORK = "electricity-network"
    GAS_NETWORK = "gas-network"
    OTHER_SEC_PARTY = "other-sec-party"
    DCC = "dcc"
    PUBLIC = "public"

    @property
    def label(self) -> str:
        return _PARTY_LABELS[self]


_PARTY_LABELS: Final = {
    PartyCategory.LARGE_SUPPLIER: "Large Supplier",
    PartyCategory.SMALL_SUPPLIER: "Small Supplier",
    PartyCategory.ELECTRICITY_NETWORK: "Electricity Network",
    PartyCategory.GAS_NETWORK: "Gas Network",
    PartyCategory.OTHER_SEC_PARTY: "Other SEC Party",
    PartyCategory.DCC: "DCC",
    PartyCategory.PUBLIC: "Member of the public",
}


class SubscriptionStatus(StrEnum):
    """Double opt-in life cycle."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


def parse_digest(text: str) -> DigestFrequency:
    """Return the digest frequency named by `text` or raise InvalidSubscriptionField."""
    try:
        return DigestFrequency(text.strip().lower())
    except (ValueError, AttributeError):
        known = ", ".join(d.value for d in DigestFrequency)
        raise InvalidSubscriptionField(f"digest must be one of: {known}") from None


def parse_party_category(text: str | None) -> PartyCategory:
    """Return the party category named by `text` (None means public)."""
    if text is None:
        return PartyCategory.PUBLIC
    key = text.strip().lower().replace(" ", "-").removesuffix("s")
    for category in PartyCategory:
        if key in (category.value, category.label.lower().replace(" ", "-")):
            return category
    known = ", ".join(c.value for c in PartyCategory)
    raise InvalidSubscriptionField(f"party_category must be one of: {known}")


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    """A validated subscribe request; build it with `subscription_request`."""

    email: EmailAddress
    topics: frozenset[Topic]
    digest: DigestFrequency = DigestFrequency.NONE
    party_category: PartyCategory = PartyCategory.PUBLIC


def subscription_request(
    email: str,
    topics: Iterable[str],
    digest: str = "none",
    party_category: str | None = None,
) -> SubscriptionRequest:
    """Validate raw request fields into a SubscriptionRequest."""
    return SubscriptionRequest(
        email=normalise_email(email),
        topics=parse_topics(topics),
        digest=parse_digest(digest),
        party_category=parse_party_category(party_category),
    )


@dataclass(frozen=True, slots=True)
class PendingChange:
    """Settings someone asked for on a confirmed address, applied only once its owner confirms."""

    topics: frozenset[Topic]
    digest: DigestFrequency
    party_category: PartyCategory
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class Subscription:
    """One person's subscription; `version` guards concurrent updates (compare-and-set)."""

    id: str
    email: EmailAddress
    email_hash: str
    topics: frozenset[Topic]
    digest: DigestFrequency
    party_category: PartyCategory
    verified_party: bool
    status: SubscriptionStatus
    created_at: datetime
    confirmed_at: datetime | None
    expires_at: datetime | None
    confirm_nonce: str | None
    feed_salt: str
    feed_token_hash: str
    version: int = 1
    unsubscribed_at: datetime | None = None
    pending_change: PendingChange | None = field(default=None)

    @property
    def is_confirmed(self) -> bool:
        return self.status is SubscriptionStatus.CONFIRMED

    @property
    def wants_immediate_alerts(self) -> bool:
        return self.digest is DigestFrequency.NONE

    def is_expired(self, now: datetime) -> bool:
        """Tell whether an unconfirmed subscription has passed its 7 days."""
        return (
            self.status is SubscriptionStatus.PENDING
            and self.expires_at is not None
            and now >= self.expires_at
        )


@dataclass(frozen=True, slots=True)
class Suppression:
    """What erasure keeps: enough to never mail the address again, nothing to identify it."""

    email_hash: str
    reason: str
    suppressed_at: datetime


def new_subscription(
    request: SubscriptionRequest, *, now: datetime, feed_secret: bytes
) -> Subscription:
    """Return a pending subscription for a first subscribe of an address."""
    subscription_id = uuid.uuid4().hex
    salt = new_feed_salt()
    return Subscription(
        id=subscription_id,
        email=request.email,
        email_hash=email_hash(request.email),
        topics=request.topics,
        digest=request.digest,
        party_category=request.party_category,
        verified_party=False,
        status=SubscriptionStatus.PENDING,
        created_at=now,
        confirmed_at=None,
        expires_at=now + PENDING_LIFETIME,
        confirm_nonce=new_nonce(),
        feed_salt=salt,
        feed_token_hash=feed_token_hash(feed_token(feed_secret, subscription_id, salt)),
    )


def merge_subscription(
    existing: Subscription, request: SubscriptionRequest, *, now: datetime
) -> Subscription:
    """Fold a repeated subscribe of the same address into the existing subscription.

    Every outcome needs one confirmation email and the same answer to the caller, so
    the response never reveals whether the address was known. Nobody can change a
    confirmed subscriber's settings without the owner's click: the request waits as
    a pending change.
    """
    if existing.email != request.email:
        raise ValueError("merge_subscription needs the same normalised address")
    if existing.status is SubscriptionStatus.CONFIRMED:
        previous = existing.pending_change
        topics = request.topics | (previous.topics if previous is not None else frozenset())
        change = PendingChange(topics, request.digest, request.party_category, now)
        return replace(
            existing, version=existing.version + 1, pending_change=change, confirm_nonce=new_nonce()
        )
    if existing.status is SubscriptionStatus.PENDING and not existing.is_expired(now):
        # Keep the nonce so the link in the first confirmation email still works.
        return replace(
            existing,
            version=existing.version + 1,
            topics=existing.topics | request.topics,
            digest=request.digest,
            party_category=request.party_category,
            expires_at=now + PENDING_LIFETIME,
        )
    # Unsubscribed or expired: start again from what was asked this time.
    return replace(
        existing,
        version=existing.version + 1,
        topics=request.topics,
        digest=request.digest,
        party_category=request.party_category,
        status=SubscriptionStatus.PENDING,
        confirmed_at=None,
        unsubscribed_at=None,
        expires_at=now + PENDING_LIFETIME,
        confirm_nonce=new_nonce(),
        pending_change=None,
    )


def confirm(subscription: Subscription, claims: TokenClaims, *, now: datetime) -> Subscription:
    """Apply a verified confirm token: activate a pending subscription or a pending change."""
    if claims.purpose is not TokenPurpose.CONFIRM or claims.subscription_id != subscription.id:
        raise InvalidSubscriptionState("this confirmation link is for another subscription")
    if subscription.confirm_nonce is None or claims.nonce != subscription.confirm_nonce:
        raise UsedToken("this confirmation link has already been used or replaced")
    if subscription.status is SubscriptionStatus.PENDING:
        if subscription.is_expired(now):
            raise InvalidSubscriptionState("this subscription expired; please subscribe again")
        return replace(
            subscription,
            version=subscription.version + 1,
            status=SubscriptionStatus.CONFIRMED,
            confirmed_at=now,
            expires_at=None,
            confirm_nonce=None,
        )
    change = subscription.pending_change
    if subscription.status is SubscriptionStatus.CONFIRMED and change is not None:
        return replace(
            subscription,
            version=subscription.version + 1,
            topics=subscription.topics | change.topics,
            digest=change.digest,
            party_category=change.party_category,
            pending_change=None,
            confirm_nonce=None,
        )
    raise InvalidSubscriptionState("there is nothing to confirm")


def update_preferences(
    subscription: Subscription,
    *,
    topics: frozenset[Topic],
    digest: DigestFrequency,
    party_category: PartyCategory,
) -> Subscription:
    """Replace the settings from the manage page (the holder of a manage token is the owner)."""
    if subscription.status is not SubscriptionStatus.CONFIRMED:
        raise InvalidSubscriptionState("only a confirmed subscription can be changed")
    if not topics:
        raise InvalidSubscriptionField("choose at least one topic, or unsubscribe")
    return replace(
        subscription,
        version=subscription.version + 1,
        topics=topics,
        digest=digest,
        party_category=party_category,
    )


def unsubscribe(subscription: Subscription, *, now: datetime) -> Subscription:
    """Stop all mail to the subscriber; idempotent so a repeated one-click POST is harmless."""
    if subscription.status is SubscriptionStatus.UNSUBSCRIBED:
        return subscription
    return replace(
        subscription,
        version=subscription.version + 1,
        status=SubscriptionStatus.UNSUBSCRIBED,
        unsubscribed_at=now,
        confirm_nonce=None,
        pending_change=None,
    )


def rotate_feed_token(subscription: Subscription, *, feed_secret: bytes) -> Subscription:
    """Invalidate the private feed URL (e.g. after it leaked) by drawing a new salt."""
    salt = new_feed_salt()
    token_hash = feed_token_hash(feed_token(feed_secret, subscription.id, salt))
    return replace(
        subscription, version=subscription.version + 1, feed_salt=salt, feed_token_hash=token_hash
    )


def private_feed_token(subscription: Subscription, *, feed_secret: bytes) -> str:
    """Return the token of the subscriber's private feed URL, for the manage page."""
    return feed_token(feed_secret, subscription.id, subscription.feed_salt)


def erase(subscription: Subscription, *, now: datetime, reason: str = "erased") -> Suppression:
    """Return the only record that may outlive an erased subscription."""
    return Suppression(email_hash=subscription.email_hash, reason=reason, suppressed_at=now)
