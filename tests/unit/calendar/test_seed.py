"""Specify the seed: every dated meeting and event of the documents, in UTC, renderable."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from services.calendar.domain.feeds import FeedSpec, select
from services.calendar.domain.model import CalendarEvent, EventStatus
from services.calendar.domain.rendering import render_feed
from services.calendar.seed import load_seed
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType
from tests.unit.calendar.factories import BASE_URL, parse_both

SEED = load_seed()
BY_ID = {e.id: e for e in SEED}


def entry(event_id: str) -> CalendarEvent:
    return BY_ID[event_id]


def test_seed_is_the_same_on_every_load() -> None:
    assert load_seed() == SEED
    assert len(BY_ID) == len(SEED)


def test_seed_holds_what_the_documents_date() -> None:
    assert len(SEED) == 59
    assert Counter(e.type for e in SEED) == {
        EventType.MEETING: 33,
        EventType.RELEASE_GO_LIVE: 12,
        EventType.CONSULTATION_DEADLINE: 6,
        EventType.WEBINAR: 2,
        EventType.WORKSHOP: 2,
        EventType.OTHER: 2,
        EventType.SEMINAR: 1,
        EventType.ENGAGEMENT_DAY: 1,
    }


@pytest.mark.parametrize(
    ("event_id", "day"),
    [
        ("change-board-62", date(2022, 1, 26)),
        ("security-sub-committee-139", date(2022, 1, 26)),
        ("testing-advisory-group-86", date(2022, 1, 26)),
        ("sec-monthly-working-group-2022-02-02", date(2022, 2, 2)),
        ("tabasc-74", date(2022, 2, 3)),
        ("strategic-working-group-07", date(2022, 2, 7)),
        ("operations-group-65", date(2022, 2, 8)),
        ("smki-pma-90", date(2022, 2, 9)),
        ("security-sub-committee-140", date(2022, 2, 9)),
        ("change-sub-committee-36", date(2022, 2, 15)),
        ("sec-panel-101", date(2022, 2, 18)),
    ],
)
def test_key_meeting_dates_table_is_seeded_as_all_day_meetings(event_id: str, day: date) -> None:
    meeting = entry(event_id)
    assert meeting.all_day
    assert meeting.first_day == day
    assert meeting.type is EventType.MEETING


@pytest.mark.parametrize(
    ("event_id", "starts_at", "ends_at"),
    [
        (
            "security-assessment-guidance-webinar-2022-01-28",
            datetime(2022, 1, 28, 14, 0, tzinfo=UTC),
            datetime(2022, 1, 28, 15, 0, tzinfo=UTC),
        ),
        (
            "credit-cover-webinar-2022-01-31",
            datetime(2022, 1, 31, 14, 0, tzinfo=UTC),
            datetime(2022, 1, 31, 14, 45, tzinfo=UTC),
        ),
        (
            "dcc-ipv-workshop-2022-01-27",
            datetime(2022, 1, 27, 13, 30, tzinfo=UTC),
            datetime(2022, 1, 27, 17, 0, tzinfo=UTC),
        ),
        (  # 10:00-13:00 BST
            "sec-panel-33",
            datetime(2016, 6, 17, 9, 0, tzinfo=UTC),
            datetime(2016, 6, 17, 12, 0, tzinfo=UTC),
        ),
    ],
)
def test_timed_events_have_their_uk_times_in_utc(
    event_id: str, starts_at: datetime, ends_at: datetime
) -> None:
    timed = entry(event_id)
    assert (timed.starts_at, timed.ends_at) == (starts_at, ends_at)
    assert not timed.all_day


def test_panel_meeting_33_has_reference_place_agenda_and_minutes() -> None:
    panel = entry("sec-panel-33")
    assert panel.reference == "SECP_33_1706"
    assert panel.meeting_number == "33"
    assert panel.location == "Gemserv, 8 Fenchurch Place, London EC3M 4AJ"
    assert len(panel.agenda) == 29
    assert {"SECMP0014", "SECMP0017"} <= {str(r) for r in panel.modification_refs}
    assert [d.title for d in panel.documents] == ["SECP_33_1706 - Final Minutes"]


def test_sheffield_seminar_is_an_all_day_seminar() -> None:
    seminar = entry("spotlight-on-the-sec-sheffield-2017-05-18")
    assert seminar.type is EventType.SEMINAR
    assert seminar.location == "Sheffield"
    assert seminar.first_day == date(2017, 5, 18)


def test_release_go_lives_carry_registry_ids() -> None:
    november = entry("release-2020-11")
    assert november.source == "registry:release:2020-11"
    assert november.first_day == date(2020, 11, 29)
    assert len(november.modification_refs) == 18
    assert entry("release-2022-02").first_day == date(2022, 2, 24)
    assert entry("release-2022-06").status is EventStatus.TENTATIVE


def test_consultation_closings_end_at_5pm_uk_time() -> None:
    budget = entry("consultation-sec-panel-draft-budget-2022-2025")
    assert budget.ends_at == datetime(2022, 1, 28, 17, 0, tzinfo=UTC)
    assert [
        str(r)
        for r in entry("consultation-mp085a-modification-report-consultation").modification_refs
    ] == ["MP085A"]


def test_seed_is_all_public() -> None:
    assert {e.classification for e in SEED} == {Classification.WHITE}


def test_whole_seed_renders_and_parses_with_both_parsers() -> None:
    ics = render_feed(
        select(SEED, FeedSpec.everything(), datetime(2022, 1, 20, tzinfo=UTC)),
        name="SEC calendar",
        description="all",
        base_url=BASE_URL,
    )
    lenient, strict = parse_both(ics)
    assert len(lenient.walk("VEVENT")) == len(SEED)
    assert len(strict.events) == len(SEED)
    assert lenient.get_missing_tzids() == set()
