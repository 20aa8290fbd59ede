"""Check that times are aware UTC and convert UK local times at the edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from services.registry.domain.errors import InvalidField

LONDON = ZoneInfo("Europe/London")

# SECAS sets consultation deadlines at 5pm UK time; a document giving only a
# date means that time (docs/decisions/registry-times-in-seed.md).
DEFAULT_CLOSING_TIME = time(17, 0)


def require_utc(field: str, value: datetime) -> datetime:
    """Return `value` in UTC, refusing a naive datetime."""
    if not isinstance(value, datetime):
        raise InvalidField(field, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidField(field, "must be timezone-aware (UTC), not naive")
    return value.astimezone(UTC)


def london(day: date, at: time = DEFAULT_CLOSING_TIME) -> datetime:
    """Return the UTC instant of a UK local date and wall-clock time."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """Format an aware datetime as an ISO 8601 UTC string (None stays None)."""
    return None if value is None else value.astimezone(UTC).isoformat()
