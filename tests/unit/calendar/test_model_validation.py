"""Specify which entries the calendar accepts and how it normalises them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.calendar.domain.errors import (
    InvalidEvent,
    InvalidTimeRange,
    UnknownCommittee,
    UnknownTimezone,
)
from services.calendar.domain.model import whole_days
from shared.refs import ModificationRef
from tests.unit.calendar.factories import event

START = datetime(2022, 1, 26, 10, 0, tzinfo=UTC)


def test_new_entry_has_stable_uid_sequence_zero_and_version_one() -> None:
    created = event()
    assert created.uid == "change-board-62@calendar.sec.example.org"
    assert (created.sequence, created.version) == (0, 1)


def test_end_before_start_is_rejected() -> None:
    with pytest.raises(InvalidTimeRange):
        event(ends_at=START - timedelta(hours=1))


def test_zero_length_entry_is_rejected() -> None:
    with pytest.raises(InvalidTimeRange):
        event(starts_at=START, ends_at=START)


def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(UnknownTimezone):
        event(timezone="Europe/Atlantis")


def test_unknown_committee_slug_is_rejected() -> None:
    with pytest.raises(UnknownCommittee):
        event(committee="tea-committee")


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(InvalidEvent):
        event(starts_at=datetime(2022, 1, 26, 10, 0))


def test_times_are_stored_in_utc_whole_seconds() -> None:
    created = event(starts_at=datetime(2022, 1, 26, 10, 0, 0, 123456, tzinfo=UTC))
    assert created.starts_at == START
    assert created.starts_at.tzinfo is UTC


def test_extraordinary_meeting_number_is_accepted() -> None:
    assert event(meeting_number="37x").meeting_number == "37x"


@pytest.mark.parametrize("number", ["x37", "37X", "", "12345"])
def test_malformed_meeting_number_is_rejected(number: str) -> None:
    with pytest.raises(InvalidEvent):
        event(meeting_number=number)


def test_title_line_breaks_become_single_spaces() -> None:
    created = event(title="  Change Board\r\nMeeting\t62\u2028(moved) ")
    assert created.title == "Change Board Meeting 62 (moved)"


def test_blank_title_is_rejected() -> None:
    with pytest.raises(InvalidEvent):
        event(title=" \r\n ")


def test_description_keeps_lines_with_lf_endings() -> None:
    created = event(description="First\r\nSecond\rThird\x00\n")
    assert created.description == "First\nSecond\nThird"


def test_all_day_entry_spans_local_midnights() -> None:
    starts_at, ends_at = whole_days(date(2022, 6, 30), date(2022, 6, 30))
    created = event(starts_at=starts_at, ends_at=ends_at, all_day=True)
    assert created.starts_at == datetime(2022, 6, 29, 23, 0, tzinfo=UTC)  # BST midnight
    assert (created.first_day, created.end_day_exclusive) == (date(2022, 6, 30), date(2022, 7, 1))


def test_all_day_entry_not_at_local_midnight_is_rejected() -> None:
    with pytest.raises(InvalidTimeRange):
        event(all_day=True)


def test_online_url_must_be_http() -> None:
    with pytest.raises(InvalidEvent):
        event(online_url="javascript:alert(1)")


def test_modification_refs_gather_agenda_and_related_refs_sorted() -> None:
    from services.calendar.domain.model import AgendaItem

    created = event(
        agenda=(AgendaItem("Votes", (ModificationRef.parse("MP192"),)),),
        related_refs=(ModificationRef.parse("DP197"), ModificationRef.parse("MP192")),
    )
    assert [str(r) for r in created.modification_refs] == ["DP197", "MP192"]
