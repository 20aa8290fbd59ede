"""Load the seed register at start-up: idempotent, each entity's creation event once.

docs/decisions/registry-seed-loading.md: the first load announces every seeded
entity (so the calendar learns deadlines and release dates); a later load
inserts only what is missing and announces only that.
"""

from __future__ import annotations

import logging

from services.registry.domain.events import (
    ConsultationOpened,
    DecisionRecorded,
    ModificationCreated,
    ReleaseScheduled,
)
from services.registry.domain.models import Modification
from services.registry.seed import SeedData, load_seed
from services.registry.seed.history import seed_history
from services.registry.service.context import RegistryContext
from services.registry.service.proceedings import public_refs
from shared.db import Session
from shared.events import DomainEvent

log = logging.getLogger(__name__)


async def load_seed_register(registry: RegistryContext, seed: SeedData | None = None) -> int:
    """Insert the seed entities that are missing; return how many were inserted."""
    seed = seed or load_seed()
    base = registry.base_url
    by_ref: dict[str, Modification] = {str(mod.ref): mod for mod in seed.modifications}
    history = seed_history(seed)

    async def work(session: Session) -> list[DomainEvent]:
        repos = registry.repos
        events: list[DomainEvent] = []
        for mod in seed.modifications:
            # A seeded DP converted since (DP197 -> MP197) is present under its alias.
            if await repos.modifications.aliased(str(mod.ref), session) is None and (
                await repos.modifications.upsert_new(mod, session)
            ):
                events.append(ModificationCreated(modification=mod, base_url=base))
                for entry in history.get(str(mod.ref), ()):
                    await repos.history.add(entry, session)
        for consultation in seed.consultations:
            if await repos.consultations.upsert_new(consultation, session):
                ref = consultation.modification_ref
                about = None if ref is None else by_ref.get(str(ref))
                events.append(ConsultationOpened(consultation, about, base))
        for decision in seed.decisions:
            if await repos.decisions.upsert_new(decision, session):
                mod = by_ref[str(decision.modification_ref)]
                events.append(DecisionRecorded(decision=decision, modification=mod, base_url=base))
        for release in seed.releases:
            if await repos.releases.upsert_new(release, session):
                public = await public_refs(registry, release.modification_refs, session)
                events.append(ReleaseScheduled(release, public, base))
        await registry.outbox.add(session, events)
        return events

    events = await registry.commit(work)
    log.info("seed register loaded: %d entities new", len(events))
    return len(events)
