"""Specify which entries each feed shows; nothing above White in a public feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from services.calendar.domain.changes import cancel
from services.calendar.domain.errors import UnknownFeed
from services.calendar.domain.feeds import FeedSpec, select
from services.calendar.domain.model import AgendaItem, CalendarEvent
from shared.contracts.classification import Classification
from shared.contracts.topics import UnknownTopic, parse_topic
from shared.contracts.vocabulary import EventType
from shared.refs import ModificationRef
from tests.unit.calendar.factories import BASE_URL, NOW, event

PUBLIC_SPECS = [
    FeedSpec.everything(),
    FeedSpec.committee("change-board"),
    FeedSpec.event_type("meeting"),
    FeedSpec.modification("MP192"),
]


def classified(level: Classification) -> CalendarEvent:
    return event(
        id=f"cb-{level.value}",
        classification=level,
        agenda=(AgendaItem("Votes", (ModificationRef.parse("MP192"),)),),
    )


ALL_LEVELS = [classified(level) for level in Classification]


@pytest.mark.parametrize("spec", PUBLIC_SPECS, ids=lambda s: s.name)
def test_public_feeds_show_white_only(spec: FeedSpec) -> None:
    chosen = select(ALL_LEVELS, spec, NOW)
    assert [e.classification for e in chosen] == [Classification.WHITE]


def test_public_feed_ignores_a_request_for_green() -> None:
    spec = FeedSpec(FeedSpec.everything().kind, FeedSpec.everything().topics, include_green=True)
    assert [e.classification for e in select(ALL_LEVELS, spec, NOW)] == [Classification.WHITE]


def test_private_feed_of_a_verified_party_adds_green_but_never_amber_or_red() -> None:
    spec = FeedSpec.private(["all"], include_green=True)
    chosen = {e.classification for e in select(ALL_LEVELS, spec, NOW)}
    assert chosen == {Classification.WHITE, Classification.GREEN}


def test_private_feed_without_green_entitlement_is_white_only() -> None:
    spec = FeedSpec.private(["all"], include_green=False)
    assert {e.classification for e in select(ALL_LEVELS, spec, NOW)} == {Classification.WHITE}


@pytest.mark.parametrize(("days", "kept"), [(0, True), (89, True), (90, True), (91, False)])
def test_cancelled_entry_is_kept_for_90_days(days: int, kept: bool) -> None:
    cancelled = cancel(event(), "Clash", NOW, base_url=BASE_URL).event
    chosen = select([cancelled], FeedSpec.everything(), NOW + timedelta(days=days))
    assert (chosen == [cancelled]) is kept


def test_committee_feed_shows_only_that_committee() -> None:
    entries = [event(), event(id="ssc-139", committee="security-sub-committee")]
    chosen = select(entries, FeedSpec.committee("security-sub-committee"), NOW)
    assert [e.id for e in chosen] == ["ssc-139"]


def test_modification_feed_for_an_mp_includes_its_draft_proposal() -> None:
    about_draft = event(id="csc-36", related_refs=(ModificationRef.parse("DP197"),))
    chosen = select([about_draft, event()], FeedSpec.modification("MP197"), NOW)
    assert [e.id for e in chosen] == ["csc-36"]


def test_private_topics_select_the_union_of_their_matches() -> None:
    deadline = event(id="consultation-x", type=EventType.CONSULTATION_DEADLINE, committee=None)
    go_live = event(id="release-x", type=EventType.RELEASE_GO_LIVE, committee=None)
    draft_meeting = event(
        id="csc-36",
        committee="change-sub-committee",
        related_refs=(ModificationRef.parse("DP198"),),
    )
    webinar = event(id="webinar", type=EventType.WEBINAR, committee=None)
    entries = [deadline, go_live, draft_meeting, webinar, event()]
    spec = FeedSpec.private(
        ["consultations", "releases", "draft-proposals", "type:webinar"], include_green=False
    )
    assert {e.id for e in select(entries, spec, NOW)} == {
        "consultation-x",
        "release-x",
        "csc-36",
        "webinar",
    }


def test_selection_is_in_start_then_id_order() -> None:
    later = event(
        id="a-later", starts_at=NOW + timedelta(days=30), ends_at=NOW + timedelta(days=31)
    )
    entries = [later, event(id="b"), event(id="a")]
    assert [e.id for e in select(entries, FeedSpec.everything(), NOW)] == ["a", "b", "a-later"]


@pytest.mark.parametrize(
    "text",
    ["committee:tea", "type:party", "modification:XYZ", "everything", "all:now", "releases:1"],
)
def test_unknown_topic_is_refused(text: str) -> None:
    with pytest.raises(UnknownTopic):
        parse_topic(text)
    with pytest.raises(UnknownFeed):
        FeedSpec.private([text], include_green=False)


def test_topic_parsing_normalises_references() -> None:
    assert parse_topic("modification:mp085a") == "modification:MP085A"


@pytest.mark.parametrize(
    "build",
    [
        lambda: FeedSpec.committee("tea-committee"),
        lambda: FeedSpec.event_type("party"),
        lambda: FeedSpec.modification("../etc/passwd"),
    ],
)
def test_unknown_feed_name_is_refused(build: Callable[[], FeedSpec]) -> None:
    with pytest.raises(UnknownFeed):
        build()


def test_feed_names_say_what_they_hold() -> None:
    assert FeedSpec.committee("change-board").name == "SEC calendar: Change Board"
    assert FeedSpec.event_type("webinar").name == "SEC calendar: Webinar"
    assert FeedSpec.modification("MP192").name == "SEC calendar: MP192"
