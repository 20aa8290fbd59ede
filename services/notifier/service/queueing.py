"""Queue stored deliveries for sending: batches, and one outbox record per batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from services.notifier.domain.deliveries import Delivery, new_batches
from services.notifier.service.context import BatchRequested, NotifierContext
from shared.db import Session

# A batch whose job should long have run (dead-lettered, lost) is requeued by the sweeper.
PENDING_GRACE: Final = timedelta(minutes=5)


async def queue_deliveries(
    context: NotifierContext, deliveries: Sequence[Delivery], session: Session
) -> int:
    """Store `deliveries` in batches and add one outbox record per batch; return how many.

    One record per batch rather than per delivery: each record costs the relay and the
    worker a few database round trips, which dominated a large fan-out. The batches'
    unique index refuses a second delivery of a source to one subscriber.
    """
    now = context.clock()
    batches = new_batches(deliveries, now, now + PENDING_GRACE)
    await context.batches.insert_many(batches, session)
    await context.outbox.add(session, [BatchRequested(b.id, b.kind) for b in batches])
    return len(deliveries)


async def queue_once(context: NotifierContext, delivery: Delivery, session: Session) -> int:
    """Queue `delivery` unless its subscriber has one of its source already; return 1 or 0."""
    if await context.deliveries.exists(delivery.source_key, delivery.subscription_id, session):
        return 0
    return await queue_deliveries(context, [delivery], session)
