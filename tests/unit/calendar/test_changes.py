"""Specify how entries change: SEQUENCE, versions, cancellation and the events published."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.calendar.domain.changes import (
    apply_patch,
    cancel,
    create_event,
    ensure_manual,
    ensure_version,
)
from services.calendar.domain.domain_events import EventCancelled, EventCreated, EventUpdated
from services.calendar.domain.errors import InvalidChange, VersionConflict
from services.calendar.domain.model import EventStatus
from shared.contracts.classification import Classification
from shared.events import CloudEvent
from tests.unit.calendar.factories import BASE_URL, NOW, draft, event

LATER = NOW + timedelta(days=1)
EVENT_KEYS = {
    "id",
    "uid",
    "sequence",
    "title",
    "type",
    "committee",
    "committee_name",
    "meeting_number",
    "reference",
    "starts_at",
    "ends_at",
    "all_day",
    "timezone",
    "location",
    "online_url",
    "description",
    "classification",
    "status",
    "modification_refs",
    "url",
    "ics_url",
}


def test_create_records_created_event_with_documented_shape() -> None:
    change = create_event(draft(), NOW, base_url=BASE_URL)
    (created,) = change.events
    assert isinstance(created, EventCreated)
    data = created.data()
    assert set(data) == {"event"}
    assert set(data["event"]) == EVENT_KEYS
    assert data["event"]["url"] == f"{BASE_URL}/events/change-board-62"
    assert data["event"]["ics_url"] == f"{BASE_URL}/events/change-board-62.ics"
    assert data["event"]["committee_name"] == "Change Board"
    assert data["event"]["starts_at"] == "2022-01-26T10:00:00+00:00"


def test_domain_events_fit_the_cloudevent_envelope() -> None:
    change = create_event(draft(), NOW, base_url=BASE_URL)
    envelope = CloudEvent.from_domain("/calendar", change.events[0])
    assert envelope.type == "calendar.event.created"
    assert envelope.subject == "change-board-62"


def test_moving_a_meeting_keeps_uid_and_raises_sequence() -> None:
    original = event()
    moved = original.starts_at + timedelta(days=7)
    change = apply_patch(
        original,
        {"starts_at": moved, "ends_at": moved + timedelta(hours=2)},
        LATER,
        base_url=BASE_URL,
    )
    assert change.event.uid == original.uid
    assert change.event.sequence == original.sequence + 1
    assert change.event.version == original.version + 1
    assert change.event.updated_at == LATER
    assert change.changed == ("starts_at", "ends_at")
    (updated,) = change.events
    assert isinstance(updated, EventUpdated)
    data = updated.data()
    assert set(data) == {"event", "changed", "previous"}
    assert data["previous"] == {
        "starts_at": "2022-01-26T10:00:00+00:00",
        "ends_at": "2022-01-26T12:00:00+00:00",
        "location": original.location,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Change Board Meeting 62 (rescheduled)"),
        ("location", "Teleconference"),
        ("description", "New papers"),
        ("status", "tentative"),
        ("online_url", "https://meet.example.org/cb62"),
    ],
)
def test_every_visible_change_raises_sequence(field: str, value: object) -> None:
    change = apply_patch(event(), {field: value}, LATER, base_url=BASE_URL)
    assert change.changed == (field,)
    assert change.event.sequence == 1


def test_reclassifying_changes_version_but_not_sequence() -> None:
    change = apply_patch(event(), {"classification": "green"}, LATER, base_url=BASE_URL)
    assert change.event.classification is Classification.GREEN
    assert (change.event.sequence, change.event.version) == (0, 2)


def test_patch_that_changes_nothing_records_nothing() -> None:
    original = event()
    change = apply_patch(original, {"title": original.title}, LATER, base_url=BASE_URL)
    assert change.event is original
    assert change.changed == ()
    assert change.events == ()


@pytest.mark.parametrize("field", ["id", "uid", "sequence", "version", "created_at", "nonsense"])
def test_patch_of_unknown_or_immutable_field_is_refused(field: str) -> None:
    with pytest.raises(InvalidChange):
        apply_patch(event(), {field: "x"}, LATER, base_url=BASE_URL)


def test_patch_with_bad_enum_value_is_refused() -> None:
    with pytest.raises(InvalidChange):
        apply_patch(event(), {"type": "party"}, LATER, base_url=BASE_URL)


def test_cancelling_by_patch_is_refused() -> None:
    with pytest.raises(InvalidChange):
        apply_patch(event(), {"status": "cancelled"}, LATER, base_url=BASE_URL)


def test_cancel_keeps_uid_raises_sequence_and_records_reason() -> None:
    original = event()
    change = cancel(original, "Quorum not met", LATER, base_url=BASE_URL)
    cancelled = change.event
    assert cancelled.uid == original.uid
    assert cancelled.sequence == original.sequence + 1
    assert cancelled.status is EventStatus.CANCELLED
    assert cancelled.cancelled_at == LATER
    (recorded,) = change.events
    assert isinstance(recorded, EventCancelled)
    assert recorded.data()["reason"] == "Quorum not met"
    assert recorded.data()["event"]["status"] == "cancelled"


def test_cancelling_twice_records_nothing_the_second_time() -> None:
    once = cancel(event(), "Moved online", LATER, base_url=BASE_URL).event
    twice = cancel(once, "Moved online", LATER + timedelta(hours=1), base_url=BASE_URL)
    assert twice.event is once
    assert twice.events == ()


def test_confirming_a_cancelled_entry_reinstates_it() -> None:
    cancelled = cancel(event(), "Clash", LATER, base_url=BASE_URL).event
    change = apply_patch(cancelled, {"status": "confirmed"}, LATER, base_url=BASE_URL)
    assert change.event.status is EventStatus.CONFIRMED
    assert change.event.cancelled_at is None
    assert change.event.cancel_reason is None
    assert change.event.sequence == cancelled.sequence + 1


def test_stale_version_is_a_conflict() -> None:
    current = apply_patch(event(), {"title": "CB 62"}, LATER, base_url=BASE_URL).event
    ensure_version(current, 2)
    with pytest.raises(VersionConflict):
        ensure_version(current, 1)


def test_registry_derived_entry_is_not_edited_by_hand() -> None:
    derived = event(id="release-2022-02", source="registry:release:2022-02")
    with pytest.raises(InvalidChange):
        ensure_manual(derived)
    ensure_manual(event())
