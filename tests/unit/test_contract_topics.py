"""Specify the topic strings a subscriber may follow."""

from __future__ import annotations

import pytest

from services.notifier.domain.topic_labels import topic_label
from shared.contracts.topics import UnknownTopic, parse_topic, parse_topics


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("all", "all"),
        (" ALL ", "all"),
        ("consultations", "consultations"),
        ("releases", "releases"),
        ("draft-proposals", "draft-proposals"),
        ("committee:change-board", "committee:change-board"),
        ("Committee:Change-Board", "committee:change-board"),
        ("type:webinar", "type:webinar"),
        ("type:Engagement-Day", "type:engagement-day"),
        ("modification:mp192", "modification:MP192"),
        ("modification: MP085a", "modification:MP085A"),
        ("modification:SECMP0021", "modification:SECMP0021"),
        ("modification:dp197", "modification:DP197"),
    ],
)
def test_topics_are_normalised_to_one_canonical_form(given: str, canonical: str) -> None:
    assert parse_topic(given) == canonical


def test_modification_topic_in_any_case_is_the_same_topic() -> None:
    assert parse_topic("modification:mp192") == parse_topic("modification:MP192")


def test_unknown_topic_error_names_the_valid_forms() -> None:
    with pytest.raises(UnknownTopic, match=r"valid forms: all, consultations.*committee:<slug>"):
        parse_topic("meetings")


def test_unknown_committee_lists_the_known_slugs() -> None:
    with pytest.raises(UnknownTopic, match="change-board"):
        parse_topic("committee:tea-club")


def test_unknown_event_type_lists_the_known_types() -> None:
    with pytest.raises(UnknownTopic, match="webinar"):
        parse_topic("type:party")


def test_malformed_modification_reference_is_an_unknown_topic() -> None:
    with pytest.raises(UnknownTopic, match="not a modification reference"):
        parse_topic("modification:MP19")


def test_topic_list_is_deduplicated() -> None:
    assert parse_topics(["modification:mp192", "modification:MP192", "all"]) == {
        "modification:MP192",
        "all",
    }


def test_empty_topic_list_is_rejected() -> None:
    with pytest.raises(UnknownTopic, match="at least one"):
        parse_topics([])


def test_a_bare_string_is_not_a_topic_list() -> None:
    with pytest.raises(UnknownTopic, match="list"):
        parse_topics("all")


def test_topics_read_as_words_in_emails() -> None:
    assert topic_label(parse_topic("committee:change-board")) == "Change Board meetings"
    assert topic_label(parse_topic("type:webinar")) == "Webinar events"
    assert topic_label(parse_topic("modification:MP192")) == "Modification MP192"
