"""Deliveries are queued in batches: each a claimable unit of at most BATCH_SIZE emails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notifier.domain.deliveries import (
    BATCH_SIZE,
    BatchState,
    DeliveryKind,
    new_batches,
    new_delivery,
)
from services.notifier.service.delivering import retry_delay

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_deliveries_are_split_into_open_unclaimed_batches_in_order() -> None:
    deliveries = [
        new_delivery(DeliveryKind.ALERT, "event", f"s{n}", NOW) for n in range(BATCH_SIZE * 2 + 5)
    ]
    batches = new_batches(deliveries, NOW, NOW + timedelta(minutes=5))
    assert [len(b.deliveries) for b in batches] == [BATCH_SIZE, BATCH_SIZE, 5]
    assert [d for b in batches for d in b.deliveries] == deliveries
    assert len({b.id for b in batches}) == 3
    for batch in batches:
        assert batch.state is BatchState.OPEN
        assert batch.attempts == 0
        assert batch.claimed_until == NOW  # any worker may claim it at once
        assert batch.next_attempt_at == NOW + timedelta(minutes=5)  # then the sweeper


def test_a_batch_holds_deliveries_of_one_source() -> None:
    mixed = [
        new_delivery(DeliveryKind.ALERT, "event-1", "s1", NOW),
        new_delivery(DeliveryKind.REMINDER, "reminder-1", "s1", NOW),
        new_delivery(DeliveryKind.ALERT, "event-1", "s2", NOW),
    ]
    batches = new_batches(mixed, NOW, NOW)
    assert [(b.kind, b.source_key, len(b.deliveries)) for b in batches] == [
        (DeliveryKind.ALERT, "event-1", 2),
        (DeliveryKind.REMINDER, "reminder-1", 1),
    ]
    assert all(
        d.source_key == b.source_key and d.kind is b.kind for b in batches for d in b.deliveries
    )


def test_nothing_to_send_makes_no_batch() -> None:
    assert new_batches([], NOW, NOW) == []


def test_retry_delay_doubles_from_a_minute_up_to_an_hour() -> None:
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(20) == timedelta(hours=1)
