"""What a newcomer types is understood: aliases, local wall times with a zone, dates."""

from __future__ import annotations

from typing import Any

from tests.integration.calendar.conftest import Client

API = "/api/v1/events"
MEETING = {"title": "Panel Meeting 120", "type": "meeting"}


async def create(calendar: Client, staff: dict[str, str], **fields: Any) -> Any:
    response = await calendar.post(API, json={**MEETING, **fields}, headers=staff)
    return response.status, await response.json()


async def test_committees_and_event_types_list_slugs_names_aliases_and_feeds(
    calendar: Client,
) -> None:
    committees = (await (await calendar.get("/api/v1/committees")).json())["items"]
    panel = next(c for c in committees if c["slug"] == "sec-panel")
    assert panel["name"] == "SEC Panel"
    assert "panel" in panel["aliases"]
    assert panel["feed_url"].endswith("/feeds/committees/sec-panel.ics")
    types = (await (await calendar.get("/api/v1/event-types")).json())["items"]
    vote = next(t for t in types if t["slug"] == "change-board-vote")
    assert vote["name"] == "Change Board vote"
    assert "vote" in vote["aliases"]


async def test_aliases_are_accepted_and_stored_as_slugs(
    calendar: Client, staff: dict[str, str]
) -> None:
    status, body = await create(
        calendar,
        staff,
        committee="panel",
        type="Meeting",
        starts_at="2027-06-10T10:00:00+01:00",
        ends_at="2027-06-10T12:00:00+01:00",
    )
    assert status == 201, body
    assert body["committee"] == "sec-panel"
    assert body["type"] == "meeting"
    listed = await (await calendar.get(API, params={"committee": "SEC Panel"})).json()
    assert body["id"] in {item["id"] for item in listed["items"]}


async def test_an_unknown_committee_or_type_is_refused_naming_the_valid_ones(
    calendar: Client, staff: dict[str, str]
) -> None:
    times = {"starts_at": "2027-06-10T10:00:00Z", "ends_at": "2027-06-10T11:00:00Z"}
    status, problem = await create(calendar, staff, committee="the-panel", **times)
    assert status == 422
    assert problem["field"] == "committee"
    assert "sec-panel (panel)" in problem["detail"]
    status, problem = await create(calendar, staff, **{**times, "type": "party"})
    assert status == 422
    assert "change-board-vote (vote, cb-vote)" in problem["detail"]
    listing = await calendar.get(API, params={"committee": "nobody"})
    assert listing.status == 422
    assert "sec-panel (panel)" in (await listing.json())["detail"]


async def test_local_wall_times_are_read_in_the_zone_across_summer_time(
    calendar: Client, staff: dict[str, str]
) -> None:
    status, summer = await create(
        calendar, staff, starts_at="2027-06-10T10:00:00", ends_at="2027-06-10T12:30:00"
    )
    assert status == 201, summer
    assert summer["starts_at"] == "2027-06-10T09:00:00+00:00"  # BST by default (London)
    status, winter = await create(
        calendar,
        staff,
        starts_at="2027-01-14T10:00:00",
        ends_at="2027-01-14T11:00:00",
        timezone="Europe/London",
    )
    assert status == 201, winter
    assert winter["starts_at"] == "2027-01-14T10:00:00+00:00"
    status, elsewhere = await create(
        calendar,
        staff,
        starts_at="2027-01-14T10:00:00",
        ends_at="2027-01-14T11:00:00",
        timezone="Europe/Brussels",
    )
    assert status == 201, elsewhere
    assert elsewhere["starts_at"] == "2027-01-14T09:00:00+00:00"
    # A patch without a zone reads local times in the entry's own.
    moved = await calendar.patch(
        f"{API}/{elsewhere['id']}",
        json={"starts_at": "2027-01-14T09:30:00"},
        headers={**staff, "If-Match": '"1"'},
    )
    assert moved.status == 200, await moved.text()
    assert (await moved.json())["starts_at"] == "2027-01-14T08:30:00+00:00"


async def test_a_time_the_clocks_skip_is_refused_naming_the_nearest_valid_times(
    calendar: Client, staff: dict[str, str]
) -> None:
    status, problem = await create(
        calendar,
        staff,
        starts_at="2027-03-28T01:30:00",
        ends_at="2027-03-28T03:00:00",
        timezone="Europe/London",
    )
    assert status == 422
    assert problem["field"] == "starts_at"
    assert "does not exist in Europe/London" in problem["detail"]
    assert problem["nearest_valid"] == ["2027-03-28T00:59:59+00:00", "2027-03-28T02:00:00+01:00"]


async def test_a_repeated_time_needs_a_fold_and_otherwise_names_both_instants(
    calendar: Client, staff: dict[str, str]
) -> None:
    times = {"starts_at": "2027-10-31T01:30:00", "ends_at": "2027-10-31T03:00:00"}
    status, problem = await create(calendar, staff, **times)
    assert status == 422
    assert problem["instants"] == {
        "earlier": "2027-10-31T00:30:00+00:00",
        "later": "2027-10-31T01:30:00+00:00",
    }
    status, earlier = await create(calendar, staff, **times, fold="earlier")
    assert status == 201, earlier
    assert earlier["starts_at"] == "2027-10-31T00:30:00+00:00"
    status, later = await create(calendar, staff, **times, fold="later")
    assert status == 201, later
    assert later["starts_at"] == "2027-10-31T01:30:00+00:00"
    # An instant with its offset never needs one.
    status, offset = await create(
        calendar, staff, starts_at="2027-10-31T01:30:00+00:00", ends_at="2027-10-31T03:00:00Z"
    )
    assert status == 201, offset


async def test_dates_make_an_all_day_entry_ending_on_its_last_day(
    calendar: Client, staff: dict[str, str]
) -> None:
    status, day = await create(
        calendar, staff, type="release-go-live", starts_at="2027-06-24", ends_at="2027-06-25"
    )
    assert status == 201, day
    assert day["all_day"] is True
    assert day["starts_at"] == "2027-06-23T23:00:00+00:00"  # local midnight, BST
    assert day["ends_at"] == "2027-06-25T23:00:00+00:00"  # after the last day
    status, problem = await create(
        calendar, staff, starts_at="2027-06-24", ends_at="2027-06-24", all_day=False
    )
    assert status == 422
    assert "all-day" in problem["detail"]
    status, problem = await create(
        calendar, staff, starts_at="2027-06-24", ends_at="2027-06-24T12:00:00Z"
    )
    assert status == 422
    assert "both as dates" in problem["detail"]


async def test_an_extraordinary_meeting_number_is_stored_and_published(
    calendar: Client, staff: dict[str, str]
) -> None:
    """`37x` (extraordinary) is a meeting number the calendar's own event contract must carry."""
    status, body = await create(
        calendar,
        staff,
        committee="sec-panel",
        meeting_number="37x",
        starts_at="2027-06-11T10:00:00+01:00",
        ends_at="2027-06-11T12:00:00+01:00",
    )
    assert status == 201, body
    assert body["meeting_number"] == "37x"
