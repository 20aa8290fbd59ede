"""Choose which entries a feed shows: by committee, type, modification or subscriber topics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.calendar.domain.errors import UnknownFeed
from services.calendar.domain.model import CalendarEvent
from services.calendar.domain.rendering import type_label
from shared.contracts.classification import Classification
from shared.contracts.topics import (
    ALL,
    Topic,
    UnknownTopic,
    committee_topic,
    feed_topics,
    modification_topic,
    parse_topic,
    type_topic,
)
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG, EventType
from shared.refs import InvalidReference, ModificationRef

CANCELLED_RETENTION = timedelta(days=90)


class FeedKind(StrEnum):
    ALL = "all"
    COMMITTEE = "committee"
    TYPE = "type"
    MODIFICATION = "modification"
    PRIVATE = "private"


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """What a feed selects. Build it with the class methods; they reject unknown names."""

    kind: FeedKind
    topics: tuple[Topic, ...]
    include_green: bool = False

    @classmethod
    def everything(cls) -> FeedSpec:
        return cls(FeedKind.ALL, (ALL,))

    @classmethod
    def committee(cls, slug: str) -> FeedSpec:
        return cls(FeedKind.COMMITTEE, (committee_topic(_committee(slug)),))

    @classmethod
    def event_type(cls, name: str) -> FeedSpec:
        return cls(FeedKind.TYPE, (type_topic(_event_type(name)),))

    @classmethod
    def modification(cls, ref: str) -> FeedSpec:
        return cls(FeedKind.MODIFICATION, (modification_topic(_reference(ref)),))

    @classmethod
    def private(cls, topics: Iterable[str], *, include_green: bool) -> FeedSpec:
        """Build a subscriber's feed; Green only when the subscriber is a verified SEC Party."""
        try:
            parsed = tuple(sorted({parse_topic(t) for t in topics}))
        except UnknownTopic as exc:
            raise UnknownFeed(str(exc), field="topics") from exc
        return cls(FeedKind.PRIVATE, parsed, include_green)

    @property
    def is_public(self) -> bool:
        return self.kind is not FeedKind.PRIVATE

    @property
    def visible(self) -> frozenset[Classification]:
        """Return the classifications this feed may show; Amber and Red never appear."""
        if self.include_green and not self.is_public:
            return frozenset({Classification.WHITE, Classification.GREEN})
        return frozenset({Classification.WHITE})

    @property
    def name(self) -> str:
        """Return the calendar name subscribers see (NAME / X-WR-CALNAME)."""
        value = (self.topics[0] if self.topics else ALL).partition(":")[2]
        match self.kind:
            case FeedKind.ALL:
                return "SEC calendar"
            case FeedKind.COMMITTEE:
                return f"SEC calendar: {COMMITTEES_BY_SLUG[value].name}"
            case FeedKind.TYPE:
                return f"SEC calendar: {type_label(EventType(value))}"
            case FeedKind.MODIFICATION:
                return f"SEC calendar: {value}"
            case FeedKind.PRIVATE:
                return "SEC calendar (my subscriptions)"

    @property
    def path(self) -> str | None:
        """Return the feed's public path (its SOURCE); None for a private feed, whose URL
        holds the subscriber's token and whose bytes are shared by equal topic sets."""
        value = (self.topics[0] if self.topics else ALL).partition(":")[2]
        match self.kind:
            case FeedKind.ALL:
                return "/feeds/all.ics"
            case FeedKind.COMMITTEE:
                return f"/feeds/committees/{value}.ics"
            case FeedKind.TYPE:
                return f"/feeds/types/{value}.ics"
            case FeedKind.MODIFICATION:
                return f"/feeds/modifications/{value}.ics"
            case FeedKind.PRIVATE:
                return None

    @property
    def description(self) -> str:
        topics = ", ".join(self.topics) or "nothing"
        return f"Smart Energy Code meetings, events and deadlines ({topics})"


def select(events: Iterable[CalendarEvent], spec: FeedSpec, now: datetime) -> list[CalendarEvent]:
    """Return the entries the feed shows, in feed order (start, then id).

    Cancelled entries stay for CANCELLED_RETENTION after cancellation so that
    subscribed clients learn of the cancellation, then drop out.
    """
    visible = spec.visible
    chosen = [
        event
        for event in events
        if event.classification in visible
        and _retained(event, now)
        and not feed_topics(event.type, event.committee, event.modification_refs).isdisjoint(
            spec.topics
        )
    ]
    return sorted(chosen, key=lambda e: (e.starts_at, e.id))


def _retained(event: CalendarEvent, now: datetime) -> bool:
    if not event.is_cancelled or event.cancelled_at is None:
        return True
    return now - event.cancelled_at <= CANCELLED_RETENTION


def _committee(slug: str) -> str:
    if slug not in COMMITTEES_BY_SLUG:
        raise UnknownFeed(f"unknown committee {slug!r}", field="committee")
    return slug


def _event_type(name: str) -> EventType:
    try:
        return EventType(name)
    except ValueError as exc:
        raise UnknownFeed(f"unknown event type {name!r}", field="type") from exc


def _reference(text: str) -> ModificationRef:
    try:
        return ModificationRef.parse(text)
    except InvalidReference as exc:
        raise UnknownFeed(str(exc), field="modification") from exc
