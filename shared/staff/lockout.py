"""Decide when a username is locked after failed sign-ins (pure: no I/O).

Five failures within fifteen minutes lock the username for fifteen minutes from
the fifth; attempts during the lock are refused unchecked and do not extend it.
Unknown usernames are counted like known ones, so the answer never tells which
names exist (docs/decisions/console-staff-accounts.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutRule:
    failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)

    def locked_until(self, attempts: Sequence[datetime], now: datetime) -> datetime | None:
        """Return when the lock ends if `attempts` (failed, oldest first) lock it at `now`."""
        if len(attempts) < self.failures:
            return None
        recent = sorted(attempts)[-self.failures :]
        if recent[-1] - recent[0] > self.window:
            return None
        until = recent[-1] + self.lock
        return until if now < until else None

    @property
    def kept(self) -> int:
        """How many of the latest attempts decide (what the store keeps)."""
        return self.failures

    @property
    def remembered(self) -> timedelta:
        """How long a record of attempts matters after the last one."""
        return self.window + self.lock
