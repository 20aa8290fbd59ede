"""Assemble what the use cases need from the platform, the settings and a clock."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any, ClassVar

from services.notifier.adapters.batches import BatchRepository
from services.notifier.adapters.calendar_client import CalendarClient
from services.notifier.adapters.deliveries import DeliveryRepository
from services.notifier.adapters.fanouts import FanoutRepository
from services.notifier.adapters.marks import MarkRepository
from services.notifier.adapters.rate_limits import RateLimiter
from services.notifier.adapters.schedule_runs import ScheduleRunRepository
from services.notifier.adapters.smtp import DkimSigner, SmtpPool, SmtpTarget
from services.notifier.adapters.sources import (
    DigestItemRepository,
    ProjectionRepository,
    SourceRepository,
)
from services.notifier.adapters.subscriptions import SubscriptionRepository
from services.notifier.domain.deliveries import DeliveryKind
from services.notifier.domain.mail import Sender
from shared.app import Platform
from shared.clock import Clock
from shared.db import Mongo
from shared.outbox import Outbox
from shared.settings import NotifierSettings


def link_secret(settings: NotifierSettings) -> bytes:
    """Derive the 32-byte key of subscriber links and feed tokens from SECRET_KEY.

    Derived rather than used as is: the link tokens need at least 32 bytes whatever
    the deployment's secret looks like, and a separate key keeps bearer tokens and
    subscriber links from ever being interchangeable.
    """
    raw = settings.secret_key.get_secret_value().encode()
    return hashlib.sha256(b"sec-notifier/links/v1\x00" + raw).digest()


@dataclass(frozen=True)
class BatchRequested:
    """The outbox record that queues one batch of deliveries for the sending workers."""

    event_type: ClassVar[str] = "notifier.delivery.batch"
    batch_id: str
    kind: DeliveryKind

    @property
    def subject(self) -> str:
        return self.batch_id

    def data(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "kind": self.kind.value}


@dataclass(frozen=True)
class NotifierContext:
    """The notifier's resources, built once the platform has opened them; tests pass a clock."""

    settings: NotifierSettings
    clock: Clock
    mongo: Mongo
    outbox: Outbox
    subscriptions: SubscriptionRepository
    deliveries: DeliveryRepository
    batches: BatchRepository
    fanouts: FanoutRepository
    sources: SourceRepository
    digest_items: DigestItemRepository
    projections: ProjectionRepository
    marks: MarkRepository
    schedule_runs: ScheduleRunRepository
    rate_limiter: RateLimiter
    smtp: SmtpPool
    # SMTP_CONCURRENCY slots, each held from a send's DATA until its outcome is recorded.
    sending: asyncio.Semaphore
    calendar: CalendarClient
    secret: bytes
    sender: Sender
    instance: str
    # Set to make this process's fan-out job look for open fan-outs now.
    fanout_wanted: asyncio.Event = field(default_factory=asyncio.Event)

    def fan_out_soon(self) -> None:
        """Wake this process's fan-out job: it looks for the fan-out until it is committed."""
        self.fanout_wanted.set()


def build_context(platform: Platform, settings: NotifierSettings, clock: Clock) -> NotifierContext:
    """Return the context of a started platform: repositories, SMTP pool, links and clock."""
    mongo = platform.mongo
    name, address = parseaddr(settings.mail_from)
    return NotifierContext(
        settings=settings,
        clock=clock,
        mongo=mongo,
        outbox=platform.outbox,
        subscriptions=SubscriptionRepository(mongo),
        deliveries=DeliveryRepository(mongo),
        batches=BatchRepository(mongo),
        fanouts=FanoutRepository(mongo),
        sources=SourceRepository(mongo),
        digest_items=DigestItemRepository(mongo),
        projections=ProjectionRepository(mongo),
        marks=MarkRepository(mongo),
        schedule_runs=ScheduleRunRepository(mongo),
        rate_limiter=RateLimiter(mongo),
        smtp=SmtpPool(
            SmtpTarget.parse(settings.smtp_url),
            settings.smtp_concurrency,
            signer=DkimSigner.from_settings(settings),
        ),
        sending=asyncio.Semaphore(settings.smtp_concurrency),
        calendar=CalendarClient(
            platform.http, settings.public_base_url_calendar, settings.calendar_url
        ),
        secret=link_secret(settings),
        sender=Sender(address or settings.mail_from, name or "SEC alerts"),
        instance=platform.instance,
    )
