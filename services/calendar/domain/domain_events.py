"""Record what happened to an entry as calendar.event.* domain events (docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from services.calendar.domain.model import CalendarEvent
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG


def event_url(base_url: str, event_id: str) -> str:
    """Return the HTML page of an entry."""
    return f"{base_url.rstrip('/')}/events/{event_id}"


def ics_url(base_url: str, event_id: str) -> str:
    """Return the single-entry .ics of an entry."""
    return f"{event_url(base_url, event_id)}.ics"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def event_shape(event: CalendarEvent, base_url: str) -> dict[str, Any]:
    """Return the shared `event` shape of docs/events.md."""
    committee = COMMITTEES_BY_SLUG.get(event.committee) if event.committee else None
    return {
        "id": event.id,
        "uid": event.uid,
        "sequence": event.sequence,
        "title": event.title,
        "type": event.type.value,
        "committee": event.committee,
        "committee_name": committee.name if committee else None,
        "meeting_number": event.meeting_number,
        "reference": event.reference,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "all_day": event.all_day,
        "timezone": event.timezone,
        "location": event.location,
        "online_url": event.online_url,
        "description": event.description,
        "classification": event.classification.value,
        "status": event.status.value,
        "modification_refs": [str(ref) for ref in event.modification_refs],
        "url": event_url(base_url, event.id),
        "ics_url": ics_url(base_url, event.id),
    }


@dataclass(frozen=True, slots=True)
class EventCreated:
    """calendar.event.created"""

    event_type: ClassVar[str] = "calendar.event.created"
    event: CalendarEvent
    base_url: str

    @property
    def subject(self) -> str:
        return self.event.id

    def data(self) -> dict[str, Any]:
        return {"event": event_shape(self.event, self.base_url)}


@dataclass(frozen=True, slots=True)
class EventUpdated:
    """calendar.event.updated; `previous` holds the time and place before the change."""

    event_type: ClassVar[str] = "calendar.event.updated"
    event: CalendarEvent
    previous: CalendarEvent
    changed: tuple[str, ...]
    base_url: str

    @property
    def subject(self) -> str:
        return self.event.id

    def data(self) -> dict[str, Any]:
        return {
            "event": event_shape(self.event, self.base_url),
            "changed": list(self.changed),
            "previous": {
                "starts_at": _iso(self.previous.starts_at),
                "ends_at": _iso(self.previous.ends_at),
                "location": self.previous.location,
            },
        }


@dataclass(frozen=True, slots=True)
class EventCancelled:
    """calendar.event.cancelled"""

    event_type: ClassVar[str] = "calendar.event.cancelled"
    event: CalendarEvent
    reason: str
    base_url: str

    @property
    def subject(self) -> str:
        return self.event.id

    def data(self) -> dict[str, Any]:
        return {"event": event_shape(self.event, self.base_url), "reason": self.reason}


CalendarDomainEvent = EventCreated | EventUpdated | EventCancelled
