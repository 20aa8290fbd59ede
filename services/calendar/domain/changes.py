"""Create, patch, cancel and reconcile entries, raising SEQUENCE and recording events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from datetime import datetime
from typing import Any, NamedTuple

from services.calendar.domain.domain_events import (
    CalendarDomainEvent,
    EventCancelled,
    EventCreated,
    EventUpdated,
)
from services.calendar.domain.errors import InvalidChange, VersionConflict
from services.calendar.domain.model import CalendarEvent, EventDraft, EventStatus, uid_for
from services.calendar.domain.validation import utc, validate
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType
from shared.refs import ModificationRef

PATCHABLE: frozenset[str] = frozenset(
    f.name for f in fields(EventDraft) if f.name not in {"id", "source"}
)
# Who may see an entry and which modifications it relates to change no line of
# what a calendar client shows, so they do not make clients re-notify people.
_UNSEEN = frozenset({"classification", "related_refs"})
SEQUENCE_FIELDS: frozenset[str] = PATCHABLE - _UNSEEN
_FIELD_ORDER = tuple(f.name for f in fields(CalendarEvent))


class Change(NamedTuple):
    """The entry after a command, the fields that changed and the events to publish."""

    event: CalendarEvent
    changed: tuple[str, ...]
    events: tuple[CalendarDomainEvent, ...]


def create_event(draft: EventDraft, now: datetime, *, base_url: str) -> Change:
    """Return a new entry at sequence 0, version 1."""
    if draft.status is EventStatus.CANCELLED:
        raise InvalidChange("a new entry cannot start cancelled", field="status")
    stamp = utc(now, field="now")
    values = {f.name: getattr(draft, f.name) for f in fields(EventDraft)}
    event = validate(
        CalendarEvent(
            **values,
            uid=uid_for(draft.id),
            sequence=0,
            cancelled_at=None,
            cancel_reason=None,
            created_at=stamp,
            updated_at=stamp,
            version=1,
        )
    )
    return Change(event, (), (EventCreated(event, base_url),))


def apply_patch(
    event: CalendarEvent, changes: Mapping[str, object], now: datetime, *, base_url: str
) -> Change:
    """Return the entry with `changes` applied; SEQUENCE rises when a person would see it.

    Setting status to confirmed or tentative reinstates a cancelled entry;
    cancelling goes through `cancel` so that a reason is recorded.
    """
    unknown = sorted(set(changes) - PATCHABLE)
    if unknown:
        raise InvalidChange(f"cannot change {', '.join(unknown)}", field=unknown[0])
    try:
        values = {name: _coerce(name, value) for name, value in changes.items()}
    except ValueError as exc:
        raise InvalidChange(str(exc)) from exc
    if values.get("status") is EventStatus.CANCELLED and not event.is_cancelled:
        raise InvalidChange("cancel an entry with the cancel command", field="status")
    if event.is_cancelled and values.get("status", event.status) is not EventStatus.CANCELLED:
        values.update(cancelled_at=None, cancel_reason=None)
    candidate = validate(replace(event, **values))
    changed = tuple(
        name
        for name in _FIELD_ORDER
        if name in PATCHABLE and getattr(candidate, name) != getattr(event, name)
    )
    if not changed:
        return Change(event, (), ())
    stamp = utc(now, field="now")
    updated = replace(
        candidate,
        sequence=event.sequence + (1 if SEQUENCE_FIELDS.intersection(changed) else 0),
        updated_at=stamp,
        version=event.version + 1,
    )
    return Change(updated, changed, (EventUpdated(updated, event, changed, base_url),))


def cancel(event: CalendarEvent, reason: str, now: datetime, *, base_url: str) -> Change:
    """Return the entry cancelled: same UID, SEQUENCE raised, kept in feeds for a while."""
    if event.is_cancelled:
        return Change(event, (), ())
    stamp = utc(now, field="now")
    cancelled = validate(
        replace(
            event,
            status=EventStatus.CANCELLED,
            cancelled_at=stamp,
            cancel_reason=reason,
            sequence=event.sequence + 1,
            updated_at=stamp,
            version=event.version + 1,
        )
    )
    return Change(
        cancelled,
        ("status",),
        (EventCancelled(cancelled, cancelled.cancel_reason or "", base_url),),
    )


def reconcile(
    existing: CalendarEvent | None, draft: EventDraft, now: datetime, *, base_url: str
) -> Change:
    """Make the stored entry match the draft: create it, update it, or leave it alone."""
    if existing is None:
        return create_event(draft, now, base_url=base_url)
    if existing.id != draft.id:
        raise InvalidChange(f"draft {draft.id!r} does not describe entry {existing.id!r}")
    desired = {name: getattr(draft, name) for name in PATCHABLE}
    return apply_patch(existing, desired, now, base_url=base_url)


def ensure_version(event: CalendarEvent, expected: int) -> None:
    """Raise VersionConflict unless the caller saw the stored version (If-Match)."""
    if event.version != expected:
        raise VersionConflict(
            f"entry {event.id} is at version {event.version}, not {expected}", field="version"
        )


def ensure_manual(event: CalendarEvent) -> None:
    """Raise InvalidChange for a registry-derived entry; the registry's next event would undo it."""
    if event.derived_from_registry:
        raise InvalidChange(
            f"entry {event.id} follows {event.source}; change it in the registry", field="source"
        )


def _coerce(name: str, value: object) -> Any:
    """Accept plain strings and lists for enum and tuple fields (as JSON bodies give them)."""
    if name == "type" and isinstance(value, str):
        return EventType(value)
    if name == "classification" and isinstance(value, str):
        return Classification(value)
    if name == "status" and isinstance(value, str):
        return EventStatus(value)
    if name == "related_refs" and isinstance(value, Iterable) and not isinstance(value, str):
        return tuple(
            r if isinstance(r, ModificationRef) else ModificationRef.parse(str(r)) for r in value
        )
    if name in {"documents", "agenda"} and isinstance(value, list):
        return tuple(value)
    return value
