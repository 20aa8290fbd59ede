"""Tell the time through one injectable callable, so tests can choose the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Return the current time, aware and in UTC."""


def system_clock() -> datetime:
    return datetime.now(UTC)
