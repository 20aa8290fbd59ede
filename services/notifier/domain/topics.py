"""Parse, validate and normalise the topic strings a subscriber follows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, NewType

from services.notifier.domain.errors import UnknownTopic
from shared.refs import InvalidReference, ModificationRef, RefKind
from shared.vocabulary import COMMITTEES_BY_SLUG, EventType

Topic = NewType("Topic", str)
"""A topic in canonical form, e.g. ``committee:change-board`` or ``modification:MP192``."""

ALL: Final = Topic("all")
CONSULTATIONS: Final = Topic("consultations")
RELEASES: Final = Topic("releases")
DRAFT_PROPOSALS: Final = Topic("draft-proposals")

_PLAIN: Final = frozenset({ALL, CONSULTATIONS, RELEASES, DRAFT_PROPOSALS})
_MAX_TOPICS: Final = 100

VALID_FORMS: Final = (
    "all, consultations, releases, draft-proposals, committee:<slug>, "
    "type:<event type>, modification:<reference such as MP192>"
)


def committee_topic(slug: str) -> Topic:
    """Return the topic of a committee slug (validated)."""
    return parse_topic(f"committee:{slug}")


def type_topic(event_type: EventType) -> Topic:
    """Return the topic of a calendar event type."""
    return Topic(f"type:{event_type.value}")


def modification_topic(ref: ModificationRef) -> Topic:
    """Return the topic of one modification reference."""
    return Topic(f"modification:{ref}")


def modification_topics(ref: ModificationRef) -> frozenset[Topic]:
    """Return the topics of a reference and of its Draft Proposal / Proposal twin.

    A Draft Proposal becomes the Modification Proposal with the same number, so a
    follower of DP197 keeps hearing about MP197 and the other way round.
    """
    topics = {modification_topic(ref)}
    if ref.kind is RefKind.DRAFT:
        topics.add(modification_topic(ref.as_modification()))
    elif ref.kind is RefKind.MODIFICATION and not ref.alternative:
        topics.add(modification_topic(ModificationRef(RefKind.DRAFT, ref.number)))
    return frozenset(topics)


def parse_topic(text: str) -> Topic:
    """Return the canonical form of one topic string or raise UnknownTopic."""
    if not isinstance(text, str):
        raise UnknownTopic(f"a topic must be a string; valid forms: {VALID_FORMS}")
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered in _PLAIN:
        return Topic(lowered)
    prefix, sep, value = cleaned.partition(":")
    prefix = prefix.strip().lower()
    value = value.strip()
    if sep and prefix == "committee":
        slug = value.lower()
        if slug in COMMITTEES_BY_SLUG:
            return Topic(f"committee:{slug}")
        raise UnknownTopic(
            f"unknown committee {value!r}; known: {', '.join(sorted(COMMITTEES_BY_SLUG))}"
        )
    if sep and prefix == "type":
        try:
            return type_topic(EventType(value.lower()))
        except ValueError:
            known = ", ".join(t.value for t in EventType)
            raise UnknownTopic(f"unknown event type {value!r}; known: {known}") from None
    if sep and prefix == "modification":
        try:
            return modification_topic(ModificationRef.parse(value))
        except InvalidReference as err:
            raise UnknownTopic(str(err)) from None
    shown = cleaned if len(cleaned) <= 60 else cleaned[:60] + "…"
    raise UnknownTopic(f"unknown topic {shown!r}; valid forms: {VALID_FORMS}")


def parse_topics(texts: Iterable[str]) -> frozenset[Topic]:
    """Return the canonical, de-duplicated set of topics; at least one, at most 100."""
    if isinstance(texts, str):
        raise UnknownTopic("topics must be a list of strings, not one string")
    topics = frozenset(parse_topic(text) for text in texts)
    if not topics:
        raise UnknownTopic(f"choose at least one topic; valid forms: {VALID_FORMS}")
    if len(topics) > _MAX_TOPICS:
        raise UnknownTopic(f"at most {_MAX_TOPICS} topics per subscription")
    return topics


def topic_label(topic: Topic) -> str:
    """Return how a topic reads in an email footer or on the manage page."""
    prefix, _, value = topic.partition(":")
    if prefix == "committee" and value in COMMITTEES_BY_SLUG:
        return f"{COMMITTEES_BY_SLUG[value].name} meetings"
    if prefix == "type":
        return f"{value.replace('-', ' ')} events".capitalize()
    if prefix == "modification":
        return f"Modification {value}"
    return _PLAIN_LABELS.get(topic, topic)


_PLAIN_LABELS: Final = {
    ALL: "Everything",
    CONSULTATIONS: "Consultations",
    RELEASES: "SEC Releases",
    DRAFT_PROPOSALS: "New Draft Proposals",
}
