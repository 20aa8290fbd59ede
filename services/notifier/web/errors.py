"""Map the notifier's domain errors to HTTP statuses, for problem+json and for pages."""

from __future__ import annotations

from services.notifier.domain.errors import (
    ExpiredToken,
    InvalidEmailAddress,
    InvalidSubscriptionField,
    InvalidSubscriptionState,
    InvalidToken,
    UsedToken,
)
from shared.contracts.topics import UnknownTopic
from shared.errors import ErrorMap

# Most specific first: pages look the status up along the exception's MRO too.
ERROR_MAP: ErrorMap = {
    InvalidEmailAddress: (422, "Invalid email address"),
    UnknownTopic: (422, "Unknown topic"),
    InvalidSubscriptionField: (422, "Invalid subscription field"),
    ExpiredToken: (410, "Link expired"),
    UsedToken: (410, "Link no longer valid"),
    InvalidToken: (400, "Invalid link"),
    InvalidSubscriptionState: (409, "Not possible in this state"),
}


def status_of(exc: Exception) -> tuple[int, str]:
    for exc_type in type(exc).__mro__:
        if exc_type in ERROR_MAP:
            return ERROR_MAP[exc_type]
    return 500, "Internal Server Error"
