"""Specify the entries registry events create, move and cancel, idempotently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.calendar.domain.deadlines import (
    CancelDeadline,
    CancelModificationDeadlines,
    UpsertDeadline,
    apply_deadline,
    deadline_action,
)
from services.calendar.domain.errors import InvalidRegistryEvent
from services.calendar.domain.model import CalendarEvent, EventStatus
from services.calendar.domain.rendering import render_feed
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType
from tests.unit.calendar.factories import BASE_URL, NOW, parse_both

LATER = NOW + timedelta(days=2)


def consultation(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "mp192-rc",
        "title": "MP192 'Extend Scheduled Services for SMETS1 Devices'",
        "kind": "refinement",
        "kind_label": "Refinement Consultation",
        "modification_ref": "MP192",
        "opens_at": "2022-01-14T09:00:00+00:00",
        "closes_at": "2022-02-04T17:00:00+00:00",
        "respond_to": "sec.change@gemserv.com",
        "url": "https://registry.example.org/consultations/mp192-rc",
        "status": "open",
        "classification": "white",
    } | overrides


def modification(**overrides: Any) -> dict[str, Any]:
    return {
        "ref": "MP192",
        "title": "Extend Scheduled Services",
        "summary": "",
        "status": "refinement",
        "status_label": "Refinement",
        "is_draft": False,
        "url": "https://registry.example.org/modifications/MP192",
        "classification": "white",
    } | overrides


def status_changed(to_status: str, to_label: str) -> dict[str, Any]:
    return {
        "modification": modification(status=to_status, status_label=to_label),
        "previous_ref": "MP192",
        "from_status": "refinement",
        "to_status": to_status,
        "from_label": "Refinement",
        "to_label": to_label,
        "reason": "The proposer withdrew it",
        "actor": "secas",
        "changed_at": "2022-01-20T09:00:00+00:00",
    }


def release(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "2022-06",
        "name": "June 2022 SEC Release",
        "sec_version": None,
        "effective_date": "2022-06-30",
        "kind": "scheduled",
        "modification_refs": ["SECMP0015", "MP104"],
        "url": "https://registry.example.org/releases/2022-06",
    } | overrides


def decision(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "mp192-cb-1",
        "modification_ref": "MP192",
        "body": "change_board",
        "outcome": "approve",
        "vote": "unanimous",
        "decided_on": "2022-03-23",
        "summary": "Approved unanimously.",
        "classification": "white",
    } | overrides


def run(
    event_type: str, data: dict[str, Any], existing: CalendarEvent | None, now: datetime = NOW
) -> CalendarEvent | None:
    action = deadline_action(event_type, data)
    assert isinstance(action, UpsertDeadline | CancelDeadline)
    change = apply_deadline(action, existing, now, base_url=BASE_URL)
    return None if change is None else change.event


def test_opened_consultation_becomes_a_30_minute_block_ending_at_the_close() -> None:
    entry = run("registry.consultation.opened", {"consultation": consultation()}, None)
    assert entry is not None
    assert entry.id == "consultation-mp192-rc"
    assert entry.type is EventType.CONSULTATION_DEADLINE
    assert entry.ends_at == datetime(2022, 2, 4, 17, 0, tzinfo=UTC)
    assert entry.ends_at - entry.starts_at == timedelta(minutes=30)
    assert [str(r) for r in entry.modification_refs] == ["MP192"]
    assert entry.source == "registry:consultation:mp192-rc"
    assert "Responses by 17:00 on 4 February 2022" in entry.description
    parse_both(render_feed([entry], name="x", description="x", base_url=BASE_URL))


def test_redelivered_consultation_event_changes_nothing() -> None:
    data = {"consultation": consultation()}
    entry = run("registry.consultation.opened", data, None)
    assert run("registry.consultation.opened", data, entry, LATER) is None


def test_moved_closing_date_updates_the_same_entry_and_raises_sequence() -> None:
    entry = run("registry.consultation.opened", {"consultation": consultation()}, None)
    moved = run(
        "registry.consultation.closing",
        {"consultation": consultation(closes_at="2022-02-11T17:00:00+00:00")},
        entry,
        LATER,
    )
    assert entry is not None
    assert moved is not None
    assert (moved.id, moved.uid) == (entry.id, entry.uid)
    assert moved.sequence == entry.sequence + 1
    assert moved.ends_at == datetime(2022, 2, 11, 17, 0, tzinfo=UTC)


def test_closed_consultation_keeps_its_entry() -> None:
    entry = run("registry.consultation.opened", {"consultation": consultation()}, None)
    closed = {"consultation": consultation(status="closed")}
    assert run("registry.consultation.closed", closed, entry, LATER) is None


def test_withdrawn_modification_cancels_its_upcoming_consultation_closing() -> None:
    entry = run("registry.consultation.opened", {"consultation": consultation()}, None)
    assert entry is not None
    action = deadline_action(
        "registry.modification.status_changed", status_changed("withdrawn", "Withdrawn")
    )
    assert isinstance(action, CancelModificationDeadlines)
    assert action.applies_to(entry, NOW)
    assert not action.applies_to(entry, entry.ends_at + timedelta(minutes=1))


def test_other_status_changes_carry_no_dated_entry() -> None:
    data = status_changed("change-board-vote", "Change Board Vote")
    assert deadline_action("registry.modification.status_changed", data) is None


def test_scheduled_release_is_a_tentative_all_day_go_live() -> None:
    entry = run("registry.release.scheduled", {"release": release()}, None)
    assert entry is not None
    assert entry.id == "release-2022-06"
    assert entry.all_day
    assert entry.type is EventType.RELEASE_GO_LIVE
    assert entry.status is EventStatus.TENTATIVE
    assert entry.first_day.isoformat() == "2022-06-30"


def test_published_release_confirms_and_a_late_scheduled_does_not_undo_it() -> None:
    scheduled = run("registry.release.scheduled", {"release": release()}, None)
    published = run("registry.release.published", {"release": release()}, scheduled, LATER)
    assert published is not None
    assert published.status is EventStatus.CONFIRMED
    assert run("registry.release.scheduled", {"release": release()}, published, LATER) is None


def test_change_board_decision_becomes_a_dated_vote_entry() -> None:
    entry = run(
        "registry.decision.recorded",
        {"decision": decision(), "modification": modification()},
        None,
    )
    assert entry is not None
    assert entry.id == "decision-mp192-cb-1"
    assert entry.type is EventType.CHANGE_BOARD_VOTE
    assert entry.committee == "change-board"
    assert entry.title == "Change Board vote: MP192 Extend Scheduled Services"


@pytest.mark.parametrize("body", ["panel", "authority"])
def test_panel_and_authority_decisions_make_no_entry(body: str) -> None:
    data = {"decision": decision(body=body), "modification": modification()}
    assert deadline_action("registry.decision.recorded", data) is None


def test_cancel_deadline_cancels_once_and_then_does_nothing() -> None:
    entry = run("registry.consultation.opened", {"consultation": consultation()}, None)
    action = CancelDeadline("consultation-mp192-rc", "Withdrawn")
    first = apply_deadline(action, entry, LATER, base_url=BASE_URL)
    assert first is not None
    assert first.event.status is EventStatus.CANCELLED
    assert apply_deadline(action, first.event, LATER, base_url=BASE_URL) is None
    assert apply_deadline(action, None, LATER, base_url=BASE_URL) is None


def test_events_without_calendar_meaning_are_ignored() -> None:
    data = {"modification": modification()}
    assert deadline_action("registry.modification.created", data) is None


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("registry.consultation.opened", {}),
        ("registry.consultation.opened", {"consultation": consultation(closes_at="soon")}),
        ("registry.release.published", {"release": release(modification_refs=["NOPE"])}),
    ],
    ids=["empty", "bad-time", "bad-ref"],
)
def test_malformed_registry_data_is_a_clear_error(event_type: str, data: dict[str, Any]) -> None:
    with pytest.raises(InvalidRegistryEvent):
        deadline_action(event_type, data)


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name != key}


def test_a_consultation_without_a_classification_is_refused_not_read_as_white() -> None:
    with pytest.raises(InvalidRegistryEvent, match="classification"):
        deadline_action(
            "registry.consultation.opened",
            {"consultation": _without(consultation(), "classification")},
        )


@pytest.mark.parametrize("mark", ["black", None, "", 3])
def test_a_classification_the_calendar_does_not_know_reads_as_red(mark: object) -> None:
    data = {"consultation": consultation(classification=mark)}
    entry = run("registry.consultation.opened", data, None)
    assert entry is not None
    assert entry.classification is Classification.RED


@pytest.mark.parametrize("mark", ["green", "amber", "red"])
def test_a_derived_deadline_and_vote_inherit_their_source_mark(mark: str) -> None:
    deadline = run(
        "registry.consultation.opened", {"consultation": consultation(classification=mark)}, None
    )
    vote = run(
        "registry.decision.recorded",
        {"decision": decision(), "modification": modification(classification=mark)},
        None,
    )
    assert deadline is not None
    assert vote is not None
    assert deadline.classification is vote.classification is Classification(mark)


def test_a_reclassified_consultation_moves_its_deadline_both_ways() -> None:
    white = run("registry.consultation.opened", {"consultation": consultation()}, None)
    red = run(
        "registry.consultation.reclassified",
        {"consultation": consultation(classification="red")},
        white,
        LATER,
    )
    assert red is not None
    assert red.classification is Classification.RED
    assert red.status is EventStatus.CONFIRMED
    back = run("registry.consultation.reclassified", {"consultation": consultation()}, red, LATER)
    assert back is not None
    assert back.classification is Classification.WHITE


def test_a_reclassified_decision_moves_its_vote() -> None:
    vote = run(
        "registry.decision.recorded", {"decision": decision(), "modification": modification()}, None
    )
    amber = run(
        "registry.decision.reclassified",
        {"decision": decision(classification="amber"), "modification": modification()},
        vote,
        LATER,
    )
    assert amber is not None
    assert amber.classification is Classification.AMBER


def test_a_release_update_keeps_a_published_go_live_confirmed() -> None:
    published = run("registry.release.published", {"release": release()}, None)
    updated = run(
        "registry.release.updated", {"release": release(modification_refs=["MP104"])}, published
    )
    assert updated is not None
    assert updated.status is EventStatus.CONFIRMED
    assert updated.classification is Classification.WHITE
    assert "SECMP0015" not in updated.description
