"""Specify creating and editing modifications, consultations, decisions and releases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.registry.domain.consultations import (
    close_consultation,
    consultation_id,
    move_consultation,
    open_consultation,
)
from services.registry.domain.decisions import record_decision
from services.registry.domain.errors import (
    InvalidDecision,
    InvalidField,
    InvalidState,
    VersionConflict,
)
from services.registry.domain.events import (
    ConsultationClosed,
    ConsultationClosing,
    ConsultationOpened,
    DecisionRecorded,
    ModificationCreated,
    ModificationUpdated,
    ReleasePublished,
    ReleaseScheduled,
)
from services.registry.domain.models import (
    ConsultationKind,
    ConsultationStatus,
    DecisionBody,
    DocumentChange,
    Outcome,
    ReleaseKind,
    ReleaseStatus,
    Vote,
)
from services.registry.domain.modifications import create_modification, update_modification
from services.registry.domain.releases import publish_release, schedule_release
from services.registry.domain.times import london
from services.registry.domain.views import (
    consultation_view,
    history_entry_view,
    modification_view,
    release_view,
)
from services.registry.domain.workflow import transition
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path, Status
from shared.refs import ModificationRef
from tests.unit.registry.factories import BASE_URL, T0, modification

LATER = T0 + timedelta(days=1)


WHITE = Classification.WHITE


def test_a_new_draft_proposal_starts_in_the_development_stage() -> None:
    mod, events = create_modification(
        ModificationRef.parse("DP197"),
        "Reallocating Third Party Communications Hubs in the Event of a SoLR",
        T0,
        base_url=BASE_URL,
        fields={"affected_documents": ["Section F"], "proposer": "A MAP", "classification": WHITE},
    )
    assert mod.status is Status.DRAFT_PROPOSAL
    assert mod.affected_documents == ("Section F",)
    assert mod.version == 1
    assert [type(e) for e in events] == [ModificationCreated]


def test_a_new_modification_proposal_starts_at_initial_consideration() -> None:
    mod, _ = create_modification(
        ModificationRef.parse("MP200"), "A title", T0, base_url="", fields={"classification": "red"}
    )
    assert mod.status is Status.INITIAL_CONSIDERATION
    assert mod.classification is Classification.RED


def test_a_new_modification_must_say_who_may_see_it() -> None:
    with pytest.raises(InvalidField, match="classification"):
        create_modification(ModificationRef.parse("MP200"), "A title", T0, base_url="")


def test_update_returns_only_the_fields_that_changed_and_bumps_the_version() -> None:
    mod = modification()
    updated, changed, events = update_modification(
        mod,
        {"title": mod.title, "path": "path-2", "high_impact": True, "linked_irps": ["IRP550"]},
        LATER,
        base_url=BASE_URL,
    )
    assert changed == ["path", "high_impact", "linked_irps"]
    assert updated.path is Path.AUTHORITY_DETERMINATION
    assert updated.version == 2
    assert updated.updated_at == LATER
    assert isinstance(events[0], ModificationUpdated)
    assert events[0].data()["changed"] == changed


def test_an_update_that_changes_nothing_records_no_event() -> None:
    mod = modification()
    same, changed, events = update_modification(mod, {"title": mod.title}, LATER, base_url="")
    assert (same, changed, events) == (mod, [], [])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "approved"}, "cannot be set"),
        ({"ref": "MP1"}, "cannot be set"),
        ({"title": ""}, "must not be empty"),
        ({"title": {"$gt": ""}}, "expected text"),
        ({"path": "path-9"}, "not a valid path"),
        ({"high_impact": "yes"}, "true or false"),
        ({"affected_documents": ["Section 1"]}, "not a SEC document"),
        ({"affected_documents": "Section A"}, "list of strings"),
        ({"linked_irps": ["550"]}, "not an IRP reference"),
        ({"target_release": "June 2022"}, "not a slug"),
        ({"classification": "purple"}, "not a classification"),
    ],
)
def test_bad_fields_are_refused_with_a_clear_message(
    fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidField, match=message):
        update_modification(modification(), fields, LATER, base_url="")


def test_an_update_on_a_stale_version_is_refused() -> None:
    with pytest.raises(VersionConflict):
        update_modification(modification(), {"title": "x"}, LATER, base_url="", expected_version=7)


def test_modification_view_has_status_label_and_allowed_transitions() -> None:
    view = modification_view(modification(status=Status.CHANGE_BOARD_VOTE))
    assert view["status"] == "change-board-vote"
    assert view["status_label"] == "Change Board Vote"
    assert view["allowed_transitions"] == ["approved", "rejected", "withdrawn"]
    assert view["created_at"] == "2022-01-20T09:00:00+00:00"


def test_consultation_closing_time_is_stored_in_utc_from_uk_local_time() -> None:
    assert london(date(2022, 2, 4)) == datetime(2022, 2, 4, 17, tzinfo=UTC)
    # British Summer Time: 5pm in London is 4pm UTC.
    assert london(date(2022, 6, 30)) == datetime(2022, 6, 30, 16, tzinfo=UTC)


def test_consultation_must_close_after_it_opens() -> None:
    with pytest.raises(InvalidField, match="closes_at: must be after opens_at"):
        open_consultation(
            "Budget",
            ConsultationKind.BUDGET,
            LATER,
            T0,
            "Helpdesk",
            base_url="",
            classification=WHITE,
        )
    with pytest.raises(InvalidField, match="closes_at: must be after opens_at"):
        open_consultation(
            "Budget", ConsultationKind.BUDGET, T0, T0, "Helpdesk", base_url="", classification=WHITE
        )


def test_consultation_times_must_be_aware() -> None:
    with pytest.raises(InvalidField, match="naive"):
        open_consultation(
            "Budget",
            ConsultationKind.BUDGET,
            T0,
            datetime(2022, 2, 1),
            "Helpdesk",
            base_url="",
            classification=WHITE,
        )


def test_a_standalone_consultation_opens_moves_and_closes() -> None:
    closes = london(date(2022, 2, 4))
    consultation, opened = open_consultation(
        "ECoS JIP Change Request",
        ConsultationKind.JIP_CHANGE_REQUEST,
        T0,
        closes,
        "smip.sdc@beis.gov.uk",
        base_url=BASE_URL,
        classification=WHITE,
    )
    assert consultation.modification_ref is None
    assert consultation.id == consultation_id("ECoS JIP Change Request", closes)
    assert consultation.id == "ecos-jip-change-request-2022-02-04"
    assert isinstance(opened[0], ConsultationOpened)

    moved, moved_events = move_consultation(
        consultation, None, closes + timedelta(days=7), base_url=""
    )
    assert isinstance(moved_events[0], ConsultationClosing)
    assert move_consultation(moved, None, moved.closes_at, base_url="") == (moved, [])

    closed, closed_events = close_consultation(moved, None, moved.closes_at, base_url="")
    assert closed.status is ConsultationStatus.CLOSED
    assert isinstance(closed_events[0], ConsultationClosed)
    with pytest.raises(InvalidState, match="already closed"):
        close_consultation(closed, None, LATER, base_url="")
    with pytest.raises(InvalidState, match="is closed"):
        move_consultation(closed, None, LATER, base_url="")


def test_change_board_recommends_on_an_authority_path() -> None:
    mod = modification("SECMP0004", Status.CHANGE_BOARD_VOTE, path=Path.AUTHORITY_DETERMINATION)
    with pytest.raises(InvalidDecision, match="recommend_approve"):
        record_decision(
            mod,
            DecisionBody.CHANGE_BOARD,
            Outcome.APPROVE,
            date(2017, 4, 19),
            base_url="",
            classification=WHITE,
        )
    decision, events = record_decision(
        mod,
        DecisionBody.CHANGE_BOARD,
        Outcome.RECOMMEND_APPROVE,
        date(2017, 4, 19),
        base_url="",
        classification=WHITE,
    )
    assert decision.id == "secmp0004-change-board-2017-04-19"
    assert isinstance(events[0], DecisionRecorded)


def test_change_board_decides_a_self_governance_modification_by_vote() -> None:
    mod = modification("SECMP0021", Status.CHANGE_BOARD_VOTE, path=Path.SELF_GOVERNANCE)
    decision, _ = record_decision(
        mod,
        DecisionBody.CHANGE_BOARD,
        Outcome.REJECT,
        date(2017, 4, 19),
        vote=Vote.MAJORITY,
        base_url="",
        classification=WHITE,
    )
    assert decision.vote is Vote.MAJORITY
    with pytest.raises(InvalidDecision, match="the Change Board decides"):
        record_decision(
            mod,
            DecisionBody.CHANGE_BOARD,
            Outcome.RECOMMEND_REJECT,
            date(2017, 4, 19),
            base_url="",
            classification=WHITE,
        )
    with pytest.raises(InvalidDecision, match="Authority does not decide"):
        record_decision(
            mod,
            DecisionBody.AUTHORITY,
            Outcome.APPROVE,
            date(2017, 5, 1),
            base_url="",
            classification=WHITE,
        )


def test_only_the_change_board_records_a_vote() -> None:
    with pytest.raises(InvalidField, match="only a Change Board"):
        record_decision(
            modification(),
            DecisionBody.PANEL,
            Outcome.DETERMINE,
            date(2016, 6, 17),
            vote=Vote.MAJORITY,
            base_url="",
            classification=WHITE,
        )


def test_a_scheduled_release_takes_its_id_and_name_from_its_month_and_is_published_once() -> None:
    release, scheduled = schedule_release(
        date(2020, 11, 29),
        ReleaseKind.SCHEDULED,
        base_url=BASE_URL,
        modification_refs=[ModificationRef.parse("MP080")],
        documents=[
            DocumentChange(
                "Section A \u2018Definitions and Interpretation\u2019", True, True, False
            )
        ],
    )
    assert (release.id, release.name) == ("2020-11", "November 2020 SEC Release")
    assert isinstance(scheduled[0], ReleaseScheduled)
    published, events = publish_release(release, T0, base_url=BASE_URL, sec_version="27.0")
    assert published.status is ReleaseStatus.PUBLISHED
    assert published.sec_version == "27.0"
    assert isinstance(events[0], ReleasePublished)
    assert release_view(published, BASE_URL)["documents"][0]["beis_designation"] is False
    with pytest.raises(InvalidState, match="already published"):
        publish_release(published, LATER, base_url="")


def test_a_release_never_holds_a_draft_proposal() -> None:
    with pytest.raises(InvalidField, match="Draft Proposal cannot be released"):
        schedule_release(
            date(2022, 6, 30),
            ReleaseKind.SCHEDULED,
            base_url="",
            modification_refs=[ModificationRef.parse("DP199")],
        )


def test_history_and_consultation_views_are_json_ready() -> None:
    draft = modification("DP197", Status.DRAFT_PROPOSAL, path=None)
    _, _, entry = transition(draft, Status.REFINEMENT, "panel", "converted", LATER, base_url="")
    assert history_entry_view(entry) == {
        "ref": "MP197",
        "previous_ref": "DP197",
        "from_status": "draft-proposal",
        "from_label": "Draft Proposal (Development Stage)",
        "to_status": "refinement",
        "to_label": "Refinement",
        "actor": "panel",
        "reason": "converted",
        "at": "2022-01-21T09:00:00+00:00",
        "version": 2,
    }
    consultation, _ = open_consultation(
        "Budget",
        ConsultationKind.BUDGET,
        T0,
        LATER,
        "Helpdesk",
        base_url=BASE_URL,
        classification=WHITE,
    )
    view = consultation_view(consultation, BASE_URL, WHITE)
    assert view["classification"] == "white"
    assert view["url"] == f"{BASE_URL}/consultations/{consultation.id}"
