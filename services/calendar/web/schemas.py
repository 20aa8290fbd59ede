"""Request bodies and queries of the calendar API, and their conversion to domain values."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, WithJsonSchema

from services.calendar.domain.errors import InvalidEvent
from services.calendar.domain.local_times import Fold, local_instant
from services.calendar.domain.model import (
    AgendaItem,
    Document,
    EventDraft,
    EventStatus,
    OccurrenceOverride,
    Recurrence,
    whole_days,
)
from services.calendar.domain.validation import check_timezone
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import (
    COMMITTEES,
    LONDON_TZ,
    EventType,
    committee_slug,
    event_type_named,
    known_committees,
)
from shared.refs import InvalidReference, ModificationRef
from shared.text import (
    EARLIEST,
    FIRST_YEAR,
    LAST_YEAR,
    LATEST,
    SaneDate,
    SaneInstant,
    StrictCleanText,
)

MAX_PAGE = 200
# Fields a PATCH may clear with null; the others always hold a value.
NULLABLE = frozenset(
    {"committee", "meeting_number", "reference", "location", "online_url", "recurrence", "id"}
)
# Strings refuse control characters (shared/text.py); times and days lie in 1990-2100.
Text = StrictCleanText
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")
_WHEN_FORMS = (
    "an instant with its offset (2027-03-28T10:00:00Z, 2027-03-28T11:00:00+01:00), a local "
    "wall time read in `timezone` (2027-03-28T11:00:00) or, for all-day entries, a date "
    "(2027-03-28)"
)


def _when(value: object) -> datetime | date:
    """Parse an instant, a local wall time or a day; each in 1990-2100."""
    if isinstance(value, datetime | date):
        parsed: datetime | date = value
    elif not isinstance(value, str):
        raise ValueError(f"must be a string: {_WHEN_FORMS}")
    elif _DAY.fullmatch(value) or _LOCAL.fullmatch(value) or _INSTANT.fullmatch(value):
        try:
            parsed = (
                date.fromisoformat(value)
                if _DAY.fullmatch(value)
                else datetime.fromisoformat(value.replace("Z", "+00:00"))
            )
        except ValueError as exc:
            raise ValueError(f"is not a real date or time ({exc})") from None
    else:
        raise ValueError(f"must be {_WHEN_FORMS}")
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        if not EARLIEST <= parsed < LATEST:
            raise ValueError(f"must be a time between {FIRST_YEAR} and {LAST_YEAR}")
    elif not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(f"must be a time between {FIRST_YEAR} and {LAST_YEAR}")
    return parsed


When = Annotated[
    datetime | date,
    BeforeValidator(_when),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "string", "pattern": f"^{_LOCAL.pattern}$"},
                {"type": "string", "format": "date"},
            ],
            "description": f"When: {_WHEN_FORMS}.",
        }
    ),
]


def _committee(value: object) -> object:
    # An unknown name goes on as it is: the domain refuses it, naming the field.
    return committee_slug(value) or value if isinstance(value, str) else value


def _known_committee(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string naming a committee")
    slug = committee_slug(value)
    if slug is None:
        raise ValueError(f"unknown committee {value[:64]!r}; use one of: {known_committees()}")
    return slug


def _event_type(value: object) -> EventType:
    if isinstance(value, EventType):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a string naming an entry type")
    return event_type_named(value)


_COMMITTEE_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "enum": [name for c in COMMITTEES for name in (c.slug, *c.aliases)],
        "description": "A committee's slug or alias (GET /api/v1/committees); names and "
        "short names in any case are accepted too.",
    }
)
# A committee by slug, alias, name or short name; the slug is what is kept.
CommitteeSlug = Annotated[StrictCleanText, BeforeValidator(_committee), _COMMITTEE_SCHEMA]
# The same in a query, where an unknown one is refused at once.
KnownCommittee = Annotated[str, BeforeValidator(_known_committee), _COMMITTEE_SCHEMA]
# An entry type by value, alias or label.
EventTypeName = Annotated[
    EventType,
    BeforeValidator(_event_type),
    WithJsonSchema(
        {
            "type": "string",
            "enum": [name for t in EventType for name in (t.value, *t.aliases)],
            "description": "An entry type or its alias (GET /api/v1/event-types).",
        }
    ),
]


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
    type: EventTypeName | None = None
    starts_at: When | None = None
    ends_at: When | None = None
    all_day: StrictBool | None = None
    timezone: Text | None = Field(
        None, max_length=64, description="IANA zone of the entry and of local times in this body."
    )
    fold: Fold | None = Field(
        None,
        description="Which of the two instants a local time in the hour the clocks repeat "
        "means; without it such a time is refused, naming both.",
    )
    committee: CommitteeSlug | None = Field(None, max_length=64)
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

    def changes(self, timezone: str) -> dict[str, object]:
        """Return the domain values of the fields the body set; null only clears optional ones.

        Local times and days are read in the body's `timezone`, else in `timezone` (the
        entry's); a day is all day, `ends_at` naming the last one.
        """
        fields = self.model_fields_set - {"fold"}
        cleared = sorted(
            name for name in fields if getattr(self, name) is None and name not in NULLABLE
        )
        if cleared:
            raise InvalidEvent(f"{cleared[0]} cannot be null", field=cleared[0])
        values = {name: _domain_value(name, getattr(self, name)) for name in fields}
        days = [name for name in ("starts_at", "ends_at") if type(values.get(name)) is date]
        if days:
            if len(days) == 1 and {"starts_at", "ends_at"} <= fields:
                raise InvalidEvent("give starts_at and ends_at both as dates or both as times")
            if self.all_day is False:
                raise InvalidEvent(
                    f"{days[0]}: a date without a time is for all-day entries", field=days[0]
                )
            values["all_day"] = True
        for name in ("starts_at", "ends_at"):
            value = values.get(name)
            if type(value) is date:
                first, after = whole_days(value, value, check_timezone(self.timezone or timezone))
                values[name] = first if name == "starts_at" else after
            elif isinstance(value, datetime) and value.tzinfo is None:
                zone = check_timezone(self.timezone or timezone)
                values[name] = local_instant(value, zone, self.fold, field=name)
        return values

    def needs_timezone(self) -> bool:
        """Tell whether the body holds a local time or day but names no zone."""
        return self.timezone is None and any(
            type(value) is date or (isinstance(value, datetime) and value.tzinfo is None)
            for value in (self.starts_at, self.ends_at)
        )


class EventCreate(EventFields):
    """A new entry: title, type and times are required; `id` may be chosen by the caller."""

    id: Text | None = Field(None, max_length=100)
    title: Text = Field(max_length=1000)
    type: EventTypeName
    starts_at: When
    ends_at: When

    def draft(self) -> EventDraft:
        # Fields left out (or null) take EventDraft's defaults, a fresh id included; the
        # API's classification default is White (docs/decisions), the domain has none.
        changes = self.changes(LONDON_TZ)
        values = {name: value for name, value in changes.items() if value is not None}
        values.setdefault("classification", Classification.WHITE)
        return EventDraft(**values)  # type: ignore[arg-type]


class CancelBody(_Model):
    reason: Text = Field(min_length=1, max_length=2000)


class EventListQuery(_Model):
    """GET /api/v1/events: dates are local (Europe/London) days; `to` is inclusive."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: SaneDate | None = Field(None, alias="from")
    to: SaneDate | None = None
    committee: KnownCommittee | None = None
    type: EventTypeName | None = None
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
