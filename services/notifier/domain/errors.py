"""Define the notifier's domain exceptions, mapped to problem+json at the web edge."""

from __future__ import annotations


class NotifierError(Exception):
    """Base of every notifier domain error; `str(err)` is safe to show a user."""


class InvalidEmailAddress(NotifierError, ValueError):
    """A subscriber address that is malformed, several addresses or an injection attempt."""


class InvalidSubscriptionField(NotifierError, ValueError):
    """A digest frequency, party category or status that is not one of the known values."""


class InvalidSubscriptionState(NotifierError):
    """A command that the subscription's current status does not allow."""


class InvalidToken(NotifierError):
    """A link token that cannot be honoured; subclasses say why."""


class MalformedToken(InvalidToken):
    """A token that does not have the shape of one of ours."""


class ForgedToken(InvalidToken):
    """A token whose signature does not match: altered or signed with another secret."""


class WrongPurposeToken(InvalidToken):
    """A genuine token presented where another purpose is required."""


class ExpiredToken(InvalidToken):
    """A genuine token past its expiry time."""


class UsedToken(InvalidToken):
    """A single-use token presented a second time."""


class NotEntitled(NotifierError):
    """Content above the subscriber's entitlement, or an alert to an unconfirmed address."""
