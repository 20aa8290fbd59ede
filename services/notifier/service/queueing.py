"""Queue stored deliveries for sending: batches, and one outbox record per batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from services.notifier.domain.deliveries import DeliveryKind, new_batches
from services.notifier.service.context import BatchRequested, NotifierContext
from shared.db import Session

# A batch whose job should long have run (dead-lettered, lost) is requeued by the sweeper.
PENDING_GRACE: Final = timedelta(minutes=5)


async def queue_deliveries(
    context: NotifierContext, kind: DeliveryKind, delivery_ids: Sequence[str], session: Session
) -> int:
    """Batch `delivery_ids` and add one outbox record per batch; return how many were queued.

    One record per batch rather than per delivery: each record costs the relay and the
    worker a few database round trips, which dominated a large fan-out.
    """
    now = context.clock()
    batches = new_batches(kind, delivery_ids, now, now + PENDING_GRACE)
    await context.batches.insert_many(batches, session)
    await context.outbox.add(session, [BatchRequested(b.id, kind) for b in batches])
    return len(delivery_ids)
