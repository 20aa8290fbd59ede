"""Send one delivery: claim it, check it may still go, render, send, record the outcome."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Final

from services.notifier.adapters.calendar_client import CalendarUnavailable
from services.notifier.adapters.deliveries import DeliveryKind, DeliveryState
from services.notifier.adapters.smtp import PermanentFailure, TemporaryFailure
from services.notifier.adapters.sources import items_from_sources
from services.notifier.domain.digests import build_digest
from services.notifier.domain.display import parse_instant
from services.notifier.domain.errors import NotEntitled
from services.notifier.domain.mail import (
    render_alert,
    render_confirmation,
    render_digest,
    render_reminder,
)
from services.notifier.domain.reminders import Reminder, ReminderKind
from services.notifier.domain.subscriptions import Subscription, Suppression
from services.notifier.domain.topics import Topic
from services.notifier.service.context import Deps
from services.notifier.service.links import confirm_expiry, confirm_url, links_for
from shared.db import Document
from shared.events import CloudEvent
from shared.vocabulary import Classification

log = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died; SMTP times out well before.
STALE_CLAIM: Final = timedelta(minutes=2)
MAX_ATTEMPTS: Final = 10
BOUNCED: Final = "bounced"


class Skip(Exception):
    """Nothing should be sent for this delivery any more (the reason is recorded)."""


def retry_delay(attempts: int) -> timedelta:
    """Back-off before the sweeper tries a delivery again: 1 min doubling, at most 1 hour."""
    delay: timedelta = timedelta(minutes=1) * 2 ** max(attempts - 1, 0)
    return min(delay, timedelta(hours=1))


async def send_delivery(deps: Deps, event: CloudEvent) -> bool:
    """The JobSubscription job: return False when the delivery was not this worker's to send."""
    delivery_id = str(event.data.get("delivery_id") or event.subject or "")
    now = deps.clock()
    delivery = await deps.deliveries.claim(delivery_id, now, now - STALE_CLAIM)
    if delivery is None:
        return False  # sent, closed, unknown, or another worker holds a fresh claim
    try:
        message, recipient = await _compose(deps, delivery, now)
        await deps.smtp.send(message, deps.sender.address, recipient)
    except Skip as exc:
        await deps.deliveries.mark_done(delivery_id, DeliveryState.SKIPPED, str(exc))
        return True
    except PermanentFailure as exc:
        await _hard_failure(deps, delivery, str(exc), now)
        return True
    except (TemporaryFailure, CalendarUnavailable) as exc:
        if int(delivery["attempts"]) >= MAX_ATTEMPTS:
            await deps.deliveries.mark_done(delivery_id, DeliveryState.FAILED, str(exc))
            return True
        next_at = now + retry_delay(int(delivery["attempts"]))
        await deps.deliveries.mark_retry(delivery_id, str(exc), next_at)
        raise  # the queue retries soon; the sweeper later, after the back-off
    await deps.deliveries.mark_sent(delivery_id, str(message["Message-ID"]), deps.clock())
    return True


async def _hard_failure(deps: Deps, delivery: Document, error: str, now: datetime) -> None:
    await deps.deliveries.mark_done(str(delivery["_id"]), DeliveryState.FAILED, error)
    subscription = await deps.subscriptions.get(str(delivery["subscription_id"]))
    if subscription is None:
        return
    if await deps.subscriptions.record_hard_failure(subscription.email_hash, now):
        log.info("suppressing subscription %s after repeated hard failures", subscription.id)
        await deps.subscriptions.suppress(Suppression(subscription.email_hash, BOUNCED, now))


async def _compose(deps: Deps, delivery: Document, now: datetime) -> tuple[EmailMessage, str]:
    subscription = await deps.subscriptions.get(str(delivery["subscription_id"]))
    if subscription is None:
        raise Skip("the subscription no longer exists")
    kind = DeliveryKind(delivery["kind"])
    reason = await deps.subscriptions.suppression_reason(subscription.email_hash)
    # An erased person who subscribes again may be asked to confirm; a bounced address never.
    if reason is not None and (kind is not DeliveryKind.CONFIRMATION or reason == BOUNCED):
        raise Skip(f"the address is suppressed ({reason})")
    try:
        if kind is DeliveryKind.CONFIRMATION:
            message = _confirmation(deps, delivery, subscription, now)
        elif kind is DeliveryKind.DIGEST:
            message = await _digest(deps, delivery, subscription, now)
        else:
            message = await _from_source(deps, kind, delivery, subscription, now)
    except NotEntitled as exc:
        raise Skip(str(exc)) from exc
    return message, subscription.email


def _confirmation(
    deps: Deps, delivery: Document, subscription: Subscription, now: datetime
) -> EmailMessage:
    payload = delivery["payload"]
    expires_at = confirm_expiry(subscription)
    if subscription.confirm_nonce != payload["nonce"] or expires_at is None:
        raise Skip("a newer confirmation link replaced this one, or it was used")
    return render_confirmation(
        # The Message-ID derives from the version that asked for this email, not today's.
        replace(subscription, version=int(payload["version"])),
        confirm_url(deps, subscription, expires_at),
        expires_at,
        sender=deps.sender,
        sent_at=now,
        message_id_domain=deps.settings.list_id_domain,
    )


async def _digest(
    deps: Deps, delivery: Document, subscription: Subscription, now: datetime
) -> EmailMessage:
    payload = delivery["payload"]
    keys = await deps.digest_items.keys(subscription.id, str(delivery["source_key"]))
    sources = await deps.sources.many(keys)
    digest = build_digest(
        subscription,
        items_from_sources(sources.values()),
        parse_instant(payload["period_start"]),
        parse_instant(payload["period_end"]),
    )
    if digest is None:
        raise Skip("nothing left to show in this digest")
    return render_digest(
        digest,
        subscription,
        links_for(deps, subscription, now),
        sender=deps.sender,
        sent_at=now,
        message_id_domain=deps.settings.list_id_domain,
    )


async def _ics(deps: Deps, data: dict[str, Any]) -> bytes | None:
    event = data.get("event")
    if not isinstance(event, dict) or not event.get("ics_url"):
        return None
    # Without the calendar, wait and retry: an alert about a meeting promises its entry.
    return await deps.calendar.fetch_ics(str(event["ics_url"]))


def reminder_from_payload(payload: dict[str, Any]) -> Reminder:
    return Reminder(
        kind=ReminderKind(payload["kind"]),
        key=payload["key"],
        entity_id=payload["entity_id"],
        due_at=parse_instant(payload["due_at"]),
        topics=frozenset(Topic(t) for t in payload["topics"]),
        classification=Classification(payload["classification"]),
        data=payload["data"],
    )


async def _from_source(
    deps: Deps, kind: DeliveryKind, delivery: Document, subscription: Subscription, now: datetime
) -> EmailMessage:
    source = await deps.sources.get(str(delivery["source_key"]))
    if source is None:
        raise Skip("the source of this delivery is gone")
    payload = source["payload"]
    links = links_for(deps, subscription, now)
    domain = deps.settings.list_id_domain
    if kind is DeliveryKind.REMINDER:
        reminder = reminder_from_payload(payload)
        ics = await _ics(deps, payload["data"]) if "event" in payload["data"] else None
        return render_reminder(
            reminder,
            subscription,
            links,
            ics,
            sender=deps.sender,
            sent_at=now,
            message_id_domain=domain,
        )
    return render_alert(
        payload["type"],
        payload["data"],
        subscription,
        links,
        await _ics(deps, payload["data"]),
        event_id=str(source["_id"]),
        sender=deps.sender,
        sent_at=now,
        message_id_domain=domain,
    )
