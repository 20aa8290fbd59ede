"""Specify the daily and weekly digest: sections, de-duplication, entitlement, emptiness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.notifier.domain.digests import DigestItem, build_digest, digest_item
from services.notifier.domain.subscriptions import Subscription
from shared.contracts.classification import Classification
from shared.events import CloudEvent

from .samples import (
    confirmed,
    consultation,
    draft_proposal,
    meeting,
    meeting_moved,
    release,
    status_changed,
    webinar,
)

START = datetime(2022, 1, 17, 7, 0, tzinfo=UTC)
END = datetime(2022, 1, 24, 7, 0, tzinfo=UTC)


def _item(key: str, event_type: str, data: dict[str, Any], hours: int = 1) -> DigestItem:
    return DigestItem(key, event_type, data, START + timedelta(hours=hours))


def _weekly(topics: list[str] | None = None, *, verified_party: bool = False) -> Subscription:
    return confirmed(topics or ["all"], digest="weekly", verified_party=verified_party)


def test_digest_has_the_newsletter_sections() -> None:
    items = [
        _item("e1", "calendar.event.created", {"event": meeting()}),
        _item("e2", "calendar.event.created", {"event": webinar()}),
        _item("e3", "registry.modification.created", {"modification": draft_proposal()}),
        _item("e4", "registry.consultation.opened", {"consultation": consultation()}),
        _item(
            "e5",
            "registry.modification.status_changed",
            status_changed(changed_at="2022-01-17T12:00:00+00:00"),
        ),
        _item(
            "e6",
            "registry.release.scheduled",
            {"release": release(name="February 2022 SEC Release", effective_date="2022-02-24")},
        ),
    ]
    digest = build_digest(_weekly(), items, START, END, {})
    assert digest is not None
    assert [(r.date, r.title) for r in digest.meetings] == [
        ("26 January 2022", "Change Board Meeting 62"),
        ("28 January 2022", "Security Assessment Guidance Webinar"),
    ]
    assert [r.ref for r in digest.draft_proposals] == ["DP197"]
    assert [r.closes for r in digest.consultations] == ["Friday 4 February 2022, 5:00pm"]
    assert [r.change for r in digest.status_changes] == ["Refinement Process → Report Phase"]
    assert [r.name for r in digest.releases] == ["February 2022 SEC Release"]
    assert digest.item_keys == {"e1", "e2", "e3", "e4", "e5", "e6"}


def test_empty_digest_is_none() -> None:
    assert build_digest(_weekly(), [], START, END, {}) is None


def test_digest_with_only_stale_items_is_none() -> None:
    past = meeting(starts_at="2022-01-18T10:00:00+00:00", ends_at="2022-01-18T12:00:00+00:00")
    assert (
        build_digest(
            _weekly(), [_item("e1", "calendar.event.created", {"event": past})], START, END, {}
        )
        is None
    )


def test_a_meeting_changed_twice_shows_once_in_its_latest_state() -> None:
    moved = meeting(starts_at="2022-02-23T10:00:00+00:00", ends_at="2022-02-23T13:00:00+00:00")
    items = [
        _item("e1", "calendar.event.created", {"event": meeting()}, hours=1),
        _item("e2", "calendar.event.updated", meeting_moved(moved), hours=2),
    ]
    digest = build_digest(_weekly(), items, START, END, {})
    assert digest is not None
    assert [r.date for r in digest.meetings] == ["23 February 2022"]
    assert digest.item_keys == {"e1", "e2"}


def test_the_same_event_delivered_twice_is_one_item() -> None:
    item = _item("e1", "registry.modification.created", {"modification": draft_proposal()})
    digest = build_digest(_weekly(), [item, item], START, END, {})
    assert digest is not None
    assert len(digest.draft_proposals) == 1


def test_items_after_the_period_wait_for_the_next_digest() -> None:
    late = DigestItem(
        "e9", "registry.modification.created", {"modification": draft_proposal()}, END
    )
    assert build_digest(_weekly(), [late], START, END, {}) is None


def test_closed_consultation_leaves_the_open_list() -> None:
    items = [
        _item("e1", "registry.consultation.opened", {"consultation": consultation()}, hours=1),
        _item(
            "e2",
            "registry.consultation.closed",
            {"consultation": consultation(status="closed")},
            hours=2,
        ),
    ]
    assert build_digest(_weekly(["consultations"]), items, START, END, {}) is None


def test_green_items_are_left_out_for_the_public() -> None:
    items = [_item("e1", "calendar.event.created", {"event": meeting(classification="green")})]
    assert build_digest(_weekly(), items, START, END, {}) is None
    digest = build_digest(_weekly(verified_party=True), items, START, END, {})
    assert digest is not None
    assert digest.classification == "green"


def test_only_followed_topics_are_included() -> None:
    items = [
        _item("e1", "calendar.event.created", {"event": meeting()}),
        _item("e2", "registry.modification.created", {"modification": draft_proposal()}),
    ]
    digest = build_digest(_weekly(["draft-proposals"]), items, START, END, {})
    assert digest is not None
    assert digest.meetings == ()
    assert digest.item_keys == {"e1", "e2"}  # both consumed, only one shown


def test_immediate_subscriber_has_no_digest() -> None:
    with pytest.raises(ValueError, match="immediate"):
        build_digest(confirmed(["all"]), [], START, END, {})


def test_digest_key_is_stable_per_subscriber_and_period() -> None:
    subscription = _weekly()
    items = [_item("e1", "registry.modification.created", {"modification": draft_proposal()})]
    first = build_digest(subscription, items, START, END, {})
    again = build_digest(subscription, items, START, END, {})
    assert first is not None
    assert again is not None
    assert first.key == again.key


def test_digest_item_from_a_cloud_event_is_keyed_by_event_id() -> None:
    event = CloudEvent(
        source="/registry",
        type="registry.modification.created",
        data={"modification": draft_proposal()},
        time=START,
    )
    assert digest_item(event).key == event.id


def test_a_line_about_a_consultation_reclassified_since_is_left_out() -> None:
    items = [
        _item("e4", "registry.consultation.opened", {"consultation": consultation()}),
        _item("e1", "calendar.event.created", {"event": meeting()}),
    ]
    current = {"consultation:con-mp192-rc": Classification.RED}
    digest = build_digest(_weekly(verified_party=True), items, START, END, current)
    assert digest is not None
    assert digest.consultations == ()
    assert len(digest.meetings) == 1
    # Consumed all the same: it never shows up in a later digest either.
    assert digest.item_keys == {"e1", "e4"}
