"""What became of the emails of one event (or reminder, or digest), and sending the failed again."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifier.domain.deliveries import Delivery, DeliveryOutcome
from services.notifier.service.context import NotifierContext
from services.notifier.service.queueing import queue_deliveries
from shared.db import Session

log = logging.getLogger(__name__)

PENDING = "pending"


@dataclass(frozen=True)
class FailedDelivery:
    """One email that ended in a permanent failure, and whom it was for."""

    delivery: Delivery
    email: str | None  # None once the subscriber is gone (unsubscribed and erased)
    failed_at: datetime
    error: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery.id,
            "kind": self.delivery.kind.value,
            "subscription_id": self.delivery.subscription_id,
            "email": self.email,
            "failed_at": self.failed_at,
            "error": self.error,
        }


@dataclass(frozen=True)
class DeliveryReport:
    """The deliveries of one source (an event id, a reminder or a digest key) by outcome."""

    source: str
    counts: dict[str, int]
    failed: list[FailedDelivery]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "total": self.total,
            "counts": self.counts,
            "failed": [failure.as_json() for failure in self.failed],
        }


async def delivery_report(context: NotifierContext, source: str) -> DeliveryReport | None:
    """Count the source's deliveries by outcome (pending: not ended yet); None if it has none."""
    deliveries = await context.deliveries.for_source(source)
    if not deliveries:
        return None
    outcomes = await context.deliveries.outcomes([d.id for d in deliveries])
    counts = Counter(
        outcomes[d.id].outcome.value if d.id in outcomes else PENDING for d in deliveries
    )
    failed = [
        d
        for d in deliveries
        if d.id in outcomes and outcomes[d.id].outcome is DeliveryOutcome.FAILED
    ]
    subscriptions = await context.subscriptions.many(d.subscription_id for d in failed)
    return DeliveryReport(
        source,
        {outcome: counts.get(outcome, 0) for outcome in [*DeliveryOutcome, PENDING]},
        [
            FailedDelivery(
                d,
                subscriptions[d.subscription_id].email
                if d.subscription_id in subscriptions
                else None,
                outcomes[d.id].at,
                outcomes[d.id].error,
            )
            for d in failed
        ],
    )


async def resend_failed(
    context: NotifierContext, source: str, only: Collection[str] | None, by: str
) -> list[str] | None:
    """Queue the source's failed deliveries again (those in `only`, if given); None if unknown.

    Their failed outcome is removed and they move to new batches, with the same
    Message-ID as before; the workers check again whether each may still be sent
    (unsubscribed, suppressed, reclassified). Return the ids queued.
    """
    report = await delivery_report(context, source)
    if report is None:
        return None
    chosen = {
        f.delivery.id: f.delivery for f in report.failed if only is None or f.delivery.id in only
    }

    async def work(session: Session) -> list[str]:
        resent = await context.deliveries.forget_failures(list(chosen), session)
        # Out of the old batch, so that a retry of it does not send them as well.
        await context.deliveries.take_out(source, resent, session)
        await queue_deliveries(context, [chosen[i] for i in resent], session)
        return resent

    resent = await context.mongo.transaction(work) if chosen else []
    context.outbox.notify()
    log.info("%s queued %d failed deliveries of %s again", by, len(resent), source)
    return resent
