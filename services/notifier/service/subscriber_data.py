"""Find a subscriber by address, export everything held about them, erase them (GDPR).

The person's own erasure (the manage page) and an admin's are the same use case. What
erasure removes, pseudonymises and keeps: docs/decisions/notifier-erasure-and-export.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from services.notifier.domain import subscriptions as model
from services.notifier.domain.addresses import email_hash, normalise_email
from services.notifier.domain.personal_data import (
    delivery_record,
    pseudonym,
    redact,
    subscription_record,
    suppression_record,
)
from services.notifier.domain.subscriptions import Subscription
from services.notifier.service.composing import BOUNCED
from services.notifier.service.context import NotifierContext
from shared.db import Session


@dataclass(frozen=True)
class Found:
    """What is held under one address: its subscription, if any, and its suppression."""

    email: str
    subscription: Subscription | None
    suppressed: str | None


async def find_subscriber(context: NotifierContext, address: str) -> Found:
    """Look an address up as subscribing would see it (normalised, by its hash)."""
    email = normalise_email(address)
    hashed = email_hash(email)
    subscription = await context.subscriptions.by_email_hash(hashed)
    return Found(email, subscription, await context.subscriptions.suppression_reason(hashed))


async def export_subscriber(
    context: NotifierContext, subscription_id: str
) -> dict[str, Any] | None:
    """Return everything held about a subscriber except the deliveries, which are paged."""
    subscription = await context.subscriptions.get(subscription_id)
    if subscription is None:
        return None
    return {
        "subscription": subscription_record(subscription),
        "suppression": suppression_record(
            await context.subscriptions.suppression(subscription.email_hash)
        ),
        "hard_failures": await context.subscriptions.hard_failures(subscription.email_hash),
        "digest_items": await context.digest_items.of_subscription(subscription.id),
        "deliveries_total": await context.deliveries.count_of_subscription(subscription.id),
    }


async def export_deliveries(
    context: NotifierContext, subscription_id: str, after: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Return one page of a subscriber's deliveries with their outcomes, and the next cursor."""
    page = await context.deliveries.of_subscription(subscription_id, after, limit)
    outcomes = await context.deliveries.outcomes([d.id for d in page])
    records = [delivery_record(d, outcomes.get(d.id)) for d in page]
    return records, (page[-1].id if len(page) == limit else None)


@dataclass(frozen=True)
class Erased:
    """What an erasure did: the records it pseudonymised and removed besides the subscription."""

    subscription_id: str
    deliveries_pseudonymised: int
    digest_items_removed: int


async def erase_subscriber(context: NotifierContext, subscription_id: str) -> Erased | None:
    """Erase a subscriber in one transaction; None if there is no such subscription.

    Removed: the subscription (address, topics, private feed, pending confirmation), its
    digest items and its count of hard failures. Pseudonymised: its deliveries and their
    outcomes. Kept: the address's hash as a suppression, so nothing is mailed to it again
    until its owner subscribes and confirms anew (a bounced address stays bounced).
    """

    async def work(session: Session) -> Erased | None:
        current = await context.subscriptions.get(subscription_id, session)
        if current is None:
            return None
        reason = await context.subscriptions.suppression_reason(current.email_hash, session)
        if reason != BOUNCED:
            await context.subscriptions.suppress(model.erase(current, now=context.clock()), session)
        await context.subscriptions.delete(current.id, session)
        await context.subscriptions.forget_hard_failures(current.email_hash, session)
        items = await context.digest_items.delete_for(current.id, session)
        deliveries = await context.deliveries.pseudonymise(
            current.id, pseudonym(), partial(redact, address=current.email), session
        )
        return Erased(current.id, deliveries, items)

    return await context.mongo.transaction(work)
