"""Response bodies of the calendar API, as the OpenAPI document describes them."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.calendar.domain.model import EventStatus
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentOut(_Out):
    title: str
    url: str | None
    classification: Classification


class AgendaItemOut(_Out):
    title: str
    modification_refs: list[str]


class OverrideOut(_Out):
    recurrence_id: AwareDatetime
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    title: str | None
    location: str | None
    description: str | None
    status: EventStatus | None


class RecurrenceOut(_Out):
    rule: str
    exdates: list[AwareDatetime]
    overrides: list[OverrideOut]


class EventOut(_Out):
    """A calendar entry: times are UTC instants; an all-day entry ends at the midnight after."""

    id: str
    uid: str
    sequence: int
    version: int
    title: str
    type: EventType
    committee: str | None
    committee_name: str | None
    meeting_number: str | None
    reference: str | None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    all_day: bool
    timezone: str
    location: str | None
    online_url: str | None
    description: str
    classification: Classification
    status: EventStatus
    modification_refs: list[str]
    url: str
    ics_url: str
    documents: list[DocumentOut]
    agenda: list[AgendaItemOut]
    related_refs: list[str]
    recurrence: RecurrenceOut | None
    cancelled_at: AwareDatetime | None
    cancel_reason: str | None
    source: str
    created_at: AwareDatetime
    updated_at: AwareDatetime


class EventPage(_Out):
    items: list[EventOut]
    limit: int
    offset: int
    next_offset: int | None


class CommitteeOut(_Out):
    slug: str
    name: str
    short_name: str
    aliases: list[str]
    feed_url: str


class CommitteeList(_Out):
    items: list[CommitteeOut]


class EventTypeOut(_Out):
    slug: EventType
    name: str
    aliases: list[str]
    feed_url: str


class EventTypeList(_Out):
    items: list[EventTypeOut]
