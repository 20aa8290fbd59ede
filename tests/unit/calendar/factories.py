"""Build calendar entries and parse rendered feeds for the calendar's unit tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import icalendar
from ical.calendar import Calendar as StrictCalendar
from ical.calendar_stream import IcsCalendarStream

from services.calendar.domain.changes import create_event
from services.calendar.domain.model import CalendarEvent, EventDraft
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType

BASE_URL = "https://calendar.sec.example.org"
NOW = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)


def draft(**overrides: Any) -> EventDraft:
    """Return a valid one-off Change Board meeting, with any field overridden."""
    base = EventDraft(
        id="change-board-62",
        title="Change Board Meeting 62",
        type=EventType.MEETING,
        committee="change-board",
        meeting_number="62",
        starts_at=datetime(2022, 1, 26, 10, 0, tzinfo=UTC),
        ends_at=datetime(2022, 1, 26, 12, 0, tzinfo=UTC),
        location="8 Fenchurch Place, London EC3M 4AJ",
        classification=Classification.WHITE,
    )
    return replace(base, **overrides)


def event(**overrides: Any) -> CalendarEvent:
    """Return a created entry built from `draft(**overrides)`."""
    return create_event(draft(**overrides), NOW, base_url=BASE_URL).event


def parse_both(ics: bytes) -> tuple[icalendar.Calendar, StrictCalendar]:
    """Parse a feed with icalendar and with the stricter `ical` package; both must accept it."""
    lenient = icalendar.Calendar.from_ical(ics)
    strict = IcsCalendarStream.calendar_from_ics(ics.decode("utf-8"))
    return lenient, strict


def vevents(ics: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))
