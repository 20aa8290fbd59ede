"""The VTIMEZONEs the calendar emits are read right by ical.js and libical for 1990-2100."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone

from tests.conformance.clients import (
    assert_clients_agree,
    expected_instances,
    icaljs_instances,
    libical_instances,
)
from tests.conformance.scenario import Client, create, stored

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney")
# Around the changes of both hemispheres, never inside a skipped or repeated hour.
CLOCKS = (time(0, 30), time(3, 30), time(12, 0))


def first_sunday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(6 - day.weekday()) % 7)


def local_iso(day: date, clock: time, tzid: str) -> str:
    return datetime.combine(day, clock, ZoneInfo(tzid)).isoformat()


async def test_every_change_from_1990_to_2100_in_three_zones(
    calendar: Client, staff: dict[str, str]
) -> None:
    """Yearly series on the change Sundays (before and after the hour) and monthly samples."""
    for number, tzid in enumerate(ZONES):
        for month in (3, 4, 10, 11):
            for clock in CLOCKS:
                day = first_sunday(1990, month)
                await create(
                    calendar,
                    staff,
                    id=f"z{number}-m{month}-{clock.hour:02d}{clock.minute:02d}",
                    title=f"{tzid} {month} {clock}",
                    timezone=tzid,
                    starts_at=local_iso(day, clock, tzid),
                    ends_at=local_iso(day, clock.replace(minute=55), tzid),
                    recurrence={
                        "rule": f"FREQ=YEARLY;BYMONTH={month};BYDAY=1SU,2SU,-1SU;COUNT=333"
                    },
                )
        for first in (1990, 2033, 2076):
            await create(
                calendar,
                staff,
                id=f"z{number}-monthly-{first}",
                title=f"{tzid} monthly from {first}",
                timezone=tzid,
                starts_at=local_iso(date(first, 1, 15), time(9), tzid),
                ends_at=local_iso(date(first, 1, 15), time(10), tzid),
                recurrence={"rule": "FREQ=MONTHLY;COUNT=288"},
            )
    response = await calendar.get("/feeds/committees/change-board.ics")
    assert response.status == 200
    instances = assert_clients_agree(await response.read(), await stored(calendar))
    years = {int(start[:4]) for _, _, start, _ in instances}
    assert {1990, 2013, 2040, 2099, 2100} <= years


async def feed_with_summer_meetings(calendar: Client, staff: dict[str, str]) -> bytes:
    for year in (2013, 2027, 2040):
        await create(
            calendar,
            staff,
            id=f"summer-{year}",
            title=f"Summer {year}",
            starts_at=f"{year}-07-01T09:00:00+00:00",
            ends_at=f"{year}-07-01T10:00:00+00:00",
        )
    response = await calendar.get("/feeds/committees/change-board.ics")
    return await response.read()


def london_block(ics: bytes) -> bytes:
    found = re.search(rb"BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n.*?END:VTIMEZONE\r\n", ics, re.S)
    assert found is not None
    return found.group(0)


async def test_the_old_multi_valued_rdate_zone_is_caught_by_ical_js(
    calendar: Client, staff: dict[str, str]
) -> None:
    """What the feeds carried before issue 10: summer an hour late in ical.js only."""
    ics = await feed_with_summer_meetings(calendar, staff)
    old = Timezone.from_tzid(
        "Europe/London", first_date=date(2010, 1, 1), last_date=date(2040, 1, 1)
    ).to_ical()
    broken = ics.replace(london_block(ics), old)
    expected = set(expected_instances(await stored(calendar)))
    wrong = set(icaljs_instances(broken)) - expected
    assert wrong, "ical.js should misread the multi-valued RDATE zone"


async def test_both_clients_read_the_zone_in_the_file_not_one_of_their_own(
    calendar: Client, staff: dict[str, str]
) -> None:
    ics = await feed_with_summer_meetings(calendar, staff)
    block = london_block(ics)
    shifted = ics.replace(block, block.replace(b"TZOFFSETTO:+0100", b"TZOFFSETTO:+0200"))
    expected = set(expected_instances(await stored(calendar)))
    for client in (icaljs_instances, libical_instances):
        summer = {i for i in client(shifted) if i[0].startswith("summer-")}
        assert summer, client.__name__
        assert not summer & expected, f"{client.__name__} ignored the file's VTIMEZONE"
