"""Map events to topics and decide which subscriber may and wants to hear of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from services.notifier.domain.display import london, parse_day, parse_instant
from services.notifier.domain.subscriptions import Subscription
from shared.contracts.classification import Classification, most_restricted
from shared.contracts.events import (
    CALENDAR_EVENTS,
    RECLASSIFICATIONS,
    RELEASE_EVENTS,
    CalendarEventData,
    ConsultationData,
    DecisionData,
    EventName,
    InvalidPayload,
    ModificationCreatedData,
    ReleaseData,
    StatusChangedData,
    disclosed_classification,
    parse_payload,
    subject_keys,
)
from shared.contracts.topics import (
    ALL,
    CONSULTATIONS,
    DRAFT_PROPOSALS,
    RELEASES,
    Topic,
    entry_topics,
    modification_topics,
)
from shared.events import CloudEvent
from shared.refs import ModificationRef


def _ref_topics(refs: Iterable[str]) -> set[Topic]:
    return {topic for ref in refs for topic in modification_topics(ModificationRef.parse(ref))}


def topics_of(event_type: str, data: Mapping[str, Any]) -> frozenset[Topic]:
    """Return the topics an event falls under; empty means nobody is alerted.

    An event that does not fit the catalogue alerts nobody (the consumer dead-letters
    it before this is asked; stored data from an older contract lands here).
    """
    try:
        payload = parse_payload(event_type, data)
    except InvalidPayload:
        return frozenset()
    match payload:
        case CalendarEventData(event=event):
            refs = [ModificationRef.parse(ref) for ref in event.modification_refs]
            return entry_topics(event.type, event.committee, refs)
        case ModificationCreatedData(modification=modification):
            topics = {ALL, *_ref_topics([modification.ref])}
            if modification.is_draft or modification.ref.startswith("DP"):
                topics.add(DRAFT_PROPOSALS)
            return frozenset(topics)
        case StatusChangedData(modification=modification):
            return frozenset({ALL, *_ref_topics([modification.ref])})
        case ConsultationData(consultation=consultation) if event_type not in RECLASSIFICATIONS:
            about = consultation.modification_ref
            return frozenset({ALL, CONSULTATIONS, *_ref_topics([about] if about else [])})
        case DecisionData(decision=decision) if event_type not in RECLASSIFICATIONS:
            return frozenset({ALL, *_ref_topics([decision.modification_ref])})
        case ReleaseData(release=release) if event_type != EventName.RELEASE_UPDATED:
            return frozenset({ALL, RELEASES, *_ref_topics(release.modification_refs)})
    # Field edits, reclassifications and a release's changed list alert nobody: they
    # are not news, and a reclassification must never announce what it hides.
    return frozenset()


def held_back_to(
    derived: Classification, data: Mapping[str, Any], current: Mapping[str, Classification]
) -> Classification:
    """Return the mark of mail derived at `derived` from `data`, given its subjects' marks now.

    A subject reclassified since (a consultation turned Red) holds back what was derived
    while it was White; a subject made public since does not release what was withheld.
    """
    return most_restricted(derived, *(current[k] for k in subject_keys(data) if k in current))


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
    **{event_type.value: ("event", "ends_at") for event_type in CALENDAR_EVENTS},
    EventName.CONSULTATION_OPENED.value: ("consultation", "closes_at"),
    EventName.CONSULTATION_CLOSING.value: ("consultation", "closes_at"),
}


def is_about_the_past(event: CloudEvent) -> bool:
    """Tell whether the event's meeting had ended, its consultation closed or its release
    gone live (before that day) when it happened.

    Such events come from loading history (seed data, a derived deadline of 2017, the
    releases of 2016): nobody needs an alert or a digest line about what is over. Nor
    about imported history: an event recorded after it happened (`recordedtime`).
    """
    if event.recordedtime is not None and event.time < event.recordedtime:
        return True
    if event.type in RELEASE_EVENTS:
        release = event.data.get("release")
        if not isinstance(release, dict):
            return False
        try:
            return parse_day(release.get("effective_date")) < london(event.time).date()
        except ValueError:
            return False
    where = _OVER_AT.get(event.type)
    entity = event.data.get(where[0]) if where else None
    if where is None or not isinstance(entity, dict):
        return False
    # An entry without an end is over once it has started.
    over_at = entity.get(where[1]) or entity.get("starts_at")
    try:
        return parse_instant(over_at) < event.time
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
            disclosed_classification(event.type, event.data),
        )
    )
