"""Choose which entries a feed shows: by committee, type, modification or subscriber topics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.calendar.domain.errors import UnknownFeed
from services.calendar.domain.model import CalendarEvent
from services.calendar.domain.rendering import type_label
from shared.refs import InvalidReference, ModificationRef
from shared.vocabulary import COMMITTEES_BY_SLUG, Classification, EventType

CANCELLED_RETENTION = timedelta(days=90)


class TopicKind(StrEnum):
    """The notifier's topic vocabulary (DESIGN.md), shared by private feeds."""

    ALL = "all"
    COMMITTEE = "committee"
    TYPE = "type"
    CONSULTATIONS = "consultations"
    RELEASES = "releases"
    DRAFT_PROPOSALS = "draft-proposals"
    MODIFICATION = "modification"


_BARE = {TopicKind.ALL, TopicKind.CONSULTATIONS, TopicKind.RELEASES, TopicKind.DRAFT_PROPOSALS}


@dataclass(frozen=True, slots=True)
class Topic:
    """One parsed topic; `value` is a committee slug, event type or reference."""

    kind: TopicKind
    value: str | None = None

    @classmethod
    def parse(cls, text: str) -> Topic:
        """Parse `all`, `committee:<slug>`, `type:<type>`, `modification:<REF>` and the rest."""
        name, sep, value = text.strip().partition(":")
        try:
            kind = TopicKind(name)
        except ValueError as exc:
            raise UnknownFeed(f"unknown topic {text!r}", field="topics") from exc
        if kind in _BARE:
            if sep:
                raise UnknownFeed(f"topic {name!r} takes no value", field="topics")
            return cls(kind)
        if kind is TopicKind.COMMITTEE:
            return cls(kind, _committee(value))
        if kind is TopicKind.TYPE:
            return cls(kind, _event_type(value).value)
        return cls(kind, str(_reference(value)))

    def matches(self, event: CalendarEvent) -> bool:
        match self.kind:
            case TopicKind.ALL:
                return True
            case TopicKind.COMMITTEE:
                return event.committee == self.value
            case TopicKind.TYPE:
                return event.type.value == self.value
            case TopicKind.CONSULTATIONS:
                return event.type is EventType.CONSULTATION_DEADLINE
            case TopicKind.RELEASES:
                return event.type is EventType.RELEASE_GO_LIVE
            case TopicKind.DRAFT_PROPOSALS:
                return any(ref.is_draft for ref in event.modification_refs)
            case TopicKind.MODIFICATION:
                return _names_modification(event, _reference(self.value or ""))

    def __str__(self) -> str:
        return self.kind.value if self.value is None else f"{self.kind.value}:{self.value}"


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
        return cls(FeedKind.ALL, (Topic(TopicKind.ALL),))

    @classmethod
    def committee(cls, slug: str) -> FeedSpec:
        return cls(FeedKind.COMMITTEE, (Topic(TopicKind.COMMITTEE, _committee(slug)),))

    @classmethod
    def event_type(cls, name: str) -> FeedSpec:
        return cls(FeedKind.TYPE, (Topic(TopicKind.TYPE, _event_type(name).value),))

    @classmethod
    def modification(cls, ref: str) -> FeedSpec:
        return cls(FeedKind.MODIFICATION, (Topic(TopicKind.MODIFICATION, str(_reference(ref))),))

    @classmethod
    def private(cls, topics: Iterable[str], *, include_green: bool) -> FeedSpec:
        """Build a subscriber's feed; Green only when the subscriber is a verified SEC Party."""
        parsed = tuple(sorted({Topic.parse(t) for t in topics}, key=str))
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
        topic = self.topics[0] if self.topics else Topic(TopicKind.ALL)
        match self.kind:
            case FeedKind.ALL:
                return "SEC calendar"
            case FeedKind.COMMITTEE:
                return f"SEC calendar: {COMMITTEES_BY_SLUG[topic.value or ''].name}"
            case FeedKind.TYPE:
                return f"SEC calendar: {type_label(EventType(topic.value or ''))}"
            case FeedKind.MODIFICATION:
                return f"SEC calendar: {topic.value}"
            case FeedKind.PRIVATE:
                return "SEC calendar (my subscriptions)"

    @property
    def description(self) -> str:
        topics = ", ".join(str(t) for t in self.topics) or "nothing"
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
        and any(topic.matches(event) for topic in spec.topics)
    ]
    return sorted(chosen, key=lambda e: (e.starts_at, e.id))


def _retained(event: CalendarEvent, now: datetime) -> bool:
    if not event.is_cancelled or event.cancelled_at is None:
        return True
    return now - event.cancelled_at <= CANCELLED_RETENTION


def _names_modification(event: CalendarEvent, wanted: ModificationRef) -> bool:
    # A Draft Proposal becomes the Modification Proposal with its number, so a
    # feed for MP197 also carries meetings that discussed DP197.
    target = wanted.as_modification()
    return any(ref.as_modification() == target for ref in event.modification_refs)


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
