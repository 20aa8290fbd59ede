"""Render the emails of one batch of deliveries, reading what they share only once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Final

from services.notifier.domain.deliveries import (
    ConfirmationRequest,
    Delivery,
    DeliveryKind,
    DigestPeriod,
)
from services.notifier.domain.digests import build_digest, digest_subject_keys
from services.notifier.domain.errors import NotEntitled
from services.notifier.domain.mail import (
    PreparedAlert,
    prepare_alert,
    render_confirmation,
    render_digest,
    render_prepared_alert,
    render_reminder,
)
from services.notifier.domain.matching import held_back_to, is_entitled
from services.notifier.domain.reminders import Reminder
from services.notifier.domain.sources import Source, digest_items
from services.notifier.domain.subscriptions import Subscription
from services.notifier.service.context import NotifierContext
from services.notifier.service.links import confirm_expiry, confirm_url, links_for
from shared.contracts.classification import Classification
from shared.contracts.events import subject_keys

BOUNCED: Final = "bounced"


class Skip(Exception):
    """Nothing should be sent for this delivery any more (the reason is recorded)."""


class Composer:
    """Compose the deliveries of one batch at `now`.

    The batch's subscriptions and suppressions are read up front with `_id $in`; the
    source and the calendar entry, shared by every alert of a fan-out, are fetched once
    (as tasks, so a hundred concurrent sends wait on one read instead of starting a
    hundred), and an event is read for its alerts once.
    """

    def __init__(
        self,
        context: NotifierContext,
        now: datetime,
        subscriptions: Mapping[str, Subscription],
        suppressions: Mapping[str, str],
    ) -> None:
        self._context = context
        self._now = now
        self._subscriptions = subscriptions
        self._suppressions = suppressions
        self._shared: dict[str, asyncio.Task[Any]] = {}
        self._alerts: dict[str, PreparedAlert] = {}

    @classmethod
    async def for_batch(
        cls, context: NotifierContext, now: datetime, deliveries: list[Delivery]
    ) -> Composer:
        subscriptions = await context.subscriptions.many(d.subscription_id for d in deliveries)
        suppressions = await context.subscriptions.suppression_reasons(
            s.email_hash for s in subscriptions.values()
        )
        return cls(context, now, subscriptions, suppressions)

    def subscription(self, delivery: Delivery) -> Subscription | None:
        return self._subscriptions.get(delivery.subscription_id)

    async def _once(self, key: str, load: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self._shared:
            self._shared[key] = asyncio.ensure_future(load())
        return await self._shared[key]

    async def compose(self, delivery: Delivery) -> tuple[EmailMessage, str]:
        """Return the message and its recipient, or raise Skip (or a temporary failure)."""
        subscription = self.subscription(delivery)
        if subscription is None:
            raise Skip("the subscription no longer exists")
        reason = self._suppressions.get(subscription.email_hash)
        # An erased person who subscribes again may be asked to confirm; a bounced address never.
        confirmation = delivery.kind is DeliveryKind.CONFIRMATION
        if reason is not None and (not confirmation or reason == BOUNCED):
            raise Skip(f"the address is suppressed ({reason})")
        try:
            # The payload's type follows the delivery's kind (Delivery checks it).
            match delivery.payload:
                case ConfirmationRequest() as request:
                    message = self._confirmation(request, subscription)
                case DigestPeriod() as period:
                    message = await self._digest(delivery.source_key, period, subscription)
                case None:
                    message = await self._from_source(delivery.source_key, subscription)
        except NotEntitled as exc:
            raise Skip(str(exc)) from exc
        return message, subscription.email

    def _confirmation(
        self, request: ConfirmationRequest, subscription: Subscription
    ) -> EmailMessage:
        context = self._context
        expires_at = confirm_expiry(subscription)
        if subscription.confirm_nonce != request.nonce or expires_at is None:
            raise Skip("a newer confirmation link replaced this one, or it was used")
        return render_confirmation(
            # The Message-ID derives from the version that asked for this email, not today's.
            replace(subscription, version=request.version),
            confirm_url(context, subscription, expires_at),
            expires_at,
            sender=context.sender,
            sent_at=self._now,
            message_id_domain=context.settings.list_id_domain,
        )

    async def _digest(
        self, digest_key: str, period: DigestPeriod, subscription: Subscription
    ) -> EmailMessage:
        context = self._context
        keys = await context.digest_items.keys(subscription.id, digest_key)
        items = digest_items((await context.sources.many(keys)).values())
        digest = build_digest(
            subscription,
            items,
            period.start,
            period.end,
            await context.marks.current(digest_subject_keys(items)),
        )
        if digest is None:
            raise Skip("nothing left to show in this digest")
        return render_digest(
            digest,
            subscription,
            links_for(context, subscription, self._now),
            sender=context.sender,
            sent_at=self._now,
            message_id_domain=context.settings.list_id_domain,
        )

    async def _hold_back(
        self, derived: Classification, data: Mapping[str, Any], subscription: Subscription
    ) -> None:
        """Skip mail whose subject was reclassified beyond the subscriber since it was queued."""
        keys = subject_keys(data)
        current = await self._once(
            "marks:" + "|".join(keys), lambda: self._context.marks.current(keys)
        )
        if not is_entitled(subscription, held_back_to(derived, data, current)):
            raise Skip("its subject was reclassified since; this subscriber may not see it now")

    async def _ics(self, data: Mapping[str, Any], subscription: Subscription) -> bytes | None:
        event = data.get("event")
        if not isinstance(event, dict) or not event.get("ics_url"):
            return None
        # A verified SEC Party's copy may list Green papers; anyone else's lists White only.
        url = str(event["ics_url"]) + ("?audience=parties" if subscription.verified_party else "")
        # Without the calendar, wait and retry: an alert about a meeting promises its entry.
        ics: bytes | None = await self._once(
            f"ics:{url}", lambda: self._context.calendar.fetch_ics(url)
        )
        return ics

    async def _from_source(self, key: str, subscription: Subscription) -> EmailMessage:
        context = self._context
        source: Source | None = await self._once(f"source:{key}", lambda: context.sources.get(key))
        if source is None:
            raise Skip("the source of this delivery is gone")
        links = links_for(context, subscription, self._now)
        domain = context.settings.list_id_domain
        if isinstance(source.payload, Reminder):
            reminder = source.payload
            await self._hold_back(reminder.classification, reminder.data, subscription)
            ics = await self._ics(reminder.data, subscription) if "event" in reminder.data else None
            return render_reminder(
                reminder,
                subscription,
                links,
                ics,
                sender=context.sender,
                sent_at=self._now,
                message_id_domain=domain,
            )
        event = source.payload
        alert = self._alerts.get(source.key)
        if alert is None:
            alert = self._alerts[source.key] = prepare_alert(event.type, event.data, source.key)
        await self._hold_back(alert.classification, event.data, subscription)
        return render_prepared_alert(
            alert,
            subscription,
            links,
            await self._ics(event.data, subscription),
            sender=context.sender,
            sent_at=self._now,
            message_id_domain=domain,
        )
