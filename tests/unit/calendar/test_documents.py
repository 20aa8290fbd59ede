"""Specify that entries survive the trip to a MongoDB document and back."""

from __future__ import annotations

from datetime import timedelta

from services.calendar.adapters.documents import from_document, to_document
from services.calendar.domain.changes import cancel
from services.calendar.domain.model import OccurrenceOverride, Recurrence
from services.calendar.seed import load_seed
from services.calendar.seed.times import local
from tests.unit.calendar.factories import BASE_URL, NOW, event


def test_every_seed_entry_round_trips() -> None:
    for entry in load_seed():
        assert from_document(to_document(entry)) == entry


def test_recurring_cancelled_entry_round_trips() -> None:
    first = NOW + timedelta(days=1)
    series = event(
        starts_at=first,
        ends_at=first + timedelta(hours=1),
        recurrence=Recurrence(
            "FREQ=WEEKLY;COUNT=3",
            exdates=(first + timedelta(days=7),),
            overrides=(
                OccurrenceOverride(
                    first + timedelta(days=14),
                    first + timedelta(days=15),
                    first + timedelta(days=15, hours=1),
                    title="Moved",
                ),
            ),
        ),
    )
    cancelled = cancel(series, "No longer needed", NOW, base_url=BASE_URL).event
    assert from_document(to_document(cancelled)) == cancelled


def test_naive_utc_datetimes_from_pymongo_are_read_as_utc() -> None:
    entry = event(starts_at=local(NOW.date() + timedelta(days=3), "10:00"))
    doc = to_document(entry)
    naive = {k: v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v else v for k, v in doc.items()}
    assert from_document(naive) == entry


def test_document_is_keyed_by_id_with_denormalised_modification_refs() -> None:
    panel_33 = next(e for e in load_seed() if e.id == "sec-panel-33")
    doc = to_document(panel_33)
    assert doc["_id"] == "sec-panel-33"
    assert "SECMP0014" in doc["modification_refs"]
