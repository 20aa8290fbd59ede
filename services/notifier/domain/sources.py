"""What alerts and reminders render, kept once however many subscribers receive it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifier.domain.deliveries import DeliveryKind
from services.notifier.domain.digests import DigestItem
from services.notifier.domain.reminders import Reminder
from shared.events import CloudEvent


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """The parts of a consumed CloudEvent that its alerts and digest lines render later."""

    type: str
    subject: str | None
    time: datetime
    data: Mapping[str, Any]


def stored_event(event: CloudEvent) -> StoredEvent:
    """Return what deliveries need of an event to render it later."""
    return StoredEvent(event.type, event.subject, event.time, event.data)


@dataclass(frozen=True, slots=True)
class Source:
    """A stored event (key: its id) or a due reminder (key: the reminder's key)."""

    key: str
    payload: StoredEvent | Reminder
    created_at: datetime

    @property
    def kind(self) -> DeliveryKind:
        """The kind of the deliveries that render this source."""
        if isinstance(self.payload, Reminder):
            return DeliveryKind.REMINDER
        return DeliveryKind.ALERT


def digest_items(sources: Iterable[Source]) -> list[DigestItem]:
    """Return the digest items of stored events (only events are collected for digests)."""
    return [
        DigestItem(source.key, source.payload.type, source.payload.data, source.payload.time)
        for source in sources
        if isinstance(source.payload, StoredEvent)
    ]
