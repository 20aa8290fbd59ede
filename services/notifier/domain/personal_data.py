"""What the notifier holds about one person: what an export shows, what erasure leaves.

Decision 0048 (docs/decisions/notifier-erasure-and-export.md) says which records erasure
removes, which it pseudonymises and which it keeps.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

from services.notifier.domain.addresses import EmailAddress
from services.notifier.domain.deliveries import (
    ConfirmationRequest,
    Delivery,
    DeliveryPayload,
    DigestPeriod,
    Ended,
)
from services.notifier.domain.subscriptions import Subscription, Suppression

ERASED: Final = "[erased]"


def redact(text: str, address: EmailAddress) -> str:
    """Return `text` with every spelling of `address` replaced (SMTP replies echo it)."""
    return re.sub(re.escape(address), ERASED, text, flags=re.IGNORECASE)


def pseudonym() -> str:
    """Return the id an erased subscriber's delivery records are moved to: linked to nothing."""
    return f"erased-{uuid.uuid4().hex}"


def subscription_record(subscription: Subscription) -> dict[str, Any]:
    """Return the subscription as its owner may see it, without the secrets behind its links.

    The confirmation nonce and the feed salt are credentials, not facts about the person:
    an export handed on must not let its reader open the private feed or confirm.
    """
    change = subscription.pending_change
    return {
        "id": subscription.id,
        "email": subscription.email,
        "status": subscription.status.value,
        "topics": sorted(subscription.topics),
        "digest": subscription.digest.value,
        "party_category": subscription.party_category.value,
        "verified_party": subscription.verified_party,
        "created_at": subscription.created_at,
        "confirmed_at": subscription.confirmed_at,
        "expires_at": subscription.expires_at,
        "unsubscribed_at": subscription.unsubscribed_at,
        "pending_change": None
        if change is None
        else {
            "topics": sorted(change.topics),
            "digest": change.digest.value,
            "party_category": change.party_category.value,
            "requested_at": change.requested_at,
        },
    }


def suppression_record(suppression: Suppression | None) -> dict[str, Any] | None:
    if suppression is None:
        return None
    return {"reason": suppression.reason, "since": suppression.suppressed_at}


def _payload_record(payload: DeliveryPayload) -> dict[str, Any] | None:
    # The nonce a confirmation email carried is a credential: only which version asked.
    match payload:
        case ConfirmationRequest(version=version):
            return {"confirmation_of_version": version}
        case DigestPeriod(start=start, end=end):
            return {"period_start": start, "period_end": end}
    return None


def delivery_record(delivery: Delivery, ended: Ended | None) -> dict[str, Any]:
    """Return one email sent (or due) to the person and how it ended."""
    return {
        "id": delivery.id,
        "kind": delivery.kind.value,
        "source": delivery.source_key,
        "about": _payload_record(delivery.payload),
        "created_at": delivery.created_at,
        "outcome": "pending" if ended is None else ended.outcome.value,
        "ended_at": None if ended is None else ended.at,
        "message_id": None if ended is None else ended.message_id,
        "error": None if ended is None else ended.error,
    }
