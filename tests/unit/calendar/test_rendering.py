"""Specify the iCalendar feeds: valid for two parsers, complete, escaped and deterministic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from services.calendar.domain.changes import apply_patch, cancel
from services.calendar.domain.model import CalendarEvent, Document, whole_days
from services.calendar.domain.rendering import Organizer, render_feed, render_single
from services.calendar.seed.times import local
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType
from tests.unit.calendar.factories import BASE_URL, NOW, event, parse_both, vevents


def feed(*entries: CalendarEvent, include_green: bool = False) -> bytes:
    return render_feed(
        entries,
        name="SEC calendar",
        description="Smart Energy Code meetings",
        base_url=BASE_URL,
        include_green=include_green,
    )


def unfolded_lines(ics: bytes) -> list[str]:
    return ics.decode().replace("\r\n ", "").split("\r\n")


def test_feed_parses_with_icalendar_and_the_strict_ical_parser() -> None:
    lenient, strict = parse_both(feed(event(), event(id="ssc-139", title="SSC 139")))
    assert len(lenient.walk("VEVENT")) == 2
    assert len(strict.events) == 2


def test_feed_header_names_the_calendar_and_its_refresh_interval() -> None:
    lines = unfolded_lines(feed(event()))
    for expected in (
        "PRODID:-//SECAS//SEC Calendar//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:SEC calendar",
        "X-WR-CALNAME:SEC calendar",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "X-WR-TIMEZONE:Europe/London",
    ):
        assert expected in lines


def test_feed_has_a_vtimezone_for_london_and_every_tzid_used() -> None:
    calendar = icalendar.Calendar.from_ical(
        feed(event(), event(id="ny", timezone="America/New_York"))
    )
    assert {tz.tz_name for tz in calendar.timezones} == {"Europe/London", "America/New_York"}
    assert calendar.get_missing_tzids() == set()


def test_empty_feed_still_declares_london() -> None:
    lenient, strict = parse_both(feed())
    assert [tz.tz_name for tz in lenient.timezones] == ["Europe/London"]
    assert strict.events == []


def test_vevent_carries_identity_times_and_descriptive_properties() -> None:
    (vevent,) = vevents(feed(event(reference="SECP_62_2601")))
    assert vevent["UID"] == "change-board-62@calendar.sec.example.org"
    assert vevent["SEQUENCE"] == 0
    assert vevent["DTSTAMP"].dt == NOW
    assert vevent["CREATED"].dt == NOW
    assert vevent["LAST-MODIFIED"].dt == NOW
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent["DTSTART"].dt == datetime(2022, 1, 26, 10, 0, tzinfo=UTC)
    assert vevent["DTEND"].dt == datetime(2022, 1, 26, 12, 0, tzinfo=UTC)
    assert vevent["SUMMARY"] == "Change Board Meeting 62"
    assert vevent["LOCATION"] == "8 Fenchurch Place, London EC3M 4AJ"
    assert vevent["URL"] == f"{BASE_URL}/events/change-board-62"
    assert vevent.categories == ["Meeting", "Change Board"]
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["CLASS"] == "PUBLIC"
    assert "Reference: SECP_62_2601" in vevent["DESCRIPTION"]


def test_all_day_entry_renders_value_date_with_exclusive_end() -> None:
    starts_at, ends_at = whole_days(date(2022, 2, 24), date(2022, 2, 24))
    go_live = event(
        id="release-2022-02",
        type=EventType.RELEASE_GO_LIVE,
        committee=None,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=True,
    )
    ics = feed(go_live)
    assert "DTSTART;VALUE=DATE:20220224" in unfolded_lines(ics)
    assert "DTEND;VALUE=DATE:20220225" in unfolded_lines(ics)
    assert "TRANSP:TRANSPARENT" in unfolded_lines(ics)
    parse_both(ics)


def test_title_with_crlf_and_ical_syntax_stays_one_summary_property() -> None:
    hostile = event(title="Panel\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Injected")
    ics = feed(hostile)
    lenient, strict = parse_both(ics)
    assert len(lenient.walk("VEVENT")) == 1
    assert len(strict.events) == 1
    assert [line for line in unfolded_lines(ics) if line.startswith("SUMMARY")] == [
        "SUMMARY:Panel END:VEVENT BEGIN:VEVENT SUMMARY:Injected"
    ]


def test_description_with_line_breaks_and_ical_syntax_round_trips_exactly() -> None:
    text = "Papers:\r\nEND:VCALENDAR; a, b \\ c\r\nBEGIN:VEVENT"
    _, strict = parse_both(feed(event(description=text)))
    assert strict.events[0].description.startswith(
        "Papers:\nEND:VCALENDAR; a, b \\ c\nBEGIN:VEVENT\n\n"
    )


def test_same_entries_render_identical_bytes_in_any_order() -> None:
    entries = [event(id=f"cb-{n}", title=f"CB {n}") for n in range(5)]
    assert feed(*entries) == feed(*reversed(entries))


def test_dtstamp_follows_the_last_change_not_the_render_time() -> None:
    later = NOW + timedelta(days=3)
    moved = apply_patch(event(), {"title": "CB 62"}, later, base_url=BASE_URL).event
    (vevent,) = vevents(feed(moved))
    assert vevent["DTSTAMP"].dt == later
    assert vevent["LAST-MODIFIED"].dt == later


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2022, 3, 25), 10),  # GMT, before the clocks go forward on 27 March
        (date(2022, 3, 28), 9),  # BST
        (date(2022, 10, 28), 9),  # BST, before the clocks go back on 30 October
        (date(2022, 10, 31), 10),  # GMT
    ],
)
def test_ten_oclock_london_either_side_of_clock_changes(day: date, utc_hour: int) -> None:
    starts_at = local(day, "10:00")
    assert starts_at == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    meeting = event(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    ics = feed(meeting)
    assert f"DTSTART;TZID=Europe/London:{day:%Y%m%d}T100000" in unfolded_lines(ics)
    lenient, strict = parse_both(ics)
    assert lenient.walk("VEVENT")[0].start == starts_at
    assert strict.events[0].dtstart == starts_at


def test_cancelled_entry_stays_with_status_cancelled_same_uid_higher_sequence() -> None:
    original = event()
    cancelled = cancel(original, "Quorum not met", NOW + timedelta(days=1), base_url=BASE_URL)
    (vevent,) = vevents(feed(cancelled.event))
    assert vevent["UID"] == original.uid
    assert vevent["SEQUENCE"] == 1
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SUMMARY"].startswith("CANCELLED: ")
    assert "Quorum not met" in vevent["DESCRIPTION"]


def test_documents_above_white_appear_only_where_allowed() -> None:
    papers = (
        Document("White papers", "https://sec.example.org/white"),
        Document("Green papers", "https://sec.example.org/green", Classification.GREEN),
        Document("Amber papers", "https://sec.example.org/amber", Classification.AMBER),
        Document("Red papers", "https://sec.example.org/red", Classification.RED),
    )
    public = feed(event(documents=papers)).decode()
    private = feed(event(documents=papers), include_green=True).decode()
    assert "White papers" in public
    assert "Green papers" not in public
    assert "Green papers" in private
    for text in (public, private):
        assert "Amber papers" not in text
        assert "Red papers" not in text


def test_teleconference_appears_as_location_and_joining_link() -> None:
    online = event(location=None, online_url="https://meet.example.org/cb62")
    (vevent,) = vevents(feed(online))
    assert vevent["LOCATION"] == "Teleconference: https://meet.example.org/cb62"
    assert "Join online: https://meet.example.org/cb62" in vevent["DESCRIPTION"]


def test_single_entry_ics_is_a_publish_calendar_with_the_same_uid() -> None:
    ics = render_single(event(), base_url=BASE_URL)
    lenient, strict = parse_both(ics)
    assert lenient["METHOD"] == "PUBLISH"
    assert strict.events[0].uid == "change-board-62@calendar.sec.example.org"


def test_every_entry_names_the_secretariat_as_organizer() -> None:
    organizer = Organizer(name="SEC Administrator", email="secas@example.org")
    ics = render_feed(
        [event(), event(id="ssc-139")],
        name="SEC calendar",
        description="d",
        base_url=BASE_URL,
        organizer=organizer,
    )
    for vevent in vevents(ics):
        assert str(vevent["ORGANIZER"]) == "mailto:secas@example.org"
        assert vevent["ORGANIZER"].params["CN"] == "SEC Administrator"
    assert "ORGANIZER;CN=SECAS:mailto:secas@sec.example.org" in unfolded_lines(feed(event()))


def test_teleconference_carries_conference_and_url_for_older_clients() -> None:
    link = "https://meet.example.org/j/62?pwd=x"
    lines = unfolded_lines(feed(event(online_url=link)))
    assert f"CONFERENCE;FEATURE=AUDIO,VIDEO;LABEL=Join online;VALUE=URI:{link}" in lines
    assert f"URL:{link}" in lines
    assert f"URL:{BASE_URL}/events/change-board-62" in unfolded_lines(feed(event()))


def test_calendar_says_its_page_and_source() -> None:
    ics = render_feed(
        [event()],
        name="SEC calendar",
        description="Smart Energy Code meetings",
        base_url=BASE_URL,
        page_url=f"{BASE_URL}/",
        source_url=f"{BASE_URL}/feeds/all.ics",
    )
    lines = unfolded_lines(ics)
    for expected in (
        f"URL;VALUE=URI:{BASE_URL}/",
        f"SOURCE;VALUE=URI:{BASE_URL}/feeds/all.ics",
        "DESCRIPTION:Smart Energy Code meetings",
        "X-WR-CALDESC:Smart Energy Code meetings",
    ):
        assert expected in lines


def test_every_dtstamp_of_a_feed_is_its_last_change() -> None:
    later = NOW + timedelta(days=3)
    moved = apply_patch(event(id="ssc-139"), {"title": "SSC 139"}, later, base_url=BASE_URL)
    entries = vevents(feed(event(), moved.event))
    assert {e["DTSTAMP"].dt for e in entries} == {later}
    assert {e["LAST-MODIFIED"].dt for e in entries} == {NOW, later}


def test_a_time_in_the_repeated_hour_is_written_in_utc() -> None:
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 01:30 GMT, after 01:30 BST
    (vevent,) = vevents(feed(event(starts_at=second, ends_at=second + timedelta(minutes=20))))
    assert vevent["DTSTART"].dt == second
    assert "DTSTART:20271031T013000Z" in unfolded_lines(
        feed(event(starts_at=second, ends_at=second + timedelta(minutes=20)))
    )
