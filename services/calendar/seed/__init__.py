"""Load the meetings, events and deadlines dated in the seed documents as calendar entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.calendar.domain.changes import create_event
from services.calendar.domain.model import CalendarEvent, EventDraft
from services.calendar.seed import (
    newsletter_2022_01,
    panel_33_minutes,
    panel_update_2017_05,
    releases_2020,
)

_SOURCES: tuple[tuple[Callable[[], list[EventDraft]], datetime], ...] = (
    (panel_33_minutes.drafts, panel_33_minutes.PUBLISHED_AT),
    (panel_update_2017_05.drafts, panel_update_2017_05.PUBLISHED_AT),
    (releases_2020.drafts, releases_2020.PUBLISHED_AT),
    (newsletter_2022_01.drafts, newsletter_2022_01.PUBLISHED_AT),
)


def load_seed() -> list[CalendarEvent]:
    """Return every seed entry, validated, in id order; the same list on every call.

    Entries whose source is ``registry:...`` (release go-lives, consultation
    closings) carry the ids the registry's events would give them, so a later
    registry event updates them instead of adding a duplicate.
    """
    events: dict[str, CalendarEvent] = {}
    for drafts, published_at in _SOURCES:
        for draft in drafts():
            if draft.id in events:
                raise ValueError(f"seed id {draft.id!r} is used twice")
            # base_url only feeds domain events, which seeding does not publish.
            events[draft.id] = create_event(draft, published_at, base_url="").event
    return [events[key] for key in sorted(events)]
