"""Work out which consultation and meeting reminders are due, each under a send-once key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final

from services.notifier.domain.display import LONDON, london, parse_instant
from services.notifier.domain.matching import topics_of
from shared.contracts.classification import Classification
from shared.contracts.events import disclosed_classification
from shared.contracts.topics import Topic
from shared.contracts.vocabulary import EventType


class ReminderKind(StrEnum):
    """The reminders the scheduler sends."""

    CONSULTATION_3D = "consultation-3d"
    CONSULTATION_1D = "consultation-1d"
    MEETING_TOMORROW = "meeting-tomorrow"


# Deadlines and go-live dates are not attended, so they get no "tomorrow" email.
REMINDED_EVENT_TYPES: Final = frozenset(
    {
        EventType.MEETING,
        EventType.WEBINAR,
        EventType.SEMINAR,
        EventType.WORKSHOP,
        EventType.ENGAGEMENT_DAY,
        EventType.OTHER,
    }
)
# The day-before reminder goes out from this London time, not at midnight.
MEETING_REMINDER_FROM: Final = time(8, 0)


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder due now; `key` is its identity, the same on every scheduler run."""

    kind: ReminderKind
    key: str
    entity_id: str
    due_at: datetime
    topics: frozenset[Topic]
    classification: Classification
    # The catalogue payload (`{"consultation": ...}` or `{"event": ...}`) to render.
    data: Mapping[str, Any]


def reminder_key(kind: ReminderKind, entity_id: str, moment: datetime) -> str:
    """Return the send-once key; a moved deadline or meeting gives a new key."""
    return f"reminder:{kind.value}:{entity_id}:{moment.isoformat()}"


def _consultation_reminders(now: datetime, consultation: Mapping[str, Any]) -> list[Reminder]:
    if consultation.get("status") not in (None, "open"):
        return []
    closes_at = parse_instant(consultation["closes_at"])
    if now >= closes_at:
        return []
    opens_at = parse_instant(consultation["opens_at"]) if consultation.get("opens_at") else None
    data = {"consultation": consultation}
    topics = topics_of("registry.consultation.opened", data)
    classification = disclosed_classification("registry.consultation.opened", data)
    due_1d = closes_at - timedelta(days=1)
    due_3d = closes_at - timedelta(days=3)
    # Only the latest window applies: a scheduler that was down must not send a
    # stale "3 days" next to "1 day"; a consultation opened inside a window was
    # just announced, so it gets no reminder for that window.
    if now >= due_1d:
        kind, due_at = ReminderKind.CONSULTATION_1D, due_1d
    elif now >= due_3d:
        kind, due_at = ReminderKind.CONSULTATION_3D, due_3d
    else:
        return []
    if opens_at is not None and opens_at > due_at:
        return []
    entity_id = str(consultation["id"])
    return [
        Reminder(
            kind,
            reminder_key(kind, entity_id, closes_at),
            entity_id,
            due_at,
            topics,
            classification,
            data,
        )
    ]


def _meeting_reminder(now: datetime, event: Mapping[str, Any]) -> Reminder | None:
    if event.get("status") == "cancelled":
        return None
    try:
        event_type = EventType(event.get("type", ""))
    except ValueError:
        event_type = EventType.OTHER
    if event_type not in REMINDED_EVENT_TYPES:
        return None
    starts_at = parse_instant(event["starts_at"])
    start_day = london(starts_at).date()
    day_before = start_day - timedelta(days=1)
    due_at = datetime.combine(day_before, MEETING_REMINDER_FROM, LONDON).astimezone(
        starts_at.tzinfo
    )
    window_end = datetime.combine(start_day, time(0, 0), LONDON)
    if not due_at <= now < window_end:
        return None
    data = {"event": event}
    entity_id = str(event["id"])
    kind = ReminderKind.MEETING_TOMORROW
    return Reminder(
        kind,
        reminder_key(kind, entity_id, starts_at),
        entity_id,
        due_at,
        topics_of("calendar.event.created", data),
        disclosed_classification("calendar.event.created", data),
        data,
    )


def due_reminders(
    now: datetime,
    consultations: Iterable[Mapping[str, Any]],
    meetings: Iterable[Mapping[str, Any]],
) -> list[Reminder]:
    """Return the reminders due at `now`, ordered by due time then key.

    Inputs are catalogue-shaped `consultation` and `event` dicts. The caller sends
    each reminder at most once per subscriber by recording (key, subscriber).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    reminders: list[Reminder] = []
    for consultation in consultations:
        reminders.extend(_consultation_reminders(now, consultation))
    for event in meetings:
        reminder = _meeting_reminder(now, event)
        if reminder is not None:
            reminders.append(reminder)
    return sorted(reminders, key=lambda r: (r.due_at, r.key))
