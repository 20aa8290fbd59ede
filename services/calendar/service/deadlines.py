"""Apply registry events to derived calendar entries, once per event (a Subscription handler)."""

from __future__ import annotations

from services.calendar.domain.changes import Change, cancel
from services.calendar.domain.deadlines import (
    CancelDeadline,
    CancelModificationDeadlines,
    apply_deadline,
    deadline_action,
)
from services.calendar.service.context import CalendarContext
from shared.consumer import EventHandler
from shared.db import Session
from shared.events import CloudEvent
from shared.refs import ModificationRef, RefKind

REGISTRY_BINDINGS = (
    "registry.consultation.*",
    "registry.release.*",
    "registry.decision.*",
    "registry.modification.status_changed",
)


def registry_event_handler(context: CalendarContext) -> EventHandler:
    """Return the handler; it writes only through the consumer's transaction."""

    async def handle(event: CloudEvent, session: Session) -> None:
        # InvalidRegistryEvent propagates: retried, then dead-lettered for a person to look at.
        action = deadline_action(event.type, event.data)
        if action is None:
            return
        now = context.clock()
        changes: list[Change] = []
        if isinstance(action, CancelModificationDeadlines):
            named = await context.repository.naming(_spellings(action.ref), session)
            changes = [
                cancel(entry, action.reason, now, base_url=context.base_url)
                for entry in sorted(named, key=lambda e: e.id)
                if action.applies_to(entry, now)
            ]
        else:
            entry_id = action.event_id if isinstance(action, CancelDeadline) else action.draft.id
            existing = await context.repository.get(entry_id, session)
            change = apply_deadline(action, existing, now, base_url=context.base_url)
            changes = [] if change is None else [change]
        await context.store(changes, session)

    return handle


def _spellings(ref: ModificationRef) -> list[str]:
    """Return the stored spellings of a modification: DP197 became MP197, same number."""
    target = ref.as_modification()
    spellings = {str(ref), str(target)}
    if target.kind is RefKind.MODIFICATION and not target.alternative:
        spellings.add(str(ModificationRef(RefKind.DRAFT, target.number)))
    return sorted(spellings)
