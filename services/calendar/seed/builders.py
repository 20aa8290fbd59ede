"""Build seed drafts with deterministic ids from what the documents print."""

from __future__ import annotations

from datetime import date

from services.calendar.domain.deadlines import CLOSING_BLOCK, derived_id
from services.calendar.domain.model import AgendaItem, Document, EventDraft, EventStatus
from services.calendar.seed.times import all_day, local, span
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType
from shared.refs import ModificationRef


def refs(*texts: str) -> tuple[ModificationRef, ...]:
    return tuple(ModificationRef.parse(text) for text in texts)


def item(title: str, *ref_texts: str) -> AgendaItem:
    return AgendaItem(title, refs(*ref_texts))


def meeting(
    *,
    source: str,
    title: str,
    day: date,
    committee: str | None = None,
    number: str | None = None,
    hours: tuple[str, str] | None = None,
    event_type: EventType = EventType.MEETING,
    location: str | None = None,
    description: str = "",
    agenda: tuple[AgendaItem, ...] = (),
    documents: tuple[Document, ...] = (),
    reference: str | None = None,
    status: EventStatus = EventStatus.CONFIRMED,
    slug: str | None = None,
) -> EventDraft:
    """Return a meeting or event; timed when the document gives hours, else all day.

    The id is ``<committee>-<number>`` for a numbered meeting, otherwise
    ``<slug or committee or type>-<date>``, so reloading the seed never duplicates.
    """
    if committee and number:
        event_id = f"{committee}-{number}"
    else:
        event_id = f"{slug or committee or event_type.value}-{day.isoformat()}"
    starts_at, ends_at = span(day, *hours) if hours else all_day(day)
    return EventDraft(
        id=event_id,
        title=title,
        type=event_type,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=hours is None,
        committee=committee,
        meeting_number=number,
        reference=reference,
        location=location,
        description=description,
        agenda=agenda,
        documents=documents,
        status=status,
        # The seed documents are SECAS's public website.
        classification=Classification.WHITE,
        source=f"seed:{source}",
    )


def go_live(
    *,
    release_id: str,
    name: str,
    day: date,
    description: str,
    modifications: tuple[str, ...] = (),
    status: EventStatus = EventStatus.CONFIRMED,
) -> EventDraft:
    """Return a release go-live with the id and source a registry release event would give it."""
    starts_at, ends_at = all_day(day)
    return EventDraft(
        id=derived_id("release", release_id),
        title=f"{name} goes live",
        type=EventType.RELEASE_GO_LIVE,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=True,
        description=description,
        related_refs=refs(*modifications),
        status=status,
        classification=Classification.WHITE,
        source=f"registry:release:{release_id}",
    )


def closing(
    *,
    consultation_id: str,
    title: str,
    day: date,
    at: str,
    description: str,
    modification: str | None = None,
) -> EventDraft:
    """Return a consultation closing as deadlines.py derives it: 30 minutes up to the close."""
    closes_at = local(day, at)
    return EventDraft(
        id=derived_id("consultation", consultation_id),
        title=title,
        type=EventType.CONSULTATION_DEADLINE,
        starts_at=closes_at - CLOSING_BLOCK,
        ends_at=closes_at,
        description=description,
        related_refs=refs(modification) if modification else (),
        classification=Classification.WHITE,
        source=f"registry:consultation:{consultation_id}",
    )
