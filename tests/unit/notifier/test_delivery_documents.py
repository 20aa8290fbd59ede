"""Deliveries, batches and sources keep the stored shape they had as plain documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.notifier.adapters.batches import (
    batch_document,
    batch_from_document,
    deliveries_document,
    delivery_document,
)
from services.notifier.adapters.deliveries import ended_document
from services.notifier.adapters.sources import source_document, source_from_document
from services.notifier.domain.deliveries import (
    ConfirmationRequest,
    Delivery,
    DeliveryKind,
    DeliveryOutcome,
    DigestPeriod,
    Ended,
    new_batches,
    new_delivery,
)
from services.notifier.domain.reminders import Reminder, ReminderKind
from services.notifier.domain.sources import Source, StoredEvent, digest_items, stored_event
from shared.contracts.classification import Classification
from shared.contracts.topics import Topic
from shared.events import CloudEvent
from tests.unit.notifier.samples import NOW, consultation, status_changed

PERIOD = DigestPeriod(NOW - timedelta(days=1), NOW)


def read_back(delivery: Delivery) -> Delivery:
    """Store `delivery` in its batch and read it back."""
    [batch] = new_batches([delivery], NOW, NOW)
    [stored] = batch_from_document(batch_document(batch), deliveries_document(batch)).deliveries
    return stored


def test_a_confirmation_delivery_stores_its_nonce_and_the_version_that_asked() -> None:
    delivery = new_delivery(
        DeliveryKind.CONFIRMATION, "confirm:3", "sub-1", NOW, ConfirmationRequest("nonce", 3)
    )
    document = delivery_document(delivery)
    # Its kind and source are its batch's.
    assert document == {
        "_id": delivery.id,
        "subscription_id": "sub-1",
        "payload": {"nonce": "nonce", "version": 3},
        "created_at": NOW,
    }
    assert read_back(delivery) == delivery


def test_a_digest_delivery_stores_its_period_as_iso_text() -> None:
    delivery = new_delivery(DeliveryKind.DIGEST, "digest:sub-1:daily", "sub-1", NOW, PERIOD)
    document = delivery_document(delivery)
    assert document["payload"] == {
        "period_start": "2022-01-23T09:00:00+00:00",
        "period_end": "2022-01-24T09:00:00+00:00",
    }
    assert read_back(delivery) == delivery


@pytest.mark.parametrize("kind", [DeliveryKind.ALERT, DeliveryKind.REMINDER], ids=str)
def test_alerts_and_reminders_carry_no_payload_of_their_own(kind: DeliveryKind) -> None:
    delivery = new_delivery(kind, "source", "sub-1", NOW)
    document = delivery_document(delivery)
    assert document["payload"] is None
    assert read_back(delivery) == delivery


def test_a_delivery_whose_payload_does_not_fit_its_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="digest delivery carries DigestPeriod"):
        Delivery("d1", DeliveryKind.DIGEST, "key", "sub-1", None, NOW)
    with pytest.raises(ValueError, match="alert delivery"):
        Delivery("d1", DeliveryKind.ALERT, "key", "sub-1", PERIOD, NOW)


def test_a_delivery_read_back_naive_is_taken_as_utc() -> None:
    [batch] = new_batches([new_delivery(DeliveryKind.ALERT, "event", "sub-1", NOW)], NOW, NOW)
    document = deliveries_document(batch)
    document["deliveries"][0]["created_at"] = NOW.replace(tzinfo=None)
    assert batch_from_document(batch_document(batch), document).deliveries[0].created_at == NOW


def test_an_outcome_row_keeps_its_fields_and_cuts_a_long_error() -> None:
    ended = Ended("d1", DeliveryOutcome.FAILED, NOW, error="550 " + "x" * 600)
    document = ended_document(ended)
    assert document == {
        "_id": "d1",
        "outcome": "failed",
        "at": NOW,
        "message_id": None,
        "error": ("550 " + "x" * 600)[:500],
    }


def test_a_batch_round_trips_with_its_deliveries_and_its_claim_and_lease_fields() -> None:
    deliveries = [new_delivery(DeliveryKind.REMINDER, "reminder:x", s, NOW) for s in ("s1", "s2")]
    [batch] = new_batches(deliveries, NOW, NOW + timedelta(minutes=5))
    document = batch_document(batch)
    assert document == {
        "_id": batch.id,
        "kind": "reminder",
        "state": "open",
        "attempts": 0,
        "created_at": NOW,
        "claimed_until": NOW,
        "next_attempt_at": NOW + timedelta(minutes=5),
        "last_error": None,
        "done_at": None,
    }
    # Its deliveries: a document of their own with the batch's id, written once.
    held = deliveries_document(batch)
    assert held == {
        "_id": batch.id,
        "kind": "reminder",
        "source_key": "reminder:x",
        "deliveries": [delivery_document(d) for d in deliveries],
    }
    assert batch_from_document(document, held) == batch


def test_an_alert_source_stores_the_events_type_subject_time_and_data() -> None:
    event = CloudEvent(
        source="/registry",
        type="registry.modification.status_changed",
        subject="MP192",
        data=status_changed(),
        time=NOW,
    )
    source = Source(event.id, stored_event(event), NOW)
    document = source_document(source)
    assert document == {
        "_id": event.id,
        "kind": "alert",
        "payload": {
            "type": event.type,
            "subject": "MP192",
            "time": NOW.isoformat(),
            "data": event.data,
        },
        "created_at": NOW,
    }
    assert source_from_document(document) == source
    [item] = digest_items([source])
    assert (item.key, item.event_type, item.occurred_at) == (event.id, event.type, NOW)


def test_a_reminder_source_round_trips() -> None:
    data: dict[str, Any] = {"consultation": consultation()}
    reminder = Reminder(
        ReminderKind.CONSULTATION_1D,
        "reminder:consultation-1d:con-1:2022-01-28T17:00:00+00:00",
        "con-1",
        datetime(2022, 1, 27, 17, 0, tzinfo=UTC),
        frozenset({Topic("consultations"), Topic("all")}),
        Classification.WHITE,
        data,
    )
    source = Source(reminder.key, reminder, NOW)
    document = source_document(source)
    assert document["kind"] == "reminder"
    assert document["payload"]["topics"] == ["all", "consultations"]
    assert document["payload"]["due_at"] == "2022-01-27T17:00:00+00:00"
    assert document["payload"]["classification"] == "white"
    assert source_from_document(document) == source
    assert digest_items([source]) == []


def test_a_source_stored_without_a_known_kind_is_refused() -> None:
    document = source_document(Source("k", StoredEvent("t", None, NOW, {}), NOW))
    document["kind"] = "digest"
    with pytest.raises(ValueError, match="no source is stored for digest"):
        source_from_document(document)
