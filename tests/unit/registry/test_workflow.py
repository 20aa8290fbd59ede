"""Specify the modification workflow: every allowed move, the forbidden ones, and history."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.registry.domain.errors import IllegalTransition, InvalidField, VersionConflict
from services.registry.domain.events import ModificationStatusChanged
from services.registry.domain.models import Modification
from services.registry.domain.workflow import TERMINAL, allowed_transitions, transition
from shared.contracts.statuses import Path, Status
from tests.unit.registry.factories import BASE_URL, T0, modification

S = Status
LATER = T0 + timedelta(hours=1)
PATHS: list[Path | None] = [None, *Path]


def expected_moves(status: Status, path: Path | None, has_release: bool) -> set[Status]:
    """Restate docs/workflow.md independently of the implementation."""
    authority = path in (Path.AUTHORITY_TRIGGERED, Path.AUTHORITY_DETERMINATION)
    self_governed = path in (Path.SELF_GOVERNANCE, Path.FAST_TRACK)
    fast = path is Path.FAST_TRACK
    decide = {S.APPROVED, S.REJECTED}
    match status:
        case S.DRAFT_PROPOSAL | S.INITIAL_CONSIDERATION:
            return {S.REFINEMENT, S.REPORT_PHASE, S.WITHDRAWN}
        case S.REFINEMENT:
            return {S.REPORT_PHASE, S.WITHDRAWN}
        case S.REPORT_PHASE:
            return {S.MODIFICATION_REPORT_CONSULTATION, S.REFINEMENT, S.WITHDRAWN} | (
                decide if fast else set()
            )
        case S.MODIFICATION_REPORT_CONSULTATION:
            if path is None:
                return {S.WITHDRAWN}
            return {S.WITHDRAWN} | (decide if fast else {S.CHANGE_BOARD_VOTE})
        case S.CHANGE_BOARD_VOTE:
            if authority:
                return {S.AWAITING_AUTHORITY_DECISION, S.WITHDRAWN}
            return {S.WITHDRAWN} | (decide if self_governed else set())
        case S.AWAITING_AUTHORITY_DECISION:
            return {S.APPROVED, S.REJECTED, S.REPORT_PHASE}
        case S.APPROVED:
            return ({S.AWAITING_IMPLEMENTATION} if has_release else set()) | (
                {S.REFERRED} if path is Path.SELF_GOVERNANCE else set()
            )
        case S.REJECTED:
            return {S.REFERRED} if path is Path.SELF_GOVERNANCE else set()
        case S.REFERRED:
            return {S.APPROVED, S.REJECTED, S.CHANGE_BOARD_VOTE}
        case S.AWAITING_IMPLEMENTATION:
            return {S.IMPLEMENTED, S.APPROVED}
        case S.IMPLEMENTED | S.WITHDRAWN:
            return set()
    raise AssertionError(status)


CASES = [
    (status, path, has_release)
    for status in Status
    for path in PATHS
    for has_release in (False, True)
]


def _mod(status: Status, path: Path | None, has_release: bool) -> Modification:
    ref = "DP197" if status is S.DRAFT_PROPOSAL else "MP197"
    return modification(ref, status, path=path, target_release="2022-06" if has_release else None)


@pytest.mark.parametrize(("status", "path", "has_release"), CASES)
def test_allowed_transitions_follow_the_documented_workflow(
    status: Status, path: Path | None, has_release: bool
) -> None:
    mod = _mod(status, path, has_release)
    assert set(allowed_transitions(mod)) == expected_moves(status, path, has_release)


@pytest.mark.parametrize(("status", "path", "has_release"), CASES)
def test_every_allowed_move_succeeds_and_every_other_is_refused(
    status: Status, path: Path | None, has_release: bool
) -> None:
    mod = _mod(status, path, has_release)
    allowed = allowed_transitions(mod)
    for to in Status:
        if to in allowed:
            moved, events, entry = transition(mod, to, "secas", "why", LATER, base_url=BASE_URL)
            assert (moved.status, entry.from_status, entry.to_status) == (to, status, to)
            assert len(events) == 1
        else:
            with pytest.raises(IllegalTransition) as refused:
                transition(mod, to, "secas", "why", LATER, base_url=BASE_URL)
            assert refused.value.allowed == allowed


def test_self_governance_modification_is_decided_by_change_board() -> None:
    mod = modification(status=S.CHANGE_BOARD_VOTE, path=Path.SELF_GOVERNANCE)
    assert set(allowed_transitions(mod)) == {S.APPROVED, S.REJECTED, S.WITHDRAWN}
    approved, _, _ = transition(mod, S.APPROVED, "change-board", "unanimous", LATER, base_url="")
    assert approved.status is S.APPROVED


def test_authority_path_modification_goes_from_change_board_to_the_authority() -> None:
    mod = modification("SECMP0004", S.CHANGE_BOARD_VOTE, path=Path.AUTHORITY_DETERMINATION)
    with pytest.raises(IllegalTransition, match="the Authority decides") as refused:
        transition(mod, S.APPROVED, "change-board", "vote", LATER, base_url=BASE_URL)
    assert refused.value.allowed == [S.AWAITING_AUTHORITY_DECISION, S.WITHDRAWN]
    waiting, _, _ = transition(
        mod, S.AWAITING_AUTHORITY_DECISION, "secas", "FMR sent", LATER, base_url=BASE_URL
    )
    approved, _, _ = transition(waiting, S.APPROVED, "ofgem", "determined", LATER, base_url="")
    assert approved.status is S.APPROVED


def test_fast_track_modification_is_decided_by_the_panel_without_a_change_board_vote() -> None:
    mod = modification(status=S.REPORT_PHASE, path=Path.FAST_TRACK)
    assert S.APPROVED in allowed_transitions(mod)
    consulting = modification(status=S.MODIFICATION_REPORT_CONSULTATION, path=Path.FAST_TRACK)
    with pytest.raises(IllegalTransition, match="without a Change Board vote"):
        transition(consulting, S.CHANGE_BOARD_VOTE, "secas", "vote", LATER, base_url="")


def test_a_decision_needs_the_path_determined_first() -> None:
    mod = modification(status=S.CHANGE_BOARD_VOTE, path=None)
    with pytest.raises(IllegalTransition, match="has not determined the path"):
        transition(mod, S.APPROVED, "change-board", "vote", LATER, base_url="")


def test_converting_a_draft_proposal_gives_it_the_mp_reference() -> None:
    draft = modification("DP197", S.DRAFT_PROPOSAL, path=None)
    converted, events, entry = transition(
        draft, S.REFINEMENT, "panel", "Panel converted the DP", LATER, base_url=BASE_URL
    )
    assert str(converted.ref) == "MP197"
    assert (str(entry.previous_ref), str(entry.ref)) == ("DP197", "MP197")
    assert events[0].subject == "MP197"
    assert events[0].data()["modification"]["is_draft"] is False


def test_withdrawing_a_draft_proposal_keeps_its_dp_reference() -> None:
    draft = modification("DP198", S.DRAFT_PROPOSAL, path=None)
    withdrawn, _, entry = transition(
        draft, S.WITHDRAWN, "proposer", "no longer needed", LATER, base_url=""
    )
    assert str(withdrawn.ref) == "DP198" == str(entry.ref)


def test_history_entry_records_who_when_from_to_and_why() -> None:
    mod = modification(status=S.REFINEMENT)
    moved, events, entry = transition(
        mod, S.REPORT_PHASE, "jane@secas", "  Working Group done  ", LATER, base_url=BASE_URL
    )
    assert entry.actor == "jane@secas"
    assert entry.reason == "Working Group done"
    assert entry.at == LATER == moved.updated_at
    assert (entry.from_status, entry.to_status) == (S.REFINEMENT, S.REPORT_PHASE)
    assert entry.version == moved.version == mod.version + 1
    event = events[0]
    assert isinstance(event, ModificationStatusChanged)
    assert event.changed_at == LATER


def test_illegal_transition_names_the_allowed_moves() -> None:
    mod = modification(status=S.REFINEMENT)
    with pytest.raises(IllegalTransition) as refused:
        transition(mod, S.IMPLEMENTED, "secas", "skip ahead", LATER, base_url="")
    assert refused.value.allowed == [S.REPORT_PHASE, S.WITHDRAWN]
    assert "allowed: report-phase, withdrawn" in str(refused.value)


def test_approved_modification_needs_a_target_release_before_awaiting_implementation() -> None:
    mod = modification(status=S.APPROVED, path=Path.AUTHORITY_DETERMINATION)
    with pytest.raises(IllegalTransition, match="set target_release"):
        transition(mod, S.AWAITING_IMPLEMENTATION, "secas", "scheduled", LATER, base_url="")


def test_only_self_governance_change_board_decisions_can_be_referred() -> None:
    rejected = modification("SECMP0021", S.REJECTED, path=Path.SELF_GOVERNANCE)
    referred, _, _ = transition(rejected, S.REFERRED, "party", "appeal", LATER, base_url="")
    assert referred.status is S.REFERRED
    by_authority = modification("SECMP0011", S.REJECTED, path=Path.AUTHORITY_DETERMINATION)
    assert allowed_transitions(by_authority) == []


def test_terminal_statuses_allow_no_moves() -> None:
    assert {S.IMPLEMENTED, S.WITHDRAWN} == TERMINAL
    with pytest.raises(IllegalTransition, match="Implemented is final"):
        transition(modification(status=S.IMPLEMENTED), S.APPROVED, "x", "y", LATER, base_url="")


def test_a_stale_version_is_refused() -> None:
    mod = modification(status=S.REFINEMENT, version=3)
    with pytest.raises(VersionConflict, match="version 3, not 2"):
        transition(mod, S.REPORT_PHASE, "a", "b", LATER, base_url="", expected_version=2)


@pytest.mark.parametrize(("actor", "reason"), [("", "why"), ("secas", "   ")])
def test_a_move_needs_an_actor_and_a_reason(actor: str, reason: str) -> None:
    with pytest.raises(InvalidField, match="must not be empty"):
        transition(modification(), S.REPORT_PHASE, actor, reason, LATER, base_url="")


def test_a_move_needs_an_aware_time_not_before_the_last_change() -> None:
    with pytest.raises(InvalidField, match="naive"):
        transition(modification(), S.REPORT_PHASE, "a", "b", datetime(2022, 2, 1), base_url="")
    with pytest.raises(InvalidField, match="before the last change"):
        transition(modification(), S.REPORT_PHASE, "a", "b", T0 - timedelta(1), base_url="")


def test_statuses_parse_from_machine_names_and_labels() -> None:
    assert Status.parse("Awaiting Authority Decision") is S.AWAITING_AUTHORITY_DECISION
    assert Status.parse("change-board-vote") is S.CHANGE_BOARD_VOTE
    with pytest.raises(ValueError, match="not a status"):
        Status.parse("pending")
