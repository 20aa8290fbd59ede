"""Specify which events reach which subscribers, and classification entitlement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.notifier.domain.matching import is_entitled, topics_of, wants
from services.notifier.domain.subscriptions import unsubscribe
from shared.contracts.classification import Classification
from shared.contracts.events import disclosed_classification as classification_of
from shared.events import CloudEvent

from .samples import (
    NOW,
    confirmed,
    consultation,
    decision,
    draft_proposal,
    meeting,
    modification,
    release,
    status_changed,
)


def test_change_board_meeting_falls_under_committee_type_all_and_agenda_refs() -> None:
    topics = topics_of("calendar.event.created", {"event": meeting()})
    assert topics == {
        "all",
        "committee:change-board",
        "type:meeting",
        "modification:MP192",
        "modification:DP192",
        "modification:MP078",
        "modification:DP078",
    }


def test_consultation_falls_under_consultations_and_its_modification() -> None:
    topics = topics_of("registry.consultation.opened", {"consultation": consultation()})
    assert {"consultations", "modification:MP192", "all"} <= topics


def test_release_falls_under_releases_and_every_modification_it_implements() -> None:
    topics = topics_of("registry.release.published", {"release": release()})
    assert {"releases", "modification:SECMP0062", "modification:MP102A"} <= topics


def test_new_draft_proposal_falls_under_draft_proposals() -> None:
    topics = topics_of("registry.modification.created", {"modification": draft_proposal()})
    assert {"draft-proposals", "modification:DP197", "modification:MP197"} <= topics


def test_new_modification_proposal_is_not_a_draft_proposal() -> None:
    topics = topics_of("registry.modification.created", {"modification": modification()})
    assert "draft-proposals" not in topics


def test_status_change_reaches_followers_of_the_modification_and_its_draft() -> None:
    assert {"modification:MP192", "modification:DP192"} <= topics_of(
        "registry.modification.status_changed", status_changed()
    )


def test_decision_reaches_followers_of_the_modification() -> None:
    data = {"decision": decision(), "modification": modification()}
    assert "modification:MP192" in topics_of("registry.decision.recorded", data)


def test_field_edits_and_unknown_events_alert_nobody() -> None:
    assert topics_of("registry.modification.updated", {"modification": modification()}) == set()
    assert topics_of("registry.something.new", {}) == set()


def test_an_event_outside_the_contract_alerts_nobody() -> None:
    # The consumer dead-letters such an event; stored data of an older shape lands here.
    assert (
        topics_of("calendar.event.created", {"event": meeting(modification_refs=["XYZ"])}) == set()
    )
    no_mark = {k: v for k, v in consultation().items() if k != "classification"}
    assert topics_of("registry.consultation.opened", {"consultation": no_mark}) == set()


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("registry.consultation.reclassified", {"consultation": consultation()}),
        (
            "registry.decision.reclassified",
            {"decision": decision(), "modification": modification()},
        ),
        ("registry.release.updated", {"release": release()}),
    ],
    ids=["consultation", "decision", "release"],
)
def test_a_reclassification_alerts_nobody(event_type: str, data: dict[str, Any]) -> None:
    assert topics_of(event_type, data) == set()


@pytest.mark.parametrize(
    ("classification", "public", "party"),
    [("white", True, True), ("green", False, True), ("amber", False, False), ("red", False, False)],
)
def test_entitlement_by_classification(classification: str, public: bool, party: bool) -> None:
    level = Classification(classification)
    assert is_entitled(confirmed(["all"]), level) is public
    assert is_entitled(confirmed(["all"], verified_party=True), level) is party


def test_calendar_event_without_classification_is_withheld() -> None:
    event = meeting()
    del event["classification"]
    assert classification_of("calendar.event.created", {"event": event}) is Classification.RED


def test_unknown_classification_is_withheld() -> None:
    data = {"event": meeting(classification="purple")}
    assert classification_of("calendar.event.created", data) is Classification.RED


def _event(event_type: str, data: dict[str, object]) -> CloudEvent:
    return CloudEvent(source="/calendar", type=event_type, data=data, time=NOW)


def test_confirmed_follower_of_the_committee_wants_the_meeting() -> None:
    event = _event("calendar.event.created", {"event": meeting()})
    assert wants(confirmed(["committee:change-board"]), event)
    assert not wants(confirmed(["committee:sec-panel"]), event)


def test_green_meeting_reaches_only_verified_parties() -> None:
    event = _event("calendar.event.created", {"event": meeting(classification="green")})
    assert not wants(confirmed(["all"]), event)
    assert wants(confirmed(["all"], verified_party=True), event)


def test_unsubscribed_person_wants_nothing() -> None:
    event = _event("calendar.event.created", {"event": meeting()})
    assert not wants(unsubscribe(confirmed(["all"]), now=NOW), event)


def test_event_that_happened_before_the_subscriber_confirmed_is_not_wanted() -> None:
    subscription = confirmed(["committee:change-board"])  # confirmed at NOW
    before = CloudEvent(
        source="/calendar",
        type="calendar.event.created",
        data={"event": meeting()},
        time=NOW - timedelta(seconds=1),
    )
    assert not wants(subscription, before)
    assert wants(subscription, _event("calendar.event.created", {"event": meeting()}))


def test_meeting_that_had_ended_when_announced_is_not_wanted() -> None:
    subscription = confirmed(["committee:change-board"])
    over = meeting(
        starts_at=(NOW - timedelta(days=3)).isoformat(),
        ends_at=(NOW - timedelta(days=3, hours=-2)).isoformat(),
    )
    assert not wants(subscription, _event("calendar.event.created", {"event": over}))
    coming = meeting(
        starts_at=(NOW + timedelta(days=3)).isoformat(),
        ends_at=(NOW + timedelta(days=3, hours=2)).isoformat(),
    )
    assert wants(subscription, _event("calendar.event.created", {"event": coming}))
