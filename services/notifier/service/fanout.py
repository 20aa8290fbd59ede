"""Turn a registry or calendar event into deliveries, digest items and reminder projections."""

from __future__ import annotations

from services.notifier.domain.deliveries import DeliveryKind, new_delivery
from services.notifier.domain.digests import digest_item
from services.notifier.domain.matching import (
    followed_when,
    is_about_the_past,
    topics_of,
    wants_topics,
)
from services.notifier.domain.sources import Source, stored_event
from services.notifier.service.context import NotifierContext
from services.notifier.service.queueing import queue_deliveries
from shared.contracts.events import (
    CALENDAR_EVENTS,
    CONSULTATION_EVENTS,
    disclosed_classification,
    subject_marks,
)
from shared.db import Session
from shared.events import CloudEvent


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
    """Record, in the consumer's transaction, one delivery per immediate subscriber.

    The deliveries go to the workers in batches (one outbox record per batch).

    Digest subscribers get a digest item instead. The consumer applies each event
    once; the unique (source_key, subscription_id) index is the second line of defence.
    """
    await keep_projections(context, event, session)
    await context.marks.record(subject_marks(event.type, event.data), event.time, session)
    topics = topics_of(event.type, event.data)
    if not topics or is_about_the_past(event):
        return
    classification = disclosed_classification(event.type, event.data)
    wanted = [
        subscription
        for subscription in await context.subscriptions.confirmed_following(topics, session)
        if wants_topics(subscription, topics, classification)
        and followed_when(subscription, event.time)
    ]
    if not wanted:
        return
    now = context.clock()
    await context.sources.put(Source(event.id, stored_event(event), now), session)
    deliveries = [
        new_delivery(DeliveryKind.ALERT, event.id, subscription.id, now)
        for subscription in wanted
        if subscription.wants_immediate_alerts
    ]
    await context.deliveries.insert_many(deliveries, session)
    await queue_deliveries(context, DeliveryKind.ALERT, [d.id for d in deliveries], session)
    digesters = [s.id for s in wanted if not s.wants_immediate_alerts]
    await context.digest_items.add(digesters, event.id, digest_item(event).occurred_at, session)
    if deliveries:
        context.wake_relay_soon()
