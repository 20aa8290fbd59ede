"""Specify the generated VTIMEZONE: yearly rules from zoneinfo, no multi-valued RDATE, no end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.calendar.domain.errors import InvalidRecurrence
from services.calendar.domain.model import Recurrence
from services.calendar.domain.vtimezone import transitions, vtimezone
from tests.unit.calendar.factories import event


def lines(tzid: str) -> list[str]:
    return vtimezone(tzid, 1990).to_ical().decode().replace("\r\n ", "").split("\r\n")


def test_london_follows_the_current_rule_for_ever_with_no_rdate() -> None:
    text = lines("Europe/London")
    assert not [line for line in text if line.startswith("RDATE")]
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    assert not any("only works" in line for line in text)


def test_a_zone_without_daylight_time_has_one_standard_observance() -> None:
    text = lines("Asia/Tokyo")
    assert text.count("BEGIN:STANDARD") == 1
    assert "BEGIN:DAYLIGHT" not in text


def test_transitions_are_found_to_the_second() -> None:
    found = [t for t in transitions("Europe/London", 2027, 2027)]
    assert [t.at for t in found] == [
        datetime(2027, 3, 28, 1, tzinfo=UTC),
        datetime(2027, 10, 31, 1, tzinfo=UTC),
    ]
    assert found[0].observance.offset_to == timedelta(hours=1)
    assert found[1].local == datetime(2027, 10, 31, 2)


def test_a_series_must_start_on_its_first_occurrence() -> None:
    with pytest.raises(InvalidRecurrence, match="first occurrence"):
        event(
            # 26 January 2022 is a Wednesday; the rule wants Mondays.
            recurrence=Recurrence(rule="FREQ=WEEKLY;BYDAY=MO;COUNT=3"),
        )


def test_a_series_may_not_fall_in_the_repeated_hour() -> None:
    start = datetime(2027, 10, 17, 0, 30, tzinfo=UTC)  # 01:30 BST, a Sunday
    with pytest.raises(InvalidRecurrence, match="clock change"):
        event(
            starts_at=start,
            ends_at=start + timedelta(minutes=20),
            recurrence=Recurrence(rule="FREQ=WEEKLY;COUNT=3"),
        )
