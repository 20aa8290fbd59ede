"""Request bodies and queries of the calendar API, and their conversion to domain values."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.calendar.domain.errors import InvalidEvent
from services.calendar.domain.model import (
    AgendaItem,
    Document,
    EventDraft,
    EventStatus,
    OccurrenceOverride,
    Recurrence,
)
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import LONDON_TZ, EventType
from shared.refs import InvalidReference, ModificationRef
from shared.text import SaneDate, SaneInstant, StrictCleanText

MAX_PAGE = 200
# Fields a PATCH may clear with null; the others always hold a value.
NULLABLE = frozenset(
    {"committee", "meeting_number", "reference", "location", "online_url", "recurrence", "id"}
)
# Strings refuse control characters (shared/text.py); times and days lie in 1990-2100.
Text = StrictCleanText


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentIn(_Model):
    title: Text = Field(max_length=300)
    url: Text | None = Field(None, max_length=2000)
    classification: Classification = Classification.WHITE


class AgendaItemIn(_Model):
    title: Text = Field(max_length=300)
    modification_refs: list[Text] = Field(default_factory=list, max_length=50)


class OverrideIn(_Model):
    recurrence_id: SaneInstant
    starts_at: SaneInstant
    ends_at: SaneInstant
    title: Text | None = Field(None, max_length=300)
    location: Text | None = Field(None, max_length=300)
    description: Text | None = Field(None, max_length=20_000)
    status: EventStatus | None = None


class RecurrenceIn(_Model):
    rule: Text = Field(max_length=300)
    exdates: list[SaneInstant] = Field(default_factory=list, max_length=520)
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=520)


class EventFields(_Model):
    """Every field a person may set; all optional, as in a PATCH."""

    title: Text | None = Field(None, max_length=1000)
    type: EventType | None = None
    starts_at: SaneInstant | None = None
    ends_at: SaneInstant | None = None
    all_day: StrictBool | None = None
    timezone: Text | None = Field(None, max_length=64)
    committee: Text | None = Field(None, max_length=64)
    meeting_number: Text | None = Field(None, max_length=8)
    reference: Text | None = Field(None, max_length=40)
    location: Text | None = Field(None, max_length=1000)
    online_url: Text | None = Field(None, max_length=2000)
    description: Text | None = Field(None, max_length=20_000)
    documents: list[DocumentIn] | None = Field(None, max_length=100)
    agenda: list[AgendaItemIn] | None = Field(None, max_length=100)
    related_refs: list[Text] | None = Field(None, max_length=50)
    classification: Classification | None = None
    status: Literal["confirmed", "tentative"] | None = None
    recurrence: RecurrenceIn | None = None

    def changes(self) -> dict[str, object]:
        """Return the domain values of the fields the body set; null only clears optional ones."""
        cleared = sorted(
            name
            for name in self.model_fields_set
            if getattr(self, name) is None and name not in NULLABLE
        )
        if cleared:
            raise InvalidEvent(f"{cleared[0]} cannot be null", field=cleared[0])
        return {name: _domain_value(name, getattr(self, name)) for name in self.model_fields_set}


class EventCreate(EventFields):
    """A new entry: title, type and times are required; `id` may be chosen by the caller."""

    id: Text | None = Field(None, max_length=100)
    title: Text = Field(max_length=1000)
    type: EventType
    starts_at: SaneInstant
    ends_at: SaneInstant

    def draft(self) -> EventDraft:
        # Fields left out (or null) take EventDraft's defaults, a fresh id included; the
        # API's classification default is White (docs/decisions), the domain has none.
        values = {name: value for name, value in self.changes().items() if value is not None}
        values.setdefault("classification", Classification.WHITE)
        return EventDraft(**values)  # type: ignore[arg-type]


class CancelBody(_Model):
    reason: Text = Field(min_length=1, max_length=2000)


class EventListQuery(_Model):
    """GET /api/v1/events: dates are local (Europe/London) days; `to` is inclusive."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: SaneDate | None = Field(None, alias="from")
    to: SaneDate | None = None
    committee: Text | None = Field(None, max_length=64)
    type: EventType | None = None
    modification: Text | None = Field(None, max_length=16)
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=10_000)

    def window(self) -> tuple[datetime | None, datetime | None]:
        zone = ZoneInfo(LONDON_TZ)
        start = None if self.from_ is None else datetime.combine(self.from_, time(), zone)
        end = None
        if self.to is not None:
            end = datetime.combine(date.fromordinal(self.to.toordinal() + 1), time(), zone)
        return start, end


def parse_refs(values: list[str], *, field: str) -> tuple[ModificationRef, ...]:
    try:
        return tuple(ModificationRef.parse(value) for value in values)
    except InvalidReference as exc:
        raise InvalidEvent(str(exc), field=field) from exc


def _domain_value(name: str, value: Any) -> object:
    if value is None:
        return None
    match name:
        case "documents":
            return tuple(Document(d.title, d.url, d.classification) for d in value)
        case "agenda":
            return tuple(
                AgendaItem(item.title, parse_refs(item.modification_refs, field="agenda"))
                for item in value
            )
        case "related_refs":
            return parse_refs(value, field="related_refs")
        case "status":
            return EventStatus(value)
        case "recurrence":
            return Recurrence(
                rule=value.rule,
                exdates=tuple(value.exdates),
                overrides=tuple(OccurrenceOverride(**o.model_dump()) for o in value.overrides),
            )
        case _:
            return value
