"""Define the calendar entry and its parts as immutable values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.contracts.classification import Classification
from shared.contracts.vocabulary import LONDON_TZ, EventType
from shared.refs import ModificationRef

UID_DOMAIN = "calendar.sec.example.org"
MANUAL_SOURCE = "manual"


class EventStatus(StrEnum):
    """RFC 5545 STATUS values a VEVENT of ours can carry."""

    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Document:
    """A paper published for a meeting, visible per its classification."""

    title: str
    url: str | None = None
    classification: Classification = Classification.WHITE


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One agenda line; `modification_refs` lets per-modification feeds find the meeting."""

    title: str
    modification_refs: tuple[ModificationRef, ...] = ()


@dataclass(frozen=True, slots=True)
class OccurrenceOverride:
    """A change to one occurrence of a series, keyed by the start the rule gives it (UTC)."""

    recurrence_id: datetime
    starts_at: datetime
    ends_at: datetime
    title: str | None = None
    location: str | None = None
    description: str | None = None
    status: EventStatus | None = None


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A bounded RRULE (no DTSTART inside), excluded starts and single-occurrence overrides."""

    rule: str
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[OccurrenceOverride, ...] = ()


def new_event_id() -> str:
    """Return a fresh id for a manually created event."""
    return f"evt-{uuid.uuid4().hex[:16]}"


def uid_for(event_id: str) -> str:
    """Return the iCalendar UID an event keeps for its whole life."""
    return f"{event_id}@{UID_DOMAIN}"


def whole_days(
    first_day: date, last_day: date, timezone: str = LONDON_TZ
) -> tuple[datetime, datetime]:
    """Return the UTC bounds of an all-day span: local midnight to the midnight after last_day."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first_day, time(), zone)
    end = datetime.combine(last_day + timedelta(days=1), time(), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True, slots=True, kw_only=True)
class EventDraft:
    """What a person (or a registry event) supplies to create an entry."""

    id: str = field(default_factory=new_event_id)
    title: str
    type: EventType
    starts_at: datetime
    ends_at: datetime
    all_day: bool = False
    timezone: str = LONDON_TZ
    committee: str | None = None
    meeting_number: str | None = None
    reference: str | None = None
    location: str | None = None
    online_url: str | None = None
    description: str = ""
    documents: tuple[Document, ...] = ()
    agenda: tuple[AgendaItem, ...] = ()
    related_refs: tuple[ModificationRef, ...] = ()
    # No default: who may see an entry is said when it is made, or inherited from its source.
    classification: Classification
    status: EventStatus = EventStatus.CONFIRMED
    recurrence: Recurrence | None = None
    source: str = MANUAL_SOURCE


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarEvent:
    """A meeting, event or deadline as stored, published and rendered.

    Times are aware UTC. An all-day entry runs from local midnight of its first
    day to local midnight after its last day, in `timezone`.
    """

    id: str
    uid: str
    sequence: int
    title: str
    type: EventType
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    timezone: str
    committee: str | None
    meeting_number: str | None
    reference: str | None
    location: str | None
    online_url: str | None
    description: str
    documents: tuple[Document, ...]
    agenda: tuple[AgendaItem, ...]
    related_refs: tuple[ModificationRef, ...]
    classification: Classification
    status: EventStatus
    cancelled_at: datetime | None
    cancel_reason: str | None
    recurrence: Recurrence | None
    created_at: datetime
    updated_at: datetime
    version: int
    source: str

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def first_day(self) -> date:
        """Return the local date the entry starts on."""
        return self.local_start.date()

    @property
    def end_day_exclusive(self) -> date:
        """Return the local date after an all-day entry's last day (DTEND;VALUE=DATE)."""
        return self.local_end.date()

    @property
    def modification_refs(self) -> tuple[ModificationRef, ...]:
        """Return every modification the entry names, agenda and related, sorted."""
        refs = set(self.related_refs)
        for item in self.agenda:
            refs.update(item.modification_refs)
        return tuple(sorted(refs))

    @property
    def derived_from_registry(self) -> bool:
        return self.source.startswith("registry:")
