"""Turn UTC instants into the UK wall-clock wording used in emails."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.contracts.vocabulary import LONDON_TZ

LONDON = ZoneInfo(LONDON_TZ)


def parse_instant(value: object) -> datetime:
    """Return an aware UTC datetime from an ISO 8601 string or an aware datetime."""
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, str):
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        raise ValueError(f"expected an ISO 8601 time, got {value!r}")
    if instant.tzinfo is None:
        raise ValueError(f"a time without a UTC offset is ambiguous: {value!r}")
    return instant.astimezone(UTC)


def parse_day(value: object) -> date:
    """Return a calendar date from an ISO date string (or the date part of a time)."""
    if isinstance(value, datetime):
        return value.astimezone(LONDON).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if "T" in value:
            return parse_instant(value).astimezone(LONDON).date()
        return date.fromisoformat(value)
    raise ValueError(f"expected an ISO 8601 date, got {value!r}")


def london(instant: datetime) -> datetime:
    """Return the instant on the Europe/London wall clock."""
    return instant.astimezone(LONDON)


def format_date(value: date | datetime) -> str:
    """Return e.g. ``4 February 2022`` (London date for instants)."""
    day = london(value).date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"


def format_day_date(value: date | datetime) -> str:
    """Return e.g. ``Friday 4 February 2022``."""
    day = london(value).date() if isinstance(value, datetime) else value
    return f"{day:%A} {day.day} {day:%B %Y}"


def format_time(instant: datetime) -> str:
    """Return e.g. ``5:00pm`` on the London clock."""
    local = london(instant)
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def format_datetime(instant: datetime) -> str:
    """Return e.g. ``Friday 4 February 2022, 5:00pm``."""
    return f"{format_day_date(instant)}, {format_time(instant)}"


def last_day(starts_at: datetime, ends_at: datetime | None) -> date:
    """Return the last London day an all-day entry covers.

    An all-day end is exclusive (RFC 5545 DTEND): an entry on Monday 1 February ends at
    midnight starting Tuesday 2 February. An end that is not a midnight is inclusive.
    """
    first = london(starts_at).date()
    if ends_at is None:
        return first
    end = london(ends_at)
    last = end.date() - timedelta(days=1) if end.time() == time(0, 0) else end.date()
    return max(first, last)


def format_span(starts_at: datetime, ends_at: datetime | None, *, all_day: bool) -> str:
    """Return when an event happens, e.g. ``Friday 28 January 2022, 2:00pm to 3:00pm``."""
    if all_day:
        last = last_day(starts_at, ends_at)
        if last == london(starts_at).date():
            return format_day_date(starts_at)
        return f"{format_day_date(starts_at)} to {format_day_date(last)}"
    if ends_at is None:
        return format_datetime(starts_at)
    if london(ends_at).date() == london(starts_at).date():
        return f"{format_datetime(starts_at)} to {format_time(ends_at)}"
    return f"{format_datetime(starts_at)} to {format_datetime(ends_at)}"


def one_line(text: object, limit: int = 200) -> str:
    """Return `text` on one line, whitespace collapsed and cut to `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
