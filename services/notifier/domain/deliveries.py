"""Deliveries (one email each), the batches workers send them in, and how each one ended."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

# Enough to amortise a claim, its reads, renewals, close and outbox record (at 100 they
# cost the database a sixth more per email, decision 0060); small enough that a batch is
# sent in about a second, well within a claim's lease.
BATCH_SIZE: Final = 250


class DeliveryKind(StrEnum):
    """What a delivery renders: the source key means something different for each."""

    ALERT = "alert"  # source key = CloudEvent id, source stored in notifier_sources
    REMINDER = "reminder"  # source key = reminder key, source stored in notifier_sources
    DIGEST = "digest"  # source key = digest key, payload = period
    CONFIRMATION = "confirmation"  # source key = confirm:<version>, payload = nonce


@dataclass(frozen=True, slots=True)
class ConfirmationRequest:
    """What a confirmation email checks: the nonce it links, the version that asked for it."""

    nonce: str
    version: int


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    """The period a digest covers, from `start` to `end` (when it goes out)."""

    start: datetime
    end: datetime


DeliveryPayload = ConfirmationRequest | DigestPeriod | None

# Alerts and reminders carry nothing of their own: they render their stored source.
_PAYLOAD_TYPES: Final[dict[DeliveryKind, type[object]]] = {
    DeliveryKind.ALERT: type(None),
    DeliveryKind.REMINDER: type(None),
    DeliveryKind.DIGEST: DigestPeriod,
    DeliveryKind.CONFIRMATION: ConfirmationRequest,
}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One email to one subscriber; its batch says when it is sent, `Ended` how it ended.

    A delivery is never changed once stored: it is pending until an outcome is recorded.
    """

    id: str
    kind: DeliveryKind
    source_key: str
    subscription_id: str
    payload: DeliveryPayload
    created_at: datetime

    def __post_init__(self) -> None:
        expected = _PAYLOAD_TYPES[self.kind]
        if not isinstance(self.payload, expected):
            raise ValueError(
                f"a {self.kind.value} delivery carries {expected.__name__}, "
                f"not {type(self.payload).__name__}"
            )


def new_delivery(
    kind: DeliveryKind,
    source_key: str,
    subscription_id: str,
    now: datetime,
    payload: DeliveryPayload = None,
) -> Delivery:
    """Return a new delivery with a fresh id."""
    return Delivery(uuid.uuid4().hex, kind, source_key, subscription_id, payload, now)


class DeliveryOutcome(StrEnum):
    """How a delivery ended; a delivery without an outcome has not been sent yet."""

    SENT = "sent"
    FAILED = "failed"  # permanent (5xx, or out of attempts)
    SKIPPED = "skipped"  # nothing to send any more: unsubscribed, suppressed, superseded


@dataclass(frozen=True, slots=True)
class Ended:
    """A delivery's outcome, written once."""

    delivery_id: str
    outcome: DeliveryOutcome
    at: datetime
    message_id: str | None = None
    error: str | None = None


class BatchState(StrEnum):
    """Open until every delivery in it has ended (or run out of attempts)."""

    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Batch:
    """Deliveries of one source that a worker claims and sends together.

    The batch holds its deliveries: one document for up to BATCH_SIZE emails, where a document
    each cost the database four times as much to queue (decision 0059). A worker holds
    its claim until `claimed_until`; the sweeper asks again for a batch still open at
    `next_attempt_at`.
    """

    id: str
    kind: DeliveryKind
    source_key: str
    deliveries: tuple[Delivery, ...]
    state: BatchState
    attempts: int
    created_at: datetime
    claimed_until: datetime
    next_attempt_at: datetime
    last_error: str | None
    done_at: datetime | None

    @property
    def delivery_ids(self) -> list[str]:
        return [delivery.id for delivery in self.deliveries]


@dataclass(frozen=True, slots=True)
class StuckBatch:
    """An open batch no queued job is likely to pick up: what the sweeper asks again for."""

    id: str
    kind: DeliveryKind


def new_batches(deliveries: Sequence[Delivery], now: datetime, due_at: datetime) -> list[Batch]:
    """Split `deliveries` into open batches of one source each, BATCH_SIZE at most.

    The sweeper requeues a batch still open at `due_at`.
    """
    by_source: dict[tuple[DeliveryKind, str], list[Delivery]] = {}
    for delivery in deliveries:
        by_source.setdefault((delivery.kind, delivery.source_key), []).append(delivery)
    return [
        Batch(
            id=uuid.uuid4().hex,
            kind=kind,
            source_key=source_key,
            deliveries=tuple(group[start : start + BATCH_SIZE]),
            state=BatchState.OPEN,
            attempts=0,
            created_at=now,
            # Unclaimed: any worker may take it from now on.
            claimed_until=now,
            next_attempt_at=due_at,
            last_error=None,
            done_at=None,
        )
        for (kind, source_key), group in by_source.items()
        for start in range(0, len(group), BATCH_SIZE)
    ]
