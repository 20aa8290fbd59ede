"""Use cases on modifications: create, patch, transition, record and reclassify decisions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from services.registry.domain import decisions as decision_rules
from services.registry.domain import modifications as rules
from services.registry.domain.events import ReleaseUpdated
from services.registry.domain.models import (
    Decision,
    DecisionBody,
    Modification,
    Outcome,
    Vote,
)
from services.registry.domain.reclassification import follow_reclassification
from services.registry.domain.workflow import (
    HistoryEntry,
    converts_draft,
    imported_at,
    transition,
)
from services.registry.service.context import AlreadyExists, NotFound, RegistryContext
from services.registry.service.proceedings import public_refs
from shared.contracts.classification import Classification
from shared.contracts.statuses import Status
from shared.db import Session
from shared.refs import ModificationRef


async def _load(registry: RegistryContext, ref: ModificationRef, session: Session) -> Modification:
    mod = await registry.repos.modifications.get(str(ref), session)
    if mod is None:
        raise NotFound(f"no modification {ref}")
    return mod


async def create_modification(
    registry: RegistryContext,
    ref: ModificationRef,
    title: str,
    fields: Mapping[str, Any],
    occurred_at: datetime | None = None,
) -> Modification:
    """Raise a new DP or MP; refuse a reference already used (also as a converted DP).

    `occurred_at` imports one raised in the past (admins: the caller checks).
    """
    now = registry.clock()
    at = now if occurred_at is None else imported_at(None, occurred_at, now)
    mod, events = rules.create_modification(
        ref, title, at, base_url=registry.base_url, fields=fields, imported=occurred_at is not None
    )

    async def work(session: Session) -> Modification:
        if await registry.repos.modifications.taken(str(ref), session):
            raise AlreadyExists(f"{ref} exists already")
        if ref.is_draft and await registry.repos.modifications.taken(
            str(ref.as_modification()), session
        ):
            raise AlreadyExists(f"{ref.as_modification()} exists: {ref} would become it")
        await registry.repos.modifications.insert(mod, session)
        await registry.outbox.add(session, events)
        return mod

    return await registry.commit(work)


async def patch_modification(
    registry: RegistryContext,
    ref: ModificationRef,
    fields: Mapping[str, Any],
    expected_version: int | None,
) -> Modification:
    """Change editable fields if the caller saw the current version (else VersionConflict).

    `expected_version` None (If-Match: *) still refuses a write raced by another one.
    """

    async def work(session: Session) -> Modification:
        before = await _load(registry, ref, session)
        after, _, events = rules.update_modification(
            before,
            fields,
            registry.clock(),
            base_url=registry.base_url,
            expected_version=expected_version,
        )
        if events:
            await registry.repos.modifications.replace(before, after, session)
            await registry.outbox.add(session, events)
            if after.classification != before.classification:
                await _follow_reclassification(registry, before, after, session)
        return after

    return await registry.commit(work)


async def _follow_reclassification(
    registry: RegistryContext, before: Modification, after: Modification, session: Session
) -> None:
    """Tell the consumers about everything whose disclosed mark moved with the modification."""
    spellings = [
        str(after.ref),
        *await registry.repos.modifications.aliases(str(after.ref), session),
    ]
    events = follow_reclassification(
        before,
        after,
        await registry.repos.consultations.about(spellings, session),
        await registry.repos.decisions.about(spellings, session),
        base_url=registry.base_url,
    )
    for release in await registry.repos.releases.listing(spellings, session):
        refs = await public_refs(registry, release.modification_refs, session)
        events.append(ReleaseUpdated(release, refs, registry.base_url))
    await registry.outbox.add(session, events)


async def _move(
    registry: RegistryContext,
    session: Session,
    before: Modification,
    to: Status,
    actor: str,
    reason: str,
    expected_version: int | None,
    occurred_at: datetime | None = None,
) -> tuple[Modification, HistoryEntry]:
    """Make one status move inside the caller's transaction: entity, history, event.

    With `occurred_at` the move is imported history, stamped when it happened.
    """
    now = registry.clock()
    after, events, entry = transition(
        before,
        to,
        actor,
        reason,
        now if occurred_at is None else imported_at(before, occurred_at, now),
        base_url=registry.base_url,
        expected_version=expected_version,
        imported=occurred_at is not None,
    )
    if converts_draft(before, to) and await registry.repos.modifications.taken(
        str(after.ref), session
    ):
        raise AlreadyExists(f"{before.ref} cannot become {after.ref}: that reference is taken")
    await registry.repos.modifications.replace(before, after, session)
    await registry.repos.history.add(entry, session)
    await registry.outbox.add(session, events)
    return after, entry


async def transition_modification(
    registry: RegistryContext,
    ref: ModificationRef,
    to: Status,
    actor: str,
    reason: str,
    expected_version: int | None = None,
    occurred_at: datetime | None = None,
) -> tuple[Modification, HistoryEntry]:
    """Move a modification through the workflow, recording the move in its history.

    `occurred_at` imports a move made in the past (admins: the caller checks).
    """

    async def work(session: Session) -> tuple[Modification, HistoryEntry]:
        before = await _load(registry, ref, session)
        return await _move(
            registry, session, before, to, actor, reason, expected_version, occurred_at
        )

    return await registry.commit(work)


# The status a decision puts a modification in; decisions not listed move nothing
# (docs/decisions/registry-decisions-and-moves.md).
_MOVES: dict[Outcome, Status] = {
    Outcome.APPROVE: Status.APPROVED,
    Outcome.REJECT: Status.REJECTED,
    Outcome.RECOMMEND_APPROVE: Status.AWAITING_AUTHORITY_DECISION,
    Outcome.RECOMMEND_REJECT: Status.AWAITING_AUTHORITY_DECISION,
}


def decision_move(outcome: Outcome) -> Status | None:
    """Return the status move that goes with a decision, or None (e.g. a Panel note)."""
    return _MOVES.get(outcome)


async def record_decision(
    registry: RegistryContext,
    ref: ModificationRef,
    body: DecisionBody,
    outcome: Outcome,
    decided_on: date,
    actor: str,
    *,
    classification: Classification,
    summary: str = "",
    vote: Vote | None = None,
    expected_version: int | None = None,
    occurred_at: datetime | None = None,
) -> tuple[Decision, Modification]:
    """Record a decision and make its status move in the same transaction.

    `occurred_at` imports a decision taken in the past (admins: the caller checks).
    """

    async def work(session: Session) -> tuple[Decision, Modification]:
        mod = await _load(registry, ref, session)
        at = None if occurred_at is None else imported_at(mod, occurred_at, registry.clock())
        decision, events = decision_rules.record_decision(
            mod,
            body,
            outcome,
            decided_on,
            base_url=registry.base_url,
            classification=classification,
            summary=summary,
            vote=vote,
            occurred_at=at,
        )
        if await registry.repos.decisions.exists(decision.id, session):
            raise AlreadyExists(f"decision {decision.id} is recorded already")
        await registry.repos.decisions.insert(decision, session)
        await registry.outbox.add(session, events)
        to = decision_move(outcome)
        if to is not None:
            # The decision's words stay with the decision, whose mark may change later:
            # the move and its history are as public as the modification.
            reason = f"{body.value.replace('_', ' ').title()} decision: {outcome.value}"
            mod, _ = await _move(
                registry, session, mod, to, actor, reason, expected_version, occurred_at
            )
        return decision, mod

    return await registry.commit(work)


async def reclassify_decision(
    registry: RegistryContext,
    ref: ModificationRef,
    decision_id: str,
    classification: Classification,
) -> Decision:
    """Give a decision on `ref` a new mark; its Change Board vote entry follows it."""

    async def work(session: Session) -> Decision:
        mod = await _load(registry, ref, session)
        before = await registry.repos.decisions.get(decision_id, session)
        if before is None or before.modification_ref.as_modification() != mod.ref.as_modification():
            raise NotFound(f"no decision {decision_id} on {ref}")
        after, events = decision_rules.reclassify_decision(
            before, mod, classification, base_url=registry.base_url
        )
        if after != before:
            await registry.repos.decisions.save(after, session)
            await registry.outbox.add(session, events)
        return after

    return await registry.commit(work)
