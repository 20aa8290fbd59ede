"""Check a calendar entry's invariants and normalise its text and times."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.calendar.domain.errors import (
    InvalidEvent,
    InvalidTimeRange,
    UnknownCommittee,
    UnknownTimezone,
)
from services.calendar.domain.model import (
    AgendaItem,
    CalendarEvent,
    Document,
    OccurrenceOverride,
)
from services.calendar.domain.recurrence import check_recurrence
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG, known_committees
from shared.text import EARLIEST, FIRST_YEAR, LAST_YEAR, LATEST, strip_forbidden

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_MEETING_NUMBER = re.compile(r"^\d{1,4}x?$")
_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9_/.-]{0,39}$")
_URL = re.compile(r"^https?://[^\s<>\"]+$")
_SOURCE = re.compile(r"^(manual|seed:[a-z0-9._-]+|registry:[a-z-]+:[A-Za-z0-9._-]+)$")


def single_line(text: str, *, field: str, max_length: int = MAX_TITLE) -> str:
    """Return text as one line: every run of whitespace, CR/LF included, becomes one space.

    A SUMMARY or LOCATION is a label; a line break in it would break email
    subjects and list views, and icalendar would escape it anyway.
    """
    cleaned = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or not _is_control(ch)
    )
    line = " ".join(cleaned.split())
    if not line:
        raise InvalidEvent(f"{field} must not be empty", field=field)
    if len(line) > max_length:
        raise InvalidEvent(f"{field} is longer than {max_length} characters", field=field)
    return line


def multi_line(text: str, *, field: str) -> str:
    """Return text with LF line ends, control characters removed, outer blank lines stripped."""
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    # strip_forbidden first: VT, FF, NEL and U+2028 count as whitespace to Python.
    cleaned = "".join(ch for ch in strip_forbidden(unified) if ch in "\n\t" or not _is_control(ch))
    result = "\n".join(line.rstrip() for line in cleaned.split("\n")).strip("\n")
    if len(result) > MAX_DESCRIPTION:
        raise InvalidEvent(f"{field} is longer than {MAX_DESCRIPTION} characters", field=field)
    return result


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} and not ch.isspace()


def utc(value: datetime, *, field: str) -> datetime:
    """Return an aware datetime in UTC, whole seconds (iCalendar has no fractions)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidEvent(f"{field} must carry a time zone", field=field)
    return value.astimezone(UTC).replace(microsecond=0)


def check_timezone(name: str) -> str:
    """Return an IANA zone name after checking zoneinfo knows it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimezone(f"unknown time zone {name!r}", field="timezone") from exc
    return name


def _optional_line(value: str | None, *, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    return single_line(value, field=field)


def _optional_text(value: str | None, *, field: str) -> str | None:
    if value is None:
        return None
    return multi_line(value, field=field) or None


def _url(value: str | None, *, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    url = value.strip()
    if not _URL.match(url):
        raise InvalidEvent(f"{field} must be an http(s) URL", field=field)
    return url


def _check_span(starts_at: datetime, ends_at: datetime, *, field: str) -> None:
    if ends_at <= starts_at:
        raise InvalidTimeRange(f"{field}: the end must be after the start", field=field)
    # The API refuses these already; entries derived from registry events come this way too.
    if not (starts_at >= EARLIEST and ends_at <= LATEST):
        raise InvalidTimeRange(
            f"{field}: times must lie between {FIRST_YEAR} and {LAST_YEAR}", field=field
        )


def _check_whole_days(event: CalendarEvent) -> None:
    for name, value in (("starts_at", event.local_start), ("ends_at", event.local_end)):
        if value.timetz().replace(tzinfo=None) != time():
            raise InvalidTimeRange(
                f"an all-day entry's {name} must be local midnight in {event.timezone}",
                field=name,
            )


def _override(override: OccurrenceOverride) -> OccurrenceOverride:
    field = "recurrence.overrides"
    normalised = OccurrenceOverride(
        recurrence_id=utc(override.recurrence_id, field=field),
        starts_at=utc(override.starts_at, field=field),
        ends_at=utc(override.ends_at, field=field),
        title=_optional_line(override.title, field=field),
        location=_optional_line(override.location, field=field),
        description=_optional_text(override.description, field=field),
        status=override.status,
    )
    _check_span(normalised.starts_at, normalised.ends_at, field=field)
    return normalised


def validate(event: CalendarEvent) -> CalendarEvent:
    """Return the entry normalised, or raise the domain error that says what is wrong."""
    if not _ID.match(event.id):
        raise InvalidEvent(
            "id must be 1-100 lower-case letters, digits, '.', '_' or '-'", field="id"
        )
    if event.committee is not None and event.committee not in COMMITTEES_BY_SLUG:
        raise UnknownCommittee(
            f"unknown committee {event.committee[:64]!r}; use one of: {known_committees()}",
            field="committee",
        )
    if event.meeting_number is not None and not _MEETING_NUMBER.match(event.meeting_number):
        raise InvalidEvent(
            "meeting_number is digits with an optional 'x' (extraordinary), e.g. 37x",
            field="meeting_number",
        )
    if event.reference is not None and not _REFERENCE.match(event.reference):
        raise InvalidEvent("reference looks like SECP_33_1706", field="reference")
    if not _SOURCE.match(event.source):
        raise InvalidEvent("source is manual, seed:<doc> or registry:<kind>:<id>", field="source")
    if event.sequence < 0 or event.version < 1:
        raise InvalidEvent("sequence starts at 0 and version at 1", field="version")
    normalised = replace(
        event,
        title=single_line(event.title, field="title"),
        timezone=check_timezone(event.timezone),
        starts_at=utc(event.starts_at, field="starts_at"),
        ends_at=utc(event.ends_at, field="ends_at"),
        location=_optional_line(event.location, field="location"),
        online_url=_url(event.online_url, field="online_url"),
        description=multi_line(event.description, field="description"),
        documents=tuple(
            Document(
                title=single_line(d.title, field="documents.title"),
                url=_url(d.url, field="documents.url"),
                classification=d.classification,
            )
            for d in event.documents
        ),
        agenda=tuple(
            AgendaItem(
                title=single_line(item.title, field="agenda.title"),
                modification_refs=tuple(dict.fromkeys(item.modification_refs)),
            )
            for item in event.agenda
        ),
        related_refs=tuple(sorted(set(event.related_refs))),
        created_at=utc(event.created_at, field="created_at"),
        updated_at=utc(event.updated_at, field="updated_at"),
        cancelled_at=None
        if event.cancelled_at is None
        else utc(event.cancelled_at, field="cancelled_at"),
        cancel_reason=_optional_text(event.cancel_reason, field="cancel_reason"),
    )
    _check_span(normalised.starts_at, normalised.ends_at, field="ends_at")
    if normalised.all_day:
        _check_whole_days(normalised)
    if normalised.is_cancelled != (normalised.cancelled_at is not None):
        raise InvalidEvent("cancelled_at is set exactly when status is cancelled", field="status")
    if normalised.recurrence is not None:
        overrides = tuple(_override(o) for o in normalised.recurrence.overrides)
        recurrence = replace(
            normalised.recurrence,
            exdates=tuple(
                utc(d, field="recurrence.exdates") for d in normalised.recurrence.exdates
            ),
            overrides=overrides,
        )
        normalised = replace(
            normalised,
            recurrence=check_recurrence(
                recurrence, normalised.local_start, all_day=normalised.all_day
            ),
        )
    return normalised
