"""The topic grammar: what a subscriber follows, what a feed selects, what an entry falls under.

The notifier matches alerts by these topics and the calendar builds private feeds from
them; both parse with `parse_topic` and compute an entry's topics with `entry_topics`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, NewType

from shared.contracts.vocabulary import COMMITTEES_BY_SLUG, EventType
from shared.refs import InvalidReference, ModificationRef, RefKind


class UnknownTopic(ValueError):
    """A topic string that names nothing a subscriber can follow; `str(err)` is safe to show."""


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


def entry_topics(
    event_type: EventType, committee: str | None, refs: Iterable[ModificationRef]
) -> frozenset[Topic]:
    """Return the topics an alert about a calendar entry falls under.

    `consultations`, `releases` and `draft-proposals` are not among them: the registry's
    own events reach those followers, so an alert about the calendar entry would repeat it.
    """
    topics = {ALL, type_topic(event_type)}
    # A committee the calendar knows before the other services do still reaches `all`.
    if committee in COMMITTEES_BY_SLUG:
        topics.add(Topic(f"committee:{committee}"))
    for ref in refs:
        topics |= modification_topics(ref)
    return frozenset(topics)


def feed_topics(
    event_type: EventType, committee: str | None, refs: Iterable[ModificationRef]
) -> frozenset[Topic]:
    """Return the topics a calendar entry is shown under in a feed built from topics."""
    refs = tuple(refs)
    topics = set(entry_topics(event_type, committee, refs))
    if event_type is EventType.CONSULTATION_DEADLINE:
        topics.add(CONSULTATIONS)
    if event_type is EventType.RELEASE_GO_LIVE:
        topics.add(RELEASES)
    if any(ref.is_draft for ref in refs):
        topics.add(DRAFT_PROPOSALS)
    return frozenset(topics)
