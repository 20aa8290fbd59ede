"""Queue a fan-out's deliveries in pages, each its own transaction, through the notifier's code.

The notifier inserts every delivery of an event in one transaction, which at 100,000
subscribers runs for minutes on SecantusDB before any email can go (for a while the
platform capped transactions at 15 s, and past 20,000 the fan-out was dead-lettered; the
cap now applies only to requests with an Idempotency-Key). This is what a paged fan-out
would write instead (the event stored as
a source, then per page its deliveries, their batches and one outbox record per batch,
as `queue_deliveries` writes them), so that sending can be measured at any size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import cast

from services.notifier.adapters.batches import BatchRepository
from services.notifier.adapters.deliveries import DeliveryRepository
from services.notifier.adapters.sources import SourceRepository
from services.notifier.domain.deliveries import Delivery, DeliveryKind, new_delivery
from services.notifier.domain.sources import Source, stored_event
from services.notifier.service.context import NotifierContext
from services.notifier.service.queueing import queue_deliveries
from shared.clock import Clock, system_clock
from shared.db import Mongo, Session
from shared.events import CloudEvent
from shared.outbox import Outbox

PAGE = 1_000


@dataclass(frozen=True)
class _Queueing:
    """What `queue_deliveries` reads of its context: the clock, batches and outbox."""

    clock: Clock
    batches: BatchRepository
    outbox: Outbox


async def _queue_page(
    context: NotifierContext,
    deliveries: DeliveryRepository,
    page: list[Delivery],
    session: Session,
) -> None:
    await deliveries.insert_many(page, session)
    await queue_deliveries(context, DeliveryKind.ALERT, [d.id for d in page], session)


async def queue_in_pages(mongo: Mongo, event: CloudEvent, subscription_ids: list[str]) -> None:
    """Store `event` as a source and queue one alert per subscriber, PAGE at a time."""
    context = cast(
        NotifierContext, _Queueing(system_clock, BatchRepository(mongo), Outbox(mongo, "notifier"))
    )
    deliveries = DeliveryRepository(mongo)
    now = datetime.now(UTC)

    async def store(session: Session) -> None:
        await SourceRepository(mongo).put(Source(event.id, stored_event(event), now), session)

    await mongo.transaction(store)
    started = time.perf_counter()
    for first in range(0, len(subscription_ids), PAGE):
        page = [
            new_delivery(DeliveryKind.ALERT, event.id, subscription_id, now)
            for subscription_id in subscription_ids[first : first + PAGE]
        ]
        await mongo.transaction(partial(_queue_page, context, deliveries, page))
        if (first + PAGE) % (10 * PAGE) == 0:
            print(f"  queued {first + PAGE:,} of {len(subscription_ids):,} deliveries", flush=True)
    print(
        f"  queued {len(subscription_ids):,} deliveries in pages of {PAGE:,} "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
