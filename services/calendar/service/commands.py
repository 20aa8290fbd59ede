"""Create, patch and cancel entries: entity, events and feed version in one transaction."""

from __future__ import annotations

from collections.abc import Mapping

from services.calendar.domain.changes import (
    apply_patch,
    cancel,
    create_event,
    ensure_manual,
    ensure_version,
)
from services.calendar.domain.model import CalendarEvent, EventDraft
from services.calendar.service.context import CalendarContext, EventNotFound
from services.calendar.service.registry_refs import check_modifications
from shared.db import Session


async def create(context: CalendarContext, draft: EventDraft) -> CalendarEvent:
    """Store a new entry after checking the modifications it names with the registry."""
    change = create_event(draft, context.clock(), base_url=context.base_url)
    await check_modifications(context, change.event.modification_refs)

    async def work(session: Session) -> None:
        await context.store([change], session)

    await context.commit(work)
    return change.event


async def get(context: CalendarContext, event_id: str) -> CalendarEvent:
    event = await context.repository.get(event_id)
    if event is None:
        raise EventNotFound(f"no entry {event_id!r}")
    return event


async def patch(
    context: CalendarContext, event_id: str, changes: Mapping[str, object], expected_version: int
) -> CalendarEvent:
    """Apply `changes` if the caller saw `expected_version` (If-Match); SEQUENCE rises as due."""
    current = await get(context, event_id)
    ensure_manual(current)
    ensure_version(current, expected_version)
    # Validate before calling the registry, and check only references the patch adds.
    preview = apply_patch(current, changes, context.clock(), base_url=context.base_url)
    added = set(preview.event.modification_refs) - set(current.modification_refs)
    await check_modifications(context, added)

    async def work(session: Session) -> CalendarEvent:
        stored = await context.repository.get(event_id, session)
        if stored is None:
            raise EventNotFound(f"no entry {event_id!r}")
        ensure_version(stored, expected_version)
        change = apply_patch(stored, changes, context.clock(), base_url=context.base_url)
        await context.store([change], session)
        return change.event

    return await context.commit(work)


async def cancel_event(
    context: CalendarContext, event_id: str, reason: str, expected_version: int | None
) -> CalendarEvent:
    """Cancel an entry (kept in feeds as STATUS:CANCELLED); cancelling twice changes nothing."""

    async def work(session: Session) -> CalendarEvent:
        stored = await context.repository.get(event_id, session)
        if stored is None:
            raise EventNotFound(f"no entry {event_id!r}")
        ensure_manual(stored)
        if expected_version is not None:
            ensure_version(stored, expected_version)
        change = cancel(stored, reason, context.clock(), base_url=context.base_url)
        await context.store([change], session)
        return change.event

    return await context.commit(work)
