"""Turn a registry or calendar event into deliveries, digest items and reminder projections."""

from __future__ import annotations

from typing import Any

from services.notifier.adapters.deliveries import DeliveryKind, new_delivery
from services.notifier.domain.digests import digest_item
from services.notifier.domain.matching import (
    followed_when,
    is_about_the_past,
    topics_of,
    wants_topics,
)
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


def source_payload(event: CloudEvent) -> dict[str, Any]:
    """Return what a delivery needs of an event to render it later."""
    return {
        "type": event.type,
        "subject": event.subject,
        "time": event.time.isoformat(),
        "data": event.data,
    }


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
    await context.sources.put(
        event.id, DeliveryKind.ALERT.value, source_payload(event), now, session
    )
    deliveries = [
        new_delivery(DeliveryKind.ALERT, event.id, subscription.id, now)
        for subscription in wanted
        if subscription.wants_immediate_alerts
    ]
    await context.deliveries.insert_many(deliveries, session)
    await queue_deliveries(
        context, DeliveryKind.ALERT, [str(doc["_id"]) for doc in deliveries], session
    )
    digesters = [s.id for s in wanted if not s.wants_immediate_alerts]
    await context.digest_items.add(digesters, event.id, digest_item(event).occurred_at, session)
    if deliveries:
        context.wake_relay_soon()
