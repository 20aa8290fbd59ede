"""Turn a wall-clock time in a time zone into one instant, or say why there is none or two.

When the clocks go forward a wall time in the gap never happens; when they go back a
wall time in the repeated hour happens twice. Neither is guessed
(docs/decisions/calendar-local-wall-times.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from services.calendar.domain.errors import InvalidTimeRange


class Fold(StrEnum):
    """Which of the two instants a wall time in the repeated hour means."""

    EARLIER = "earlier"
    LATER = "later"


class NonexistentLocalTime(InvalidTimeRange):
    """A wall time the clocks skip: it happens nowhere."""

    def __init__(self, message: str, *, field: str, nearest: tuple[datetime, datetime]) -> None:
        super().__init__(message, field=field)
        self.nearest = nearest

    @property
    def problem_extensions(self) -> Mapping[str, Any]:
        return {
            **super().problem_extensions,
            "nearest_valid": [t.isoformat() for t in self.nearest],
        }


class AmbiguousLocalTime(InvalidTimeRange):
    """A wall time the clocks repeat: it happens twice, and the caller must say which."""

    def __init__(self, message: str, *, field: str, earlier: datetime, later: datetime) -> None:
        super().__init__(message, field=field)
        self.earlier = earlier
        self.later = later

    @property
    def problem_extensions(self) -> Mapping[str, Any]:
        return {
            **super().problem_extensions,
            "instants": {"earlier": self.earlier.isoformat(), "later": self.later.isoformat()},
        }


def _exists(candidate: datetime, wall: datetime, zone: ZoneInfo) -> bool:
    return candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None, fold=0) == wall


def _change_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """Return the UTC instant at which the clocks jumped over `wall` (it lies in a gap)."""
    # The wall time read with the offset after the jump is before it, with the one before
    # after it: the jump lies between them, at most a day apart (Samoa skipped a day).
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    offset = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def local_instant(wall: datetime, timezone: str, fold: Fold | None, *, field: str) -> datetime:
    """Return the UTC instant of the naive wall time `wall` in `timezone`.

    Raise NonexistentLocalTime in a spring-forward gap (naming the nearest valid times)
    and AmbiguousLocalTime in an autumn overlap unless `fold` says which is meant.
    """
    zone = ZoneInfo(timezone)
    wall = wall.replace(tzinfo=None, fold=0)
    readings = [wall.replace(tzinfo=zone, fold=which) for which in (0, 1)]
    instants = sorted({r.astimezone(UTC) for r in readings if _exists(r, wall, zone)})
    if not instants:
        change = _change_instant(wall, zone)
        before = (change - timedelta(seconds=1)).astimezone(zone)
        after = change.astimezone(zone)
        offset_before = before.utcoffset() or timedelta()
        jumps_from = (change + offset_before).strftime("%H:%M")
        raise NonexistentLocalTime(
            f"{field}: {wall.isoformat()} does not exist in {timezone}: the clocks go forward "
            f"from {jumps_from} to {after.strftime('%H:%M')} that day; the nearest valid "
            f"times are {before.isoformat()} and {after.isoformat()}",
            field=field,
            nearest=(before, after),
        )
    if len(instants) == 1:
        return instants[0]
    earlier, later = instants
    if fold is None:
        raise AmbiguousLocalTime(
            f"{field}: {wall.isoformat()} happens twice in {timezone} (the clocks go back "
            f'that day): send "fold": "earlier" for {earlier.isoformat()} or "later" '
            f"for {later.isoformat()}, or send the time with its offset",
            field=field,
            earlier=earlier,
            later=later,
        )
    return earlier if fold is Fold.EARLIER else later
