"""Name every way a calendar entry or a feed request can be invalid."""

from __future__ import annotations

from collections.abc import Mapping

from shared.contracts.events import Unprocessable


class CalendarError(ValueError):
    """Base of the calendar's domain errors; `field` names the offending input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def problem_extensions(self) -> Mapping[str, str]:
        """Extra problem+json members (shared.errors.problem_for reads this)."""
        return {"field": self.field} if self.field else {}


class InvalidEvent(CalendarError):
    """A field value the model cannot hold (empty title, bad id, naive datetime...)."""


class InvalidTimeRange(InvalidEvent):
    """The end is not after the start, or an all-day span is not whole days."""


class UnknownTimezone(InvalidEvent):
    """A time zone name that the IANA database does not know."""


class UnknownCommittee(InvalidEvent):
    """A committee slug that is not in shared.contracts.vocabulary.COMMITTEES."""


class InvalidRecurrence(InvalidEvent):
    """An RRULE that is malformed, unbounded, empty or too long, or a stray EXDATE/override."""


class InvalidChange(CalendarError):
    """A patch that names an unknown or immutable field, or a move the lifecycle forbids."""


class VersionConflict(CalendarError):
    """The caller's version (If-Match) is not the stored one."""


class UnknownFeed(CalendarError):
    """A feed name, topic or selector that does not exist."""


class InvalidRegistryEvent(CalendarError, Unprocessable):
    """A registry event whose data the calendar cannot use: dead-lettered at once."""
