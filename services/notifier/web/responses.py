"""Response bodies of the notifier's admin API, as the OpenAPI document shows them.

The subscriber export holds everything the notifier keeps about one person
(docs/decisions/notifier-erasure-and-export.md); its models say so field by field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.notifier.domain.deliveries import DeliveryKind, DeliveryOutcome
from services.notifier.domain.subscriptions import (
    DigestFrequency,
    PartyCategory,
    SubscriptionStatus,
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeliveryCounts(_Out):
    """How many deliveries ended each way; pending ones have not ended yet."""

    sent: int
    failed: int
    skipped: int
    pending: int


class FailedDelivery(_Out):
    """One email that failed for good, and the address it was for (null once erased)."""

    delivery_id: str
    kind: DeliveryKind
    subscription_id: str
    email: str | None
    failed_at: AwareDatetime
    error: str | None


class DeliveryReport(_Out):
    """The deliveries of one event, reminder or digest, by outcome, with each failure."""

    source: str
    total: int
    counts: DeliveryCounts
    failed: list[FailedDelivery]


class Resent(_Out):
    """The failed deliveries queued again."""

    source: str
    resent: list[str]


class SubscriberSummary(_Out):
    id: str
    status: SubscriptionStatus
    topics: list[str]
    digest: DigestFrequency
    created_at: AwareDatetime


class FoundSubscribers(_Out):
    """What is held under an address: its subscription (none or one) and its suppression."""

    email: str
    suppressed: str | None
    subscribers: list[SubscriberSummary]


class PendingChangeRecord(_Out):
    """A change of preferences waiting for its confirmation."""

    topics: list[str]
    digest: DigestFrequency
    party_category: PartyCategory
    requested_at: AwareDatetime


class SubscriptionRecord(_Out):
    """The subscription as its owner may see it, without the secrets behind its links."""

    id: str
    email: str
    status: SubscriptionStatus
    topics: list[str]
    digest: DigestFrequency
    party_category: PartyCategory
    verified_party: bool
    created_at: AwareDatetime
    confirmed_at: AwareDatetime | None
    expires_at: AwareDatetime | None
    unsubscribed_at: AwareDatetime | None
    pending_change: PendingChangeRecord | None


class SuppressionRecord(_Out):
    """Why nothing is mailed to the address (bounced, erased...), since when."""

    reason: str
    since: AwareDatetime


class DigestItemRecord(_Out):
    """An event kept for a digest: waiting (consumed_by null) or sent in that digest."""

    item_key: str
    occurred_at: AwareDatetime
    consumed_by: str | None


class SubscriberExport(_Out):
    """Everything held about one subscriber but the deliveries, which are paged apart."""

    subscription: SubscriptionRecord
    suppression: SuppressionRecord | None
    hard_failures: int
    digest_items: list[DigestItemRecord]
    deliveries_total: int


class ConfirmationAbout(_Out):
    """A confirmation email: which version of the subscription asked for it."""

    confirmation_of_version: int


class DigestAbout(_Out):
    """A digest email: the period it covers."""

    period_start: AwareDatetime
    period_end: AwareDatetime


class DeliveryRecord(_Out):
    """One email sent (or due) to the person, and how it ended."""

    id: str
    kind: DeliveryKind
    source: str
    about: ConfirmationAbout | DigestAbout | None
    created_at: AwareDatetime
    outcome: DeliveryOutcome | Literal["pending"]
    ended_at: AwareDatetime | None
    message_id: str | None
    error: str | None


class DeliveriesPage(_Out):
    """A page of a subscriber's deliveries; `next` is the `after` of the next page, if any."""

    deliveries: list[DeliveryRecord]
    next: str | None


class ErasedSubscriber(_Out):
    """What an erasure removed and pseudonymised besides the subscription."""

    erased: str
    deliveries_pseudonymised: int
    digest_items_removed: int
