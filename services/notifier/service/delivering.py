"""Send one batch of deliveries: claim it, skip what already ended, send the rest, record."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from services.notifier.adapters.calendar_client import CalendarUnavailable
from services.notifier.adapters.deliveries import DeliveryRepository
from services.notifier.adapters.smtp import PermanentFailure, TemporaryFailure
from services.notifier.domain.deliveries import Delivery, DeliveryOutcome, Ended
from services.notifier.domain.subscriptions import Subscription, Suppression
from services.notifier.service.composing import BOUNCED, Composer, Skip
from services.notifier.service.context import NotifierContext
from shared.events import CloudEvent

log = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died; a batch of 100 takes seconds.
STALE_CLAIM: Final = timedelta(minutes=2)
MAX_ATTEMPTS: Final = 10
# Outcomes are written every this many, so a crash re-sends at most this many emails.
RECORD_EVERY: Final = 20


def retry_delay(attempts: int) -> timedelta:
    """Back-off before the sweeper tries a batch again: 1 min doubling, at most 1 hour."""
    delay: timedelta = timedelta(minutes=1) * 2 ** max(attempts - 1, 0)
    return min(delay, timedelta(hours=1))


@dataclass
class Recorder:
    """Collect outcomes and insert them in chunks of RECORD_EVERY (one round trip each)."""

    deliveries: DeliveryRepository
    pending: list[Ended] = field(default_factory=list)

    async def add(self, ended: Ended) -> None:
        self.pending.append(ended)
        if len(self.pending) >= RECORD_EVERY:
            await self.flush()

    async def flush(self) -> None:
        # Swap before awaiting: concurrent senders keep appending to a fresh list.
        chunk, self.pending = self.pending, []
        await self.deliveries.record(chunk)


@dataclass
class Retry:
    """A delivery that failed for now (4xx, connection, calendar down)."""

    delivery_id: str
    error: Exception


async def send_batch(context: NotifierContext, event: CloudEvent) -> bool:
    """The JobSubscription job: return False when the batch was not this worker's to send."""
    batch_id = str(event.data.get("batch_id") or event.subject or "")
    now = context.clock()
    held_until = now + STALE_CLAIM
    batch = await context.batches.claim(batch_id, now, held_until)
    if batch is None:
        return False  # done, unknown, or another worker holds a live claim
    ids = list(batch.delivery_ids)
    ended = await context.deliveries.ended(ids)
    deliveries = await context.deliveries.many([i for i in ids if i not in ended])
    composer = await Composer.for_batch(context, now, deliveries)
    recorder = Recorder(context.deliveries)
    results = await asyncio.gather(
        *(_send_one(context, composer, recorder, delivery, now) for delivery in deliveries),
        return_exceptions=True,
    )
    # Whatever happened, what was sent is recorded before anything else.
    await recorder.flush()
    unexpected = [r for r in results if isinstance(r, BaseException)]
    retries = [r for r in results if isinstance(r, Retry)]
    if unexpected or (retries and batch.attempts < MAX_ATTEMPTS):
        error = unexpected[0] if unexpected else retries[0].error
        retry_at = now + retry_delay(batch.attempts)
        await context.batches.release(batch_id, held_until, context.clock(), repr(error), retry_at)
        raise error  # the queue retries soon, the sweeper later; ended ones are skipped
    await recorder.deliveries.record(
        [
            Ended(r.delivery_id, DeliveryOutcome.FAILED, context.clock(), error=str(r.error))
            for r in retries
        ]
    )
    await context.batches.close(batch_id, held_until, context.clock())
    return True


async def _send_one(
    context: NotifierContext,
    composer: Composer,
    recorder: Recorder,
    delivery: Delivery,
    now: datetime,
) -> Retry | None:
    delivery_id = delivery.id
    try:
        message, recipient = await composer.compose(delivery)
        await context.smtp.send(message, context.sender.address, recipient)
    except Skip as exc:
        await recorder.add(Ended(delivery_id, DeliveryOutcome.SKIPPED, now, error=str(exc)))
    except PermanentFailure as exc:
        await recorder.add(Ended(delivery_id, DeliveryOutcome.FAILED, now, error=str(exc)))
        subscription = composer.subscription(delivery)
        if subscription is not None:
            await _count_hard_failure(context, subscription, now)
    except (TemporaryFailure, CalendarUnavailable) as exc:
        return Retry(delivery_id, exc)
    else:
        message_id = str(message["Message-ID"])
        await recorder.add(
            Ended(delivery_id, DeliveryOutcome.SENT, context.clock(), message_id=message_id)
        )
    return None


async def _count_hard_failure(
    context: NotifierContext, subscription: Subscription, now: datetime
) -> None:
    if await context.subscriptions.record_hard_failure(subscription.email_hash, now):
        log.info("suppressing subscription %s after repeated hard failures", subscription.id)
        await context.subscriptions.suppress(Suppression(subscription.email_hash, BOUNCED, now))
