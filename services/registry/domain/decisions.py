"""Record Panel, Change Board and Authority decisions on modifications."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from services.registry.domain.errors import InvalidDecision
from services.registry.domain.events import DecisionReclassified, DecisionRecorded
from services.registry.domain.models import (
    Decision,
    DecisionBody,
    Modification,
    Outcome,
    Vote,
    disclosed,
)
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path
from shared.events import DomainEvent

# What each body may decide, per SEC Section D as SECAS describes it.
_OUTCOMES: dict[DecisionBody, frozenset[Outcome]] = {
    DecisionBody.PANEL: frozenset(
        {Outcome.DETERMINE, Outcome.APPROVE, Outcome.REJECT, Outcome.REFER, Outcome.NOTE}
    ),
    DecisionBody.CHANGE_BOARD: frozenset(
        {Outcome.APPROVE, Outcome.REJECT, Outcome.RECOMMEND_APPROVE, Outcome.RECOMMEND_REJECT}
    ),
    DecisionBody.AUTHORITY: frozenset({Outcome.APPROVE, Outcome.REJECT, Outcome.DETERMINE}),
}


def decision_id(ref: str, body: DecisionBody, decided_on: date) -> str:
    """Return a stable id: one decision per modification, body and day."""
    return f"{ref.lower()}-{body.value.replace('_', '-')}-{decided_on.isoformat()}"


def check_decision(mod: Modification, decision: Decision) -> None:
    """Refuse a decision that its body may not take on this modification's path."""
    if decision.modification_ref != mod.ref:
        raise InvalidDecision(f"decision {decision.id} is about {decision.modification_ref}")
    if decision.outcome not in _OUTCOMES[decision.body]:
        raise InvalidDecision(
            f"the {decision.body.value} cannot {decision.outcome.value}; it may "
            + ", ".join(sorted(o.value for o in _OUTCOMES[decision.body]))
        )
    if decision.body is DecisionBody.CHANGE_BOARD and mod.path is not None:
        recommends = decision.outcome in (Outcome.RECOMMEND_APPROVE, Outcome.RECOMMEND_REJECT)
        if mod.path.authority_decides and not recommends:
            raise InvalidDecision(
                f"{mod.ref} is {mod.path.label}: the Change Board recommends, "
                "use recommend_approve or recommend_reject"
            )
        if not mod.path.authority_decides and recommends:
            raise InvalidDecision(
                f"{mod.ref} is {mod.path.label}: the Change Board decides, use approve or reject"
            )
    if decision.body is DecisionBody.AUTHORITY and mod.path in (
        Path.SELF_GOVERNANCE,
        Path.FAST_TRACK,
    ):
        raise InvalidDecision(f"{mod.ref} is {mod.path.label}: the Authority does not decide it")


def record_decision(
    mod: Modification,
    body: DecisionBody,
    outcome: Outcome,
    decided_on: date,
    *,
    base_url: str,
    classification: Classification,
    summary: str = "",
    vote: Vote | None = None,
    occurred_at: datetime | None = None,
) -> tuple[Decision, list[DomainEvent]]:
    """Record a decision on `mod`; the status move, if any, is a separate transition.

    `occurred_at` is set when the decision is imported history: its event says so.
    """
    decision = Decision(
        id=decision_id(str(mod.ref), body, decided_on),
        modification_ref=mod.ref,
        body=body,
        outcome=outcome,
        decided_on=decided_on,
        classification=classification,
        summary=summary.strip(),
        vote=vote,
    )
    check_decision(mod, decision)
    recorded = DecisionRecorded(
        decision=decision, modification=mod, base_url=base_url, occurred_at=occurred_at
    )
    return decision, [recorded]


def reclassify_decision(
    decision: Decision, modification: Modification, classification: Classification, *, base_url: str
) -> tuple[Decision, list[DomainEvent]]:
    """Give a decision a new mark; an event only when what it discloses changes."""
    after = dataclasses.replace(decision, classification=classification)
    if after == decision:
        return decision, []
    events: list[DomainEvent] = []
    if disclosed(classification, modification) != disclosed(decision.classification, modification):
        events.append(DecisionReclassified(after, modification, base_url))
    return after, events
