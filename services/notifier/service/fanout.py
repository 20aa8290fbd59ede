"""Turn a registry or calendar event into deliveries, digest items and reminder projections."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Final

from pymongo.errors import PyMongoError

from services.notifier.adapters.fanouts import Fanout
from services.notifier.domain.deliveries import DeliveryKind, new_delivery
from services.notifier.domain.display import parse_instant
from services.notifier.domain.matching import (
    followed_when,
    is_about_the_past,
    topics_of,
    wants_topics,
)
from services.notifier.domain.reminders import Reminder
from services.notifier.domain.sources import Source, StoredEvent, stored_event
from services.notifier.domain.subscriptions import Subscription
from services.notifier.service.context import NotifierContext
from services.notifier.service.queueing import queue_deliveries
from shared.contracts.events import (
    CALENDAR_EVENTS,
    CONSULTATION_EVENTS,
    disclosed_classification,
    subject_marks,
)
from shared.contracts.topics import Topic
from shared.db import Session
from shared.events import CloudEvent
from shared.outage import Outage

log = logging.getLogger(__name__)

# Followers queued per transaction: the deliveries, their 10 batches and outbox records.
FANOUT_PAGE: Final = 1_000
# A fan-out's holder renews this with every page; a stopped holder's is taken over after it.
FANOUT_LEASE: Final = timedelta(seconds=30)
FANOUT_POLL_SECONDS: Final = 5.0
FANOUT_EAGER_SECONDS: Final = 0.01
FANOUT_EAGER_FOR: Final = 2.0
# The first pause while the database is out of reach; it doubles up to FANOUT_POLL_SECONDS.
FANOUT_RETRY_SECONDS: Final = 0.5


class FanoutTakenOver(Exception):
    """The fan-out moved on under another holder (this one's lease had lapsed)."""


async def keep_projections(context: NotifierContext, event: CloudEvent, session: Session) -> None:
    """Remember consultations and meetings so the scheduler can remind about them."""
    if event.type in CONSULTATION_EVENTS:
        consultation = event.data.get("consultation")
        if isinstance(consultation, dict) and consultation.get("closes_at"):
            closed = event.type == "registry.consultation.closed"
            status = "closed" if closed else str(consultation.get("status") or "open")
            await context.projections.keep_consultation(consultation, status, event.time, session)
    elif event.type in CALENDAR_EVENTS:
        calendar_event = event.data.get("event")
        if isinstance(calendar_event, dict) and calendar_event.get("starts_at"):
            await context.projections.keep_meeting(calendar_event, event.time, session)


async def apply_event(context: NotifierContext, event: CloudEvent, session: Session) -> None:
    """Record the event, in the consumer's transaction, and open its fan-out.

    Its followers are queued afterwards, a page at a time (`fan_out`), so that no
    transaction grows with the number of subscribers: at 100,000 the one transaction
    that inserted every delivery ran for minutes before the first email could go, and
    held them all in the worker's memory. The consumer applies each event once, and the
    fan-out document survives a crash: whoever claims it next carries on, skipping the
    followers who have a delivery of it.
    """
    await keep_projections(context, event, session)
    await context.marks.record(subject_marks(event.type, event.data), event.time, session)
    if not topics_of(event.type, event.data) or is_about_the_past(event):
        return
    now = context.clock()
    await context.sources.put(Source(event.id, stored_event(event), now), session)
    await context.fanouts.open(event.id, now, session)
    context.fan_out_soon()


async def run_fanouts(context: NotifierContext) -> None:
    """Background job (role worker): queue the followers of every open fan-out, forever.

    Woken by a consumer that opened one, it looks every FANOUT_EAGER_SECONDS for
    FANOUT_EAGER_FOR (the wake comes from inside the consumer's transaction, before its
    commit); otherwise every FANOUT_POLL_SECONDS, which also takes over a fan-out whose
    holder stopped (its lease lapsed). With the database out of reach it says so once,
    backs off, and says so again when it goes on.
    """
    # The process's id: the job frees what it held when it starts again after a failure
    # instead of waiting out its own lease.
    holder = context.instance
    outage = Outage(
        log,
        "the fan-out job cannot reach the database",
        "the fan-out job goes on",
        "open fan-outs wait until it can",
        (PyMongoError, OSError),
    )
    loop = asyncio.get_running_loop()
    eager_until = 0.0
    released = False
    while True:
        try:
            if not released:
                await context.fanouts.release(holder)
                released = True
            while (fanout := await _claim(context, holder)) is not None:
                await fan_out(context, fanout, holder)
                eager_until = 0.0
        except (PyMongoError, OSError) as exc:
            outage.failed(exc)
            released = False
            # A consumer that opens a fan-out meanwhile still wakes the job.
            with contextlib.suppress(TimeoutError):
                pause = outage.pause(FANOUT_RETRY_SECONDS, FANOUT_POLL_SECONDS)
                await asyncio.wait_for(context.fanout_wanted.wait(), pause)
            continue
        outage.recovered()
        if loop.time() < eager_until:
            await asyncio.sleep(FANOUT_EAGER_SECONDS)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(context.fanout_wanted.wait(), FANOUT_POLL_SECONDS)
        if context.fanout_wanted.is_set():
            context.fanout_wanted.clear()
            eager_until = loop.time() + FANOUT_EAGER_FOR


async def _claim(context: NotifierContext, holder: str) -> Fanout | None:
    now = context.clock()
    return await context.fanouts.claim(holder, now, now + FANOUT_LEASE)


@dataclass(frozen=True)
class Audience:
    """Who among a source's followers gets what: its delivery kind and its predicate."""

    kind: DeliveryKind
    topics: frozenset[Topic]
    wants: Callable[[Subscription], bool]
    # When the source happened, for digest items; None: digest readers get nothing.
    digested_at: datetime | None


def audience(payload: StoredEvent | Reminder) -> Audience:
    """Return the audience of an event's alerts or of a reminder."""
    if isinstance(payload, Reminder):
        reminder = payload
        return Audience(
            DeliveryKind.REMINDER,
            reminder.topics,
            # Digest readers chose fewer emails; their digest lists open consultations.
            lambda s: (
                s.wants_immediate_alerts
                and wants_topics(s, reminder.topics, reminder.classification)
            ),
            None,
        )
    event = payload
    topics = topics_of(event.type, event.data)
    classification = disclosed_classification(event.type, event.data)
    return Audience(
        DeliveryKind.ALERT,
        topics,
        # Following, entitled, and confirmed before the event happened.
        lambda s: wants_topics(s, topics, classification) and followed_when(s, event.time),
        parse_instant(event.time),
    )


@dataclass(frozen=True, slots=True)
class Follower:
    """A subscriber the source is for, and whether they get it now or in their digest."""

    subscription_id: str
    immediate: bool


async def fan_out(context: NotifierContext, fanout: Fanout, holder: str) -> None:
    """Queue one delivery (or digest item) per follower, FANOUT_PAGE followers a transaction.

    Who gets the source is read when the fan-out is claimed, and each page is queued as
    soon as the read has yielded it: SecantusDB answers only once it has the whole result,
    and waiting for all of it first (to queue in id order) left the senders idle for
    seconds at 100,000. The workers check again at sending time that each may still get it
    (subscribed, confirmed, entitled, not suppressed).
    """
    source = await context.sources.get(fanout.key)
    if source is None:
        log.error("fan-out %s has no stored source; dropping it", fanout.key)
        await context.mongo.transaction(partial(context.fanouts.finish, fanout, holder))
        return
    whom = audience(source.payload)
    # Only a fan-out taken over, or one whose source had deliveries before it began, can
    # meet a follower queued already; it skips them (a digest item is added idempotently).
    fresh = fanout.pages == 0 and not await context.deliveries.any_of_source(source.key)
    queued = set() if fresh else await context.deliveries.subscribers_of(source.key)
    current = fanout
    page: list[Follower] = []
    try:
        async for subscription in context.subscriptions.following(whom.topics):
            if subscription.id in queued or not whom.wants(subscription):
                continue
            page.append(Follower(subscription.id, subscription.wants_immediate_alerts))
            if len(page) == FANOUT_PAGE:
                current = await _queue_page(context, current, holder, source.key, whom, page)
                page = []
        if page:
            current = await _queue_page(context, current, holder, source.key, whom, page)
    except FanoutTakenOver:
        log.warning("fan-out %s was taken over; its new holder queues the rest", fanout.key)
        return
    await context.mongo.transaction(partial(context.fanouts.finish, current, holder))


async def _queue_page(
    context: NotifierContext,
    fanout: Fanout,
    holder: str,
    source_key: str,
    whom: Audience,
    page: list[Follower],
) -> Fanout:
    """Write a page's deliveries and digest items and count it, in one transaction.

    The page is counted only if this holder still holds the fan-out as it knew it, so
    pages are never queued by two holders at once; once committed, the relay is told.
    """
    now = context.clock()
    deliveries = [
        new_delivery(whom.kind, source_key, f.subscription_id, now) for f in page if f.immediate
    ]
    digesters = [f.subscription_id for f in page if not f.immediate]

    async def write(session: Session) -> Fanout:
        await queue_deliveries(context, deliveries, session)
        if whom.digested_at is not None:
            await context.digest_items.add(digesters, source_key, whom.digested_at, session)
        advanced = await context.fanouts.advance(fanout, holder, now + FANOUT_LEASE, session)
        if advanced is None:
            raise FanoutTakenOver(fanout.key)
        return advanced

    advanced = await context.mongo.transaction(write)
    context.outbox.notify()  # the page has committed: its batches can go now
    return advanced
