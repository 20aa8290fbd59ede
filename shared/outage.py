"""Log a run of failures of a background loop once when it starts and once when it ends."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field


@dataclass
class Outage:
    """What a loop that retries with back-off says about a dependency that is down.

    `failing` and `resumed` name the loop and what it cannot do ("outbox relay of registry
    cannot publish", "... publishes again"); `waiting` says what waits meanwhile. Failures
    of the `expected` types (something is down) are logged without a traceback; any other
    (a bug) with one.
    """

    log: logging.Logger
    failing: str
    resumed: str
    waiting: str
    expected: tuple[type[BaseException], ...]
    failures: int = 0
    _since: float = field(default=0.0, repr=False)

    def failed(self, exc: Exception) -> None:
        self.failures += 1
        if self.failures == 1:
            self._since = time.monotonic()
            self.log.warning(
                "%s (%s: %s); retrying with back-off, %s",
                self.failing,
                type(exc).__name__,
                exc,
                self.waiting,
                exc_info=not isinstance(exc, self.expected),
            )

    def recovered(self, detail: str = "") -> None:
        if self.failures:
            self.log.warning(
                "%s after %.1f s and %d failed attempts%s",
                self.resumed,
                time.monotonic() - self._since,
                self.failures,
                f" ({detail})" if detail else "",
            )
            self.failures = 0

    def pause(self, base_seconds: float, most_seconds: float) -> float:
        """Return the back-off before the next attempt: doubling from `base_seconds`."""
        return float(min(base_seconds * 2**self.failures, most_seconds))
