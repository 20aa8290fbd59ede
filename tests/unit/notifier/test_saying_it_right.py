"""Specify the wording of emails: all-day ranges, what an entry is called, nothing past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from services.notifier.domain.display import format_span
from services.notifier.domain.mail import render_alert
from services.notifier.domain.matching import is_about_the_past
from shared.events import CloudEvent

from .samples import DOMAIN, LINKS, NOW, SENDER, confirmed, meeting, release


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "expected"),
    [
        # One winter day: midnight to the next midnight (DTEND is exclusive).
        ("2027-02-01T00:00:00+00:00", "2027-02-02T00:00:00+00:00", "Monday 1 February 2027"),
        # One summer day: London midnights are 23:00 UTC.
        ("2027-06-30T23:00:00+00:00", "2027-07-01T23:00:00+00:00", "Thursday 1 July 2027"),
        # Over the October clock change: a 25-hour London day.
        ("2027-10-30T23:00:00+00:00", "2027-11-01T00:00:00+00:00", "Sunday 31 October 2027"),
        (
            "2027-02-01T00:00:00+00:00",
            "2027-02-04T00:00:00+00:00",
            "Monday 1 February 2027 to Wednesday 3 February 2027",
        ),
        # An end that is not a midnight is inclusive.
        ("2027-02-01T00:00:00+00:00", "2027-02-01T23:59:00+00:00", "Monday 1 February 2027"),
        ("2027-02-01T00:00:00+00:00", None, "Monday 1 February 2027"),
    ],
)
def test_all_day_ranges_read_with_an_exclusive_end(
    starts_at: str, ends_at: str | None, expected: str
) -> None:
    end = _at(ends_at) if ends_at else None
    assert format_span(_at(starts_at), end, all_day=True) == expected


def _created(**event: Any) -> EmailMessage:
    return render_alert(
        "calendar.event.created",
        {"event": meeting(**event)},
        confirmed(["all"]),
        LINKS,
        None,
        event_id="evt-1",
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_a_one_day_all_day_entry_reads_as_one_day() -> None:
    message = _created(
        all_day=True, starts_at="2027-02-01T00:00:00+00:00", ends_at="2027-02-02T00:00:00+00:00"
    )
    assert "Monday 1 February 2027 (UK time)" in _text(message)
    assert "Tuesday 2 February 2027" not in _text(message)


def test_a_change_board_vote_says_vote() -> None:
    message = _created(type="change-board-vote", title="MP192 Change Board vote")
    assert str(message["Subject"]).startswith("New Change Board vote: MP192 Change Board vote")
    assert "A new Change Board vote has been added" in _text(message)
    assert "meeting" not in str(message["Subject"]).lower()


def test_a_consultation_deadline_says_consultation() -> None:
    message = _created(
        type="consultation-deadline", committee=None, committee_name=None, title="MP192 closes"
    )
    assert str(message["Subject"]).startswith("New consultation deadline: MP192 closes")
    assert "A new consultation deadline has been added" in _text(message)


@pytest.mark.parametrize(
    ("entry_type", "word"),
    [
        ("meeting", "meeting"),
        ("webinar", "webinar"),  # even when a committee runs it
        ("release-go-live", "SEC Release go-live"),
        ("other", "meeting"),  # a committee's other entry
    ],
)
def test_each_entry_type_has_its_own_word(entry_type: str, word: str) -> None:
    assert str(_created(type=entry_type)["Subject"]).startswith(f"New {word}: ")


def _release_event(event_type: str, effective_date: str, at: datetime) -> CloudEvent:
    data = {"release": release(effective_date=effective_date)}
    return CloudEvent(source="/registry", type=event_type, data=data, time=at)


@pytest.mark.parametrize("event_type", ["registry.release.scheduled", "registry.release.published"])
def test_a_release_dated_before_the_day_it_is_entered_is_about_the_past(event_type: str) -> None:
    at = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    assert is_about_the_past(_release_event(event_type, "2016-11-03", at))
    assert is_about_the_past(_release_event(event_type, "2026-11-28", at))
    assert not is_about_the_past(_release_event(event_type, "2026-11-29", at))
    assert not is_about_the_past(_release_event(event_type, "2027-02-25", at))


def test_a_release_day_is_a_london_day() -> None:
    # 23:30 UTC on 28 June is already 29 June in London.
    late = datetime(2027, 6, 28, 23, 30, tzinfo=UTC)
    assert is_about_the_past(_release_event("registry.release.scheduled", "2027-06-28", late))


def test_an_entry_without_an_end_is_past_once_it_started() -> None:
    event = meeting(starts_at="2016-01-26T10:00:00+00:00", ends_at=None)
    created = CloudEvent(
        source="/calendar", type="calendar.event.created", data={"event": event}, time=NOW
    )
    assert is_about_the_past(created)
    later = meeting(starts_at=(NOW + timedelta(days=1)).isoformat(), ends_at=None)
    assert not is_about_the_past(
        CloudEvent(
            source="/calendar", type="calendar.event.created", data={"event": later}, time=NOW
        )
    )
