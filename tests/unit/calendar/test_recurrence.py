"""Specify recurring series: bounded rules, EXDATEs and overrides that real clients expand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events

from services.calendar.domain.errors import InvalidRecurrence
from services.calendar.domain.model import CalendarEvent, OccurrenceOverride, Recurrence, whole_days
from services.calendar.domain.recurrence import occurrences
from services.calendar.domain.rendering import render_feed
from services.calendar.seed.times import local
from tests.unit.calendar.factories import BASE_URL, event, parse_both

# Weekly from Wednesday 16 March 2022, 10:00 London: the series crosses the
# 27 March clock change, so later occurrences are 09:00 UTC.
FIRST = local(date(2022, 3, 16), "10:00")
SECOND = local(date(2022, 3, 23), "10:00")
THIRD = local(date(2022, 3, 30), "10:00")


def series(
    rule: str = "FREQ=WEEKLY;COUNT=6",
    exdates: tuple[datetime, ...] = (),
    overrides: tuple[OccurrenceOverride, ...] = (),
) -> Recurrence:
    return Recurrence(rule, exdates, overrides)


def weekly(**recurrence: Any) -> CalendarEvent:
    return event(
        id="ssc-weekly",
        title="SSC weekly call",
        starts_at=FIRST,
        ends_at=FIRST + timedelta(hours=1),
        recurrence=series(**recurrence),
    )


def expand(ics: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(ics)
    found: list[icalendar.Event] = recurring_ical_events.of(calendar).between(
        datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC)
    )
    return found


def render(entry: CalendarEvent) -> bytes:
    return render_feed([entry], name="x", description="x", base_url=BASE_URL)


def test_series_keeps_local_time_across_the_clock_change() -> None:
    found = expand(render(weekly()))
    assert len(found) == 6
    local_times = {e.start.astimezone(e.start.tzinfo).time().isoformat() for e in found}
    assert local_times == {"10:00:00"}
    assert found[0].start == datetime(2022, 3, 16, 10, tzinfo=UTC)
    assert found[2].start == datetime(2022, 3, 30, 9, tzinfo=UTC)


def test_exdate_removes_an_occurrence() -> None:
    found = expand(render(weekly(exdates=(SECOND,))))
    starts = [e.start for e in found]
    assert len(starts) == 5
    assert SECOND not in starts


def test_override_moves_and_renames_one_occurrence() -> None:
    moved_to = local(date(2022, 3, 31), "14:00")
    override = OccurrenceOverride(
        recurrence_id=THIRD,
        starts_at=moved_to,
        ends_at=moved_to + timedelta(hours=2),
        title="SSC call (moved)",
    )
    ics = render(weekly(exdates=(SECOND,), overrides=(override,)))
    found = expand(ics)
    assert len(found) == 5
    moved = [e for e in found if e.start == moved_to]
    assert len(moved) == 1
    assert moved[0]["SUMMARY"] == "SSC call (moved)"
    assert THIRD not in [e.start for e in found]
    _, strict = parse_both(ics)
    assert len(strict.events) == 2  # the master and the override share one UID
    assert {e.uid for e in strict.events} == {"ssc-weekly@calendar.sec.example.org"}


def test_domain_expansion_agrees_with_recurring_ical_events() -> None:
    moved_to = local(date(2022, 3, 31), "14:00")
    entry = weekly(
        exdates=(SECOND,),
        overrides=(OccurrenceOverride(THIRD, moved_to, moved_to + timedelta(hours=1)),),
    )
    window = (datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC))
    ours = sorted(o.starts_at for o in occurrences(entry, *window))
    theirs = sorted(e.start for e in expand(render(entry)))
    assert ours == theirs


def test_rule_is_stored_normalised() -> None:
    entry = weekly(rule="rrule:freq=weekly;count=6")
    assert entry.recurrence is not None
    assert entry.recurrence.rule == "FREQ=WEEKLY;COUNT=6"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY",  # unbounded: no COUNT or UNTIL
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",  # impossible: no 30 February
        "FREQ=HOURLY;COUNT=5",  # not a meeting cadence
        "FREQ=DAILY;COUNT=1000",  # too many occurrences
        "FREQ=WEEKLY;COUNT=3;UNTIL=20221231T000000Z",  # both bounds
        "FREQ=WEEKLY;UNTIL=20221231",  # UNTIL not in UTC
        "FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT",  # injection
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",  # malformed
        "",
    ],
)
def test_invalid_rule_is_rejected(rule: str) -> None:
    with pytest.raises(InvalidRecurrence):
        weekly(rule=rule)


def test_exdate_that_is_not_an_occurrence_is_rejected() -> None:
    with pytest.raises(InvalidRecurrence):
        weekly(exdates=(SECOND + timedelta(hours=1),))


def test_override_of_an_excluded_occurrence_is_rejected() -> None:
    with pytest.raises(InvalidRecurrence):
        weekly(
            exdates=(SECOND,),
            overrides=(OccurrenceOverride(SECOND, SECOND, SECOND + timedelta(hours=1)),),
        )


def test_all_day_series_is_rejected() -> None:
    starts_at, ends_at = whole_days(date(2022, 3, 16), date(2022, 3, 16))
    with pytest.raises(InvalidRecurrence):
        event(starts_at=starts_at, ends_at=ends_at, all_day=True, recurrence=series())
