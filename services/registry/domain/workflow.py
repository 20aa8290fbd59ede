"""Decide which status moves a modification may make, and make them (docs/workflow.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.registry.domain.errors import IllegalTransition, InvalidField, VersionConflict
from services.registry.domain.events import ModificationStatusChanged
from services.registry.domain.models import Modification, require_text
from services.registry.domain.times import require_utc
from shared.contracts.statuses import Path, Status
from shared.events import DomainEvent
from shared.refs import ModificationRef

# A guard returns why a move is blocked for this modification, or None.
Guard = Callable[[Modification], str | None]


def _always(mod: Modification) -> None:
    return None


def _self_governance(mod: Modification) -> str | None:
    if mod.path is None:
        return "the Panel has not determined the path"
    if mod.path.authority_decides:
        return f"{mod.path.label}: the Change Board recommends, the Authority decides"
    return None


def _change_board_path(mod: Modification) -> str | None:
    if mod.path is None:
        return "the Panel has not determined the path"
    if mod.path is Path.FAST_TRACK:
        return "a Fast-Track modification is decided by the Panel without a Change Board vote"
    return None


def _authority_path(mod: Modification) -> str | None:
    if mod.path is None:
        return "the Panel has not determined the path"
    if not mod.path.authority_decides:
        return f"{mod.path.label}: decided without the Authority"
    return None


def _fast_track(mod: Modification) -> str | None:
    if mod.path is not Path.FAST_TRACK:
        return "only a Fast-Track modification is decided by the Panel at this stage"
    return None


def _change_board_decided(mod: Modification) -> str | None:
    if mod.path is not Path.SELF_GOVERNANCE:
        return "only a Change Board decision on a Self-Governance modification can be referred"
    return None


def _has_target_release(mod: Modification) -> str | None:
    if mod.target_release is None:
        return "set target_release to the SEC Release that will implement it first"
    return None


# Withdrawal is possible until the deciding body has voted (SEC Section D:
# the Proposer may withdraw before the Change Board vote).
_WITHDRAW = (Status.WITHDRAWN, _always)

WORKFLOW: dict[Status, tuple[tuple[Status, Guard], ...]] = {
    Status.DRAFT_PROPOSAL: (
        (Status.REFINEMENT, _always),
        (Status.REPORT_PHASE, _always),
        _WITHDRAW,
    ),
    Status.INITIAL_CONSIDERATION: (
        (Status.REFINEMENT, _always),
        (Status.REPORT_PHASE, _always),
        _WITHDRAW,
    ),
    Status.REFINEMENT: (
        (Status.REPORT_PHASE, _always),
        _WITHDRAW,
    ),
    Status.REPORT_PHASE: (
        (Status.MODIFICATION_REPORT_CONSULTATION, _always),
        (Status.REFINEMENT, _always),
        (Status.APPROVED, _fast_track),
        (Status.REJECTED, _fast_track),
        _WITHDRAW,
    ),
    Status.MODIFICATION_REPORT_CONSULTATION: (
        (Status.CHANGE_BOARD_VOTE, _change_board_path),
        (Status.APPROVED, _fast_track),
        (Status.REJECTED, _fast_track),
        _WITHDRAW,
    ),
    Status.CHANGE_BOARD_VOTE: (
        (Status.APPROVED, _self_governance),
        (Status.REJECTED, _self_governance),
        (Status.AWAITING_AUTHORITY_DECISION, _authority_path),
        _WITHDRAW,
    ),
    Status.AWAITING_AUTHORITY_DECISION: (
        (Status.APPROVED, _always),
        (Status.REJECTED, _always),
        # The Authority may send the Final Modification Report back.
        (Status.REPORT_PHASE, _always),
    ),
    Status.APPROVED: (
        (Status.AWAITING_IMPLEMENTATION, _has_target_release),
        (Status.REFERRED, _change_board_decided),
    ),
    Status.REJECTED: ((Status.REFERRED, _change_board_decided),),
    Status.REFERRED: (
        (Status.APPROVED, _always),
        (Status.REJECTED, _always),
        # The Panel may send the decision back to the Change Board for a new vote.
        (Status.CHANGE_BOARD_VOTE, _always),
    ),
    Status.AWAITING_IMPLEMENTATION: (
        (Status.IMPLEMENTED, _always),
        # Taken out of its release (e.g. the release is cancelled) and waits for another.
        (Status.APPROVED, _always),
    ),
    Status.IMPLEMENTED: (),
    Status.WITHDRAWN: (),
}

TERMINAL: frozenset[Status] = frozenset(s for s, moves in WORKFLOW.items() if not moves)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded status move: who, when, from, to and why."""

    ref: ModificationRef
    previous_ref: ModificationRef
    from_status: Status
    to_status: Status
    actor: str
    reason: str
    at: datetime
    version: int


def allowed_transitions(mod: Modification) -> list[Status]:
    """Return the statuses `mod` may move to next, in workflow order."""
    return [to for to, guard in WORKFLOW[mod.status] if guard(mod) is None]


def _blocked_because(mod: Modification, to: Status) -> str:
    for target, guard in WORKFLOW[mod.status]:
        if target is to:
            return guard(mod) or ""
    if mod.status in TERMINAL:
        return f"{mod.status.label} is final"
    return ""


def imported_at(mod: Modification | None, occurred_at: datetime, now: datetime) -> datetime:
    """Return when an imported change happened: not after `now`, not before `mod` was raised."""
    at = require_utc("occurred_at", occurred_at)
    if at > now:
        raise InvalidField("occurred_at", f"is in the future (it is now {now.isoformat()})")
    if mod is not None and at < mod.created_at:
        raise InvalidField(
            "occurred_at", f"is before {mod.ref} was raised ({mod.created_at.isoformat()})"
        )
    return at


def converts_draft(mod: Modification, to: Status) -> bool:
    """Return whether moving `mod` to `to` turns a Draft Proposal into a Modification Proposal."""
    return mod.ref.is_draft and to is not Status.WITHDRAWN


def transition(
    mod: Modification,
    to: Status,
    actor: str,
    reason: str,
    at: datetime,
    *,
    base_url: str,
    expected_version: int | None = None,
    imported: bool = False,
) -> tuple[Modification, list[DomainEvent], HistoryEntry]:
    """Move `mod` to `to`, returning the new state, its event and the history entry.

    Leaving the Development Stage (other than by withdrawal) converts a Draft
    Proposal into the Modification Proposal with the same number: DP197 → MP197.
    An `imported` move happened at `at`, in the past: its event says so.
    """
    if expected_version is not None and expected_version != mod.version:
        raise VersionConflict(str(mod.ref), expected_version, mod.version)
    allowed = allowed_transitions(mod)
    if to not in allowed:
        raise IllegalTransition(str(mod.ref), mod.status, to, allowed, _blocked_because(mod, to))
    actor = require_text("actor", actor)
    reason = require_text("reason", reason, max_length=2000)
    at = require_utc("at", at)
    if at < mod.updated_at:
        name = "occurred_at" if imported else "at"
        raise InvalidField(name, f"is before the last change ({mod.updated_at.isoformat()})")
    new_ref = mod.ref.as_modification() if converts_draft(mod, to) else mod.ref
    moved = dataclasses.replace(mod, ref=new_ref, status=to, updated_at=at, version=mod.version + 1)
    event = ModificationStatusChanged(
        modification=moved,
        from_status=mod.status,
        to_status=to,
        reason=reason,
        actor=actor,
        changed_at=at,
        base_url=base_url,
        previous_ref=mod.ref,
        occurred_at=at if imported else None,
    )
    entry = HistoryEntry(
        ref=new_ref,
        previous_ref=mod.ref,
        from_status=mod.status,
        to_status=to,
        actor=actor,
        reason=reason,
        at=at,
        version=moved.version,
    )
    return moved, [event], entry
