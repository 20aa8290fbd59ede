"""Define the registry's domain errors, each with a message a user can act on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.refs import InvalidReference

if TYPE_CHECKING:
    from shared.contracts.statuses import Status

__all__ = [
    "DomainError",
    "IllegalTransition",
    "InvalidDecision",
    "InvalidField",
    "InvalidReference",
    "InvalidState",
    "VersionConflict",
]


class DomainError(Exception):
    """Base of every error the registry domain raises on purpose."""


class InvalidField(DomainError, ValueError):
    """A field holds a value the registry does not accept."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class IllegalTransition(DomainError):
    """A status move the workflow forbids; carries the moves it allows."""

    def __init__(
        self,
        ref: str,
        from_status: Status,
        to_status: Status,
        allowed: Sequence[Status],
        hint: str = "",
    ) -> None:
        allowed_text = ", ".join(s.value for s in allowed) or "none"
        message = (
            f"{ref} cannot move from {from_status.value} to {to_status.value}; "
            f"allowed: {allowed_text}"
        )
        super().__init__(f"{message} ({hint})" if hint else message)
        self.ref = ref
        self.from_status = from_status
        self.to_status = to_status
        self.allowed = list(allowed)
        self.hint = hint


class InvalidState(DomainError):
    """An operation that the entity's current state does not permit (e.g. closing a closed item)."""


class InvalidDecision(DomainError):
    """A decision that does not fit the modification's path or the deciding body."""


class VersionConflict(DomainError):
    """A write based on a stale version (optimistic concurrency)."""

    def __init__(self, subject: str, expected: int, actual: int) -> None:
        super().__init__(
            f"{subject} is at version {actual}, not {expected}; reload it and try again"
        )
        self.subject = subject
        self.expected = expected
        self.actual = actual
