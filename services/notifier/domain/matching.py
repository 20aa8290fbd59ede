"""Map events to topics and decide which subscriber may and wants to hear of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from services.notifier.domain.display import parse_instant
from services.notifier.domain.subscriptions import Subscription
from shared.contracts.classification import Classification
from shared.contracts.topics import (
    ALL,
    CONSULTATIONS,
    DRAFT_PROPOSALS,
    RELEASES,
    Topic,
    modification_topics,
    type_topic,
)
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG, EventType
from shared.events import CloudEvent
from shared.refs import InvalidReference, ModificationRef

CALENDAR_EVENT_TYPES = frozenset(
    {"calendar.event.created", "calendar.event.updated", "calendar.event.cancelled"}
)
CONSULTATION_EVENT_TYPES = frozenset(
    {
        "registry.consultation.opened",
        "registry.consultation.closing",
        "registry.consultation.closed",
    }
)
RELEASE_EVENT_TYPES = frozenset({"registry.release.scheduled", "registry.release.published"})


def _ref_topics(values: Iterable[object]) -> set[Topic]:
    topics: set[Topic] = set()
    for value in values:
        if not isinstance(value, str):
            continue
        try:
            topics |= modification_topics(ModificationRef.parse(value))
        except InvalidReference:
            # One bad reference on an agenda must not stop the rest of the alert.
            continue
    return topics


def _entity(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def topics_of(event_type: str, data: Mapping[str, Any]) -> frozenset[Topic]:
    """Return the topics an event falls under; empty means nobody is alerted."""
    topics: set[Topic] = set()
    if event_type in CALENDAR_EVENT_TYPES:
        event = _entity(data, "event")
        topics.add(ALL)
        try:
            topics.add(type_topic(EventType(event.get("type", ""))))
        except ValueError:
            topics.add(type_topic(EventType.OTHER))
        committee = event.get("committee")
        # A committee the calendar knows before this service does still reaches `all`.
        if isinstance(committee, str) and committee in COMMITTEES_BY_SLUG:
            topics.add(Topic(f"committee:{committee}"))
        topics |= _ref_topics(event.get("modification_refs") or ())
    elif event_type == "registry.modification.created":
        modification = _entity(data, "modification")
        ref_topics = _ref_topics([modification.get("ref")])
        topics |= {ALL, *ref_topics}
        if modification.get("is_draft") or str(modification.get("ref", "")).upper().startswith(
            "DP"
        ):
            topics.add(DRAFT_PROPOSALS)
    elif event_type == "registry.modification.status_changed":
        topics |= {ALL, *_ref_topics([_entity(data, "modification").get("ref")])}
    elif event_type in CONSULTATION_EVENT_TYPES:
        consultation = _entity(data, "consultation")
        topics |= {ALL, CONSULTATIONS, *_ref_topics([consultation.get("modification_ref")])}
    elif event_type == "registry.decision.recorded":
        decision = _entity(data, "decision")
        topics |= {ALL, *_ref_topics([decision.get("modification_ref")])}
    elif event_type in RELEASE_EVENT_TYPES:
        release = _entity(data, "release")
        topics |= {ALL, RELEASES, *_ref_topics(release.get("modification_refs") or ())}
    # registry.modification.updated and unknown types alert nobody: field edits are
    # noise, and a release scheduling reaches followers through release.scheduled.
    return frozenset(topics)


def classification_of(event_type: str, data: Mapping[str, Any]) -> Classification:
    """Return the classification of what an event would disclose, failing closed."""
    marks: list[object] = [
        entity.get("classification")
        for entity in data.values()
        if isinstance(entity, Mapping) and "classification" in entity
    ]
    if event_type in CALENDAR_EVENT_TYPES and "classification" not in _entity(data, "event"):
        # The calendar contract always carries it; its absence is a bug, so withhold.
        return Classification.RED
    level = Classification.WHITE
    order = list(Classification)
    for mark in marks:
        try:
            found = Classification(str(mark).lower())
        except ValueError:
            return Classification.RED
        level = max(level, found, key=order.index)
    return level


def is_entitled(subscription: Subscription, classification: Classification) -> bool:
    """Tell whether the subscriber may receive content of this classification by email."""
    if classification is Classification.WHITE:
        return True
    if classification is Classification.GREEN:
        return subscription.verified_party
    return False  # Amber and Red go to named recipients only, never through alerts


def wants_topics(
    subscription: Subscription, topics: frozenset[Topic], classification: Classification
) -> bool:
    """Tell whether a confirmed subscriber follows one of `topics` and may see the content."""
    return (
        subscription.is_confirmed
        and not subscription.topics.isdisjoint(topics)
        and is_entitled(subscription, classification)
    )


# Where an event says when its subject is over: a meeting's end, a consultation's close.
_OVER_AT = {
    **{event_type: ("event", "ends_at") for event_type in CALENDAR_EVENT_TYPES},
    "registry.consultation.opened": ("consultation", "closes_at"),
    "registry.consultation.closing": ("consultation", "closes_at"),
}


def is_about_the_past(event: CloudEvent) -> bool:
    """Tell whether the event's meeting had ended, or its consultation closed, when it happened.

    Such events come from loading history (seed data, a derived deadline of 2017):
    nobody needs an alert or a digest line about a meeting that is over.
    """
    where = _OVER_AT.get(event.type)
    entity = event.data.get(where[0]) if where else None
    if where is None or not isinstance(entity, dict):
        return False
    try:
        return parse_instant(entity.get(where[1])) < event.time
    except ValueError:
        return False


def followed_when(subscription: Subscription, occurred_at: datetime) -> bool:
    """Tell whether the subscriber had confirmed by the time the event happened.

    Events are consumed some time after they happen (a backlog, a replay); a person
    who confirmed since must not be told about what happened before they asked.
    """
    return subscription.confirmed_at is not None and subscription.confirmed_at <= occurred_at


def wants(subscription: Subscription, event: CloudEvent) -> bool:
    """Tell whether this subscriber should be told about this event (alert or digest)."""
    return (
        not is_about_the_past(event)
        and followed_when(subscription, event.time)
        and wants_topics(
            subscription,
            topics_of(event.type, event.data),
            classification_of(event.type, event.data),
        )
    )
