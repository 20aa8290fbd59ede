"""Entries every calendar client gets wrong in some way, created through the calendar's API."""

from __future__ import annotations

from typing import Any

from services.calendar.domain.model import CalendarEvent
from services.calendar.web.keys import CONTEXT
from tests.integration.calendar.conftest import Client

API = "/api/v1/events"


async def create(calendar: Client, staff: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"type": "meeting", "committee": "change-board", **fields}
    response = await calendar.post(API, json=body, headers=staff)
    assert response.status == 201, await response.text()
    created: dict[str, Any] = await response.json()
    return created


async def patch(
    calendar: Client, staff: dict[str, str], event_id: str, **fields: Any
) -> dict[str, Any]:
    current = await calendar.get(f"{API}/{event_id}", headers=staff)
    headers = {**staff, "If-Match": current.headers["ETag"]}
    response = await calendar.patch(f"{API}/{event_id}", json=fields, headers=headers)
    assert response.status == 200, await response.text()
    patched: dict[str, Any] = await response.json()
    return patched


async def stored(calendar: Client) -> list[CalendarEvent]:
    """Return every entry as the service stored it (its MongoDB collection)."""
    return await calendar.app[CONTEXT].repository.all()


def at(day: str, clock: str, offset: str = "+00:00") -> str:
    return f"{day}T{clock}{offset}"


async def build_scenario(calendar: Client, staff: dict[str, str]) -> list[str]:
    """Create meetings every client gets wrong in some way; return their ids.

    Both clock changes (before, after, and in the repeated hour of October), all-day
    entries in winter and summer, series across both changes with an EXDATE and a
    moved occurrence, a moved and a cancelled entry, other zones, 2013 to 2100.
    """
    ids: list[str] = []

    async def add(event_id: str, **fields: Any) -> None:
        await create(calendar, staff, id=event_id, title=f"Conformance {event_id}", **fields)
        ids.append(event_id)

    # The hour around both changes of 2027 (28 March and 31 October, 01:00 UTC).
    await add(
        "spring-before", starts_at=at("2027-03-28", "00:15"), ends_at=at("2027-03-28", "00:45")
    )
    await add(
        "spring-across", starts_at=at("2027-03-28", "00:30"), ends_at=at("2027-03-28", "01:30")
    )
    await add(
        "spring-after", starts_at=at("2027-03-28", "01:15"), ends_at=at("2027-03-28", "02:00")
    )
    await add(
        "autumn-first-0130", starts_at=at("2027-10-31", "00:30"), ends_at=at("2027-10-31", "00:50")
    )
    await add(
        "autumn-second-0130", starts_at=at("2027-10-31", "01:30"), ends_at=at("2027-10-31", "01:50")
    )
    await add(
        "autumn-across", starts_at=at("2027-10-31", "00:40"), ends_at=at("2027-10-31", "01:20")
    )
    # All-day: one winter day, and two summer days (local midnight is 23:00 UTC).
    await add(
        "all-day-winter",
        type="engagement-day",
        committee=None,
        all_day=True,
        starts_at=at("2027-02-01", "00:00"),
        ends_at=at("2027-02-02", "00:00"),
    )
    await add(
        "all-day-summer",
        type="workshop",
        committee=None,
        all_day=True,
        starts_at=at("2027-06-30", "23:00"),
        ends_at=at("2027-07-02", "23:00"),
    )
    # Weekly at 10:00 London across the spring change, one week excluded, one moved.
    await add(
        "weekly-spring",
        starts_at=at("2027-03-11", "10:00"),
        ends_at=at("2027-03-11", "11:30"),
        recurrence={
            "rule": "FREQ=WEEKLY;COUNT=6",
            "exdates": [at("2027-03-18", "10:00")],
            "overrides": [
                {
                    "recurrence_id": at("2027-04-01", "09:00"),
                    "starts_at": at("2027-04-02", "13:00"),
                    "ends_at": at("2027-04-02", "14:00"),
                    "title": "Moved to Friday",
                }
            ],
        },
        related_refs=["MP192"],
    )
    # Fortnightly at 14:00 London across the autumn change, with a cancelled occurrence.
    await add(
        "fortnightly-autumn",
        type="webinar",
        committee=None,
        starts_at=at("2027-10-07", "13:00"),
        ends_at=at("2027-10-07", "14:00"),
        online_url="https://meet.example.org/j/123?pwd=a;b,c",
        recurrence={
            "rule": "FREQ=WEEKLY;INTERVAL=2;UNTIL=20271231T235959Z",
            "exdates": [at("2027-11-18", "14:00")],
            "overrides": [
                {
                    "recurrence_id": at("2027-11-04", "14:00"),
                    "starts_at": at("2027-11-04", "14:00"),
                    "ends_at": at("2027-11-04", "15:00"),
                    "status": "cancelled",
                }
            ],
        },
    )
    # Years: the register's oldest items, the current rule far ahead, the API's edges.
    for year in (1990, 2013, 2040, 2063, 2099, 2100):
        await add(
            f"summer-{year}",
            starts_at=at(f"{year}-07-01", "09:00"),
            ends_at=at(f"{year}-07-01", "10:00"),
        )
        await add(
            f"winter-{year}",
            starts_at=at(f"{year}-12-01", "09:00"),
            ends_at=at(f"{year}-12-01", "10:00"),
        )
    # Other zones: the other hemisphere's changes and a zone without daylight time.
    await add(
        "sydney",
        timezone="Australia/Sydney",
        starts_at=at("2027-04-03", "23:00"),
        ends_at=at("2027-04-04", "01:00"),
        recurrence={"rule": "FREQ=WEEKLY;COUNT=3"},
    )
    await add(
        "new-york",
        timezone="America/New_York",
        starts_at=at("2027-03-07", "15:00"),
        ends_at=at("2027-03-07", "16:00"),
        recurrence={"rule": "FREQ=WEEKLY;COUNT=3"},
    )
    # Moved (a visible change, SEQUENCE rises) and cancelled.
    await add("moved", starts_at=at("2027-05-05", "09:00"), ends_at=at("2027-05-05", "10:00"))
    await patch(
        calendar,
        staff,
        "moved",
        starts_at=at("2027-11-05", "09:00"),
        ends_at=at("2027-11-05", "10:00"),
    )
    await add("cancelled", starts_at=at("2027-06-09", "09:00"), ends_at=at("2027-06-09", "10:00"))
    response = await calendar.post(
        f"{API}/cancelled/cancel", json={"reason": "No quorum"}, headers=staff
    )
    assert response.status == 200, await response.text()
    return ids
