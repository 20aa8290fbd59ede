"""The scheduler: reminders, digests, expiry and the sweep of stuck batches, under a lease."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

from services.notifier.adapters import names
from services.notifier.domain.deliveries import DeliveryKind, DigestPeriod, new_delivery
from services.notifier.domain.digests import build_digest, digest_key, digest_subject_keys
from services.notifier.domain.display import LONDON, london
from services.notifier.domain.reminders import Reminder, due_reminders
from services.notifier.domain.sources import Source, digest_items
from services.notifier.domain.subscriptions import DigestFrequency, Subscription
from services.notifier.service.context import BatchRequested, NotifierContext
from services.notifier.service.queueing import queue_once
from shared.db import Session
from shared.lease import Lease

log = logging.getLogger(__name__)

TICK_SECONDS: Final = 30.0
DIGEST_AT: Final = time(7, 0)  # London time, daily; weekly on Monday


@dataclass(frozen=True)
class TickReport:
    """What one scheduler tick did; tests and logs read it."""

    expired: int = 0
    reminders: int = 0
    digests: int = 0
    requeued: int = 0


def digest_period(frequency: DigestFrequency, now: datetime) -> DigestPeriod:
    """Return the latest digest period ended at or before `now`."""
    local = london(now)
    end_day = local.date()
    if frequency is DigestFrequency.WEEKLY:
        end_day -= timedelta(days=local.weekday())
    step = timedelta(days=7 if frequency is DigestFrequency.WEEKLY else 1)
    end = datetime.combine(end_day, DIGEST_AT, LONDON)
    if end > local:
        end = datetime.combine(end_day - step, DIGEST_AT, LONDON)
    start = datetime.combine(end.date() - step, DIGEST_AT, LONDON)
    return DigestPeriod(start.astimezone(now.tzinfo), end.astimezone(now.tzinfo))


async def send_reminders(context: NotifierContext, now: datetime) -> int:
    """Open the fan-out of each due reminder once; return how many were opened.

    The workers' fan-out job queues one delivery per immediate subscriber, a page at a
    time, as for an event's alerts (decision 0057).
    """
    consultations = await context.projections.open_consultations(now + timedelta(days=3), now)
    meetings = await context.projections.meetings(now + timedelta(days=2), now)
    opened = 0
    for reminder in due_reminders(now, consultations, meetings):
        if await context.schedule_runs.done(reminder.key):
            continue

        async def work(session: Session, reminder: Reminder = reminder) -> None:
            await context.sources.put(Source(reminder.key, reminder, now), session)
            await context.fanouts.open(reminder.key, now, session)
            await context.schedule_runs.mark(reminder.key, now, session)

        await context.mongo.transaction(work)
        opened += 1
    if opened:
        context.fan_out_soon()
    return opened


async def _digest_for(
    context: NotifierContext,
    subscription: Subscription,
    period: DigestPeriod,
    now: datetime,
) -> int:
    keys = await context.digest_items.keys(subscription.id, None)
    if not keys:
        return 0
    items = digest_items((await context.sources.many(keys)).values())
    current = await context.marks.current(digest_subject_keys(items))
    digest = build_digest(subscription, items, period.start, period.end, current)
    key = digest_key(subscription.id, subscription.digest, period.end)
    # Everything before the period end is consumed, shown or not (e.g. a past meeting).
    consumed = [item.key for item in items if item.occurred_at < period.end]

    async def work(session: Session) -> int:
        await context.digest_items.consume(subscription.id, consumed, key, session)
        if digest is None:
            return 0
        delivery = new_delivery(DeliveryKind.DIGEST, key, subscription.id, now, period)
        return await queue_once(context, delivery, session)

    return await context.mongo.transaction(work)


async def send_digests(context: NotifierContext, now: datetime) -> int:
    """Build the digests of the latest daily and weekly periods, once per period."""
    queued = 0
    for frequency in (DigestFrequency.DAILY, DigestFrequency.WEEKLY):
        period = digest_period(frequency, now)
        run_key = f"digest:{frequency.value}:{period.end.isoformat()}"
        if await context.schedule_runs.done(run_key):
            continue
        async for subscription in context.subscriptions.confirmed_with_digest(frequency):
            queued += await _digest_for(context, subscription, period, now)
        await context.schedule_runs.mark(run_key, now)
    return queued


async def requeue_stuck(context: NotifierContext, now: datetime) -> int:
    """Ask again for batches whose job was dead-lettered or lost, or whose worker died."""
    stuck = await context.batches.due(now)
    if not stuck:
        return 0

    async def work(session: Session) -> None:
        await context.outbox.add(session, [BatchRequested(b.id, b.kind) for b in stuck])

    await context.mongo.transaction(work)
    return len(stuck)


async def tick(context: NotifierContext, now: datetime) -> TickReport:
    """Do one round of the scheduler's work at `now` (tests call this with their own time)."""
    report = TickReport(
        expired=await context.subscriptions.delete_expired_pending(now),
        reminders=await send_reminders(context, now),
        digests=await send_digests(context, now),
        requeued=await requeue_stuck(context, now),
    )
    context.outbox.notify()
    return report


async def run_scheduler(context: NotifierContext, tick_seconds: float = TICK_SECONDS) -> None:
    """Tick every `tick_seconds` while this process holds the scheduler lease."""
    lease = Lease(
        context.mongo.collection(names.LEASES),
        "scheduler",
        context.instance,
        ttl=timedelta(seconds=tick_seconds * 3),
    )
    while True:
        now = context.clock()
        if await lease.acquire(now):
            report = await tick(context, now)
            if report != TickReport():
                log.info("scheduler tick: %s", report)
        await asyncio.sleep(tick_seconds)
