"""Say how a topic reads in an email footer or on the manage page."""

from __future__ import annotations

from typing import Final

from shared.contracts.topics import ALL, CONSULTATIONS, DRAFT_PROPOSALS, RELEASES, Topic
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG


def topic_label(topic: Topic) -> str:
    """Return how a topic reads to a person."""
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
