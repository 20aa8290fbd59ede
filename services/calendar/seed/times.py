"""Turn the UK local dates and times printed in the seed documents into UTC spans."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from services.calendar.domain.model import whole_days
from shared.contracts.vocabulary import LONDON_TZ

_LONDON = ZoneInfo(LONDON_TZ)


def local(day: date, at: str) -> datetime:
    """Return the UTC instant of a London wall-clock time such as ``13:30`` on `day`."""
    hours, minutes = (int(part) for part in at.split(":"))
    return datetime.combine(day, time(hours, minutes), _LONDON).astimezone(UTC)


def span(day: date, start: str, end: str) -> tuple[datetime, datetime]:
    """Return the UTC bounds of a same-day London time window."""
    return local(day, start), local(day, end)


def all_day(day: date) -> tuple[datetime, datetime]:
    """Return the UTC bounds of one whole London day."""
    return whole_days(day, day)
