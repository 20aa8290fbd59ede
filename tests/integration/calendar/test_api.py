"""The JSON API: writes need the secretariat, If-Match guards patches, bad input is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from services.calendar.web.app import create_app
from shared.app import PLATFORM
from shared.settings import CalendarSettings
from tests.integration.calendar.conftest import CALLS, Client, vevents_by_uid
from tests.integration.calendar.test_feeds import DOMAIN, create, feed

API = "/api/v1/events"
GOOD = {
    "title": "Panel Meeting 99",
    "type": "meeting",
    "committee": "sec-panel",
    "starts_at": "2030-06-17T09:00:00+00:00",
    "ends_at": "2030-06-17T12:00:00+00:00",
}


async def count(calendar: Client) -> int:
    return await calendar.app[PLATFORM].mongo.collection("calendar_events").count_documents({})


BAD_BODIES = [
    pytest.param(GOOD, False, 401, "", id="anonymous"),
    pytest.param(
        {**GOOD, "ends_at": "2030-06-17T08:00:00+00:00"}, True, 422, "ends_at", id="ends-first"
    ),
    pytest.param({**GOOD, "timezone": "Mars/Olympus"}, True, 422, "timezone", id="unknown-zone"),
    pytest.param(
        {**GOOD, "recurrence": {"rule": "FREQ=WEEKLY"}},
        True,
        422,
        "recurrence.rule",
        id="unbounded-recurrence",
    ),
    pytest.param(
        {**GOOD, "recurrence": {"rule": "FREQ=SECONDLY;COUNT=3"}},
        True,
        422,
        "recurrence.rule",
        id="secondly-recurrence",
    ),
    pytest.param(
        {**GOOD, "committee": "no-such-board"}, True, 422, "committee", id="unknown-committee"
    ),
    pytest.param(
        {**GOOD, "starts_at": "2030-03-31T01:30:00"}, True, 422, "starts_at", id="local-in-gap"
    ),
    pytest.param(
        {**GOOD, "starts_at": "2030-10-27T01:30:00"}, True, 422, "starts_at", id="local-overlap"
    ),
    pytest.param({**GOOD, "starts_at": "17/06/2030 09:00"}, True, 422, "", id="unparsable-time"),
    pytest.param({**GOOD, "title": {"$gt": ""}}, True, 422, "", id="title-operator"),
    pytest.param({**GOOD, "colour": "red"}, True, 422, "", id="extra-field"),
    pytest.param(
        {**GOOD, "related_refs": ["XYZ"]}, True, 422, "related_refs", id="malformed-related-ref"
    ),
    pytest.param(
        {**GOOD, "agenda": [{"title": "Item", "modification_refs": ["MP999"]}]},
        True,
        422,
        "",
        id="unknown-agenda-ref",
    ),
]


@pytest.mark.parametrize(("body", "as_staff", "status", "field"), BAD_BODIES)
async def test_bad_input_is_refused_and_writes_nothing(
    calendar: Client,
    staff: dict[str, str],
    body: dict[str, Any],
    as_staff: bool,
    status: int,
    field: str,
) -> None:
    before = await count(calendar)
    response = await calendar.post(API, json=body, headers=staff if as_staff else {})
    assert response.status == status, await response.text()
    problem = await response.json()
    assert response.content_type == "application/problem+json"
    if field:
        assert problem.get("field") == field, problem
    assert await count(calendar) == before


async def test_unknown_agenda_refs_are_named_and_nothing_is_written(
    calendar: Client, staff: dict[str, str]
) -> None:
    before = await count(calendar)
    unknown = await calendar.post(
        API,
        json={**GOOD, "agenda": [{"title": "x", "modification_refs": ["MP999", "MP192"]}]},
        headers=staff,
    )
    assert (await unknown.json())["unknown_refs"] == ["MP999"]
    assert await count(calendar) == before


async def test_ical_syntax_and_html_in_titles_stay_text(
    calendar: Client, staff: dict[str, str]
) -> None:
    title = "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:<script>alert(1)</script>"
    created = await create(calendar, staff, id="evil", title=title)
    assert "\n" not in created["title"]
    vevents = vevents_by_uid(await feed(calendar))
    assert len(vevents) == 60
    summary = str(vevents[f"evil@{DOMAIN}"]["SUMMARY"])
    assert "END:VEVENT" in summary
    assert "\n" not in summary
    page = await (await calendar.get("/events/evil")).text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    listing = await (await calendar.get("/?when=upcoming")).text()
    assert "<script>" not in listing
    assert "&lt;script&gt;" in listing


async def test_patch_needs_if_match_and_the_current_version(
    calendar: Client, staff: dict[str, str]
) -> None:
    created = await create(calendar, staff, id="cb-100")
    path = f"{API}/cb-100"
    response = await calendar.get(path)
    assert response.headers["ETag"] == '"1"'
    body = {"location": "8 Fenchurch Place"}
    assert (await calendar.patch(path, json=body)).status == 401
    assert (await calendar.patch(path, json=body, headers=staff)).status == 428
    stale = await calendar.patch(path, json=body, headers={**staff, "If-Match": '"7"'})
    assert stale.status == 412
    bad_tag = await calendar.patch(path, json=body, headers={**staff, "If-Match": "W/x"})
    assert bad_tag.status == 412
    done = await calendar.patch(path, json=body, headers={**staff, "If-Match": '"1"'})
    assert done.status == 200, await done.text()
    assert done.headers["ETag"] == '"2"'
    updated = await done.json()
    assert updated["location"] == "8 Fenchurch Place"
    assert updated["sequence"] == created["sequence"] + 1
    again = await calendar.patch(path, json=body, headers={**staff, "If-Match": '"1"'})
    assert again.status == 412
    # Registry-derived entries follow the registry, not the API.
    derived = await calendar.get(f"{API}?type=release-go-live&limit=200")
    items = (await derived.json())["items"]
    release_id = next(e["id"] for e in items if e["source"].startswith("registry:"))
    refused = await calendar.patch(
        f"{API}/{release_id}", json=body, headers={**staff, "If-Match": '"1"'}
    )
    assert refused.status == 422
    assert (
        await calendar.patch(f"{API}/nothing", json=body, headers={**staff, "If-Match": '"1"'})
    ).status == 404


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"title": None}, id="null-title"),
        pytest.param({"status": "cancelled"}, id="status"),
        pytest.param({"uid": "x@y"}, id="uid"),
    ],
)
async def test_patch_refuses_a_null_title_and_fields_it_does_not_change(
    calendar: Client, staff: dict[str, str], body: dict[str, Any]
) -> None:
    await create(calendar, staff, id="cb-100")
    path = f"{API}/cb-100"
    refused = await calendar.patch(path, json=body, headers={**staff, "If-Match": '"1"'})
    assert refused.status == 422, await refused.text()
    assert refused.content_type == "application/problem+json"
    assert (await calendar.get(path)).headers["ETag"] == '"1"'


async def test_list_filters_and_bounded_pages(calendar: Client) -> None:
    async def ids(query: str) -> list[str]:
        response = await calendar.get(f"{API}?{query}")
        assert response.status == 200, await response.text()
        return [e["id"] for e in (await response.json())["items"]]

    board = await ids("committee=change-board&limit=200")
    assert board
    assert all(i.startswith("change-board") for i in board)
    assert len(await ids("type=webinar")) == 2
    assert "panel-33" in "".join(await ids("from=2016-06-17&to=2016-06-17"))
    assert await ids("modification=MP192&limit=200")
    first, second = await ids("limit=2"), await ids("limit=2&offset=2")
    assert len(first) == 2
    assert not set(first) & set(second)


@pytest.mark.parametrize(
    "query", ["limit=500", "limit=0", "from=yesterday", "type=party", "modification=XYZ"]
)
async def test_bad_list_filters_are_refused(calendar: Client, query: str) -> None:
    response = await calendar.get(f"{API}?{query}")
    assert response.status == 422, await response.text()


async def test_agenda_refs_are_checked_with_the_registry_and_an_outage_is_503(
    aiohttp_client: Callable[..., Any],
    calendar_settings: Callable[..., CalendarSettings],
    registry_server: TestServer,
    staff: dict[str, str],
) -> None:
    calendar: Client = await aiohttp_client(create_app(calendar_settings()))
    agenda = [{"title": "MP192 final report", "modification_refs": ["MP192", "DP197"]}]
    created = await calendar.post(
        API, json={**GOOD, "id": "panel-99", "agenda": agenda}, headers=staff
    )
    assert created.status == 201, await created.text()
    assert sorted(registry_server.app[CALLS]) == ["DP197", "MP192"]
    # A patch that adds no reference asks the registry nothing.
    registry_server.app[CALLS].clear()
    await calendar.patch(
        f"{API}/panel-99", json={"location": "Online"}, headers={**staff, "If-Match": '"1"'}
    )
    assert registry_server.app[CALLS] == []

    down: Client = await aiohttp_client(
        create_app(calendar_settings(registry_url="http://127.0.0.1:9", seed=False))
    )
    before = await count(down)
    response = await down.post(API, json={**GOOD, "agenda": agenda}, headers=staff)
    assert response.status == 503
    assert response.headers["Retry-After"].isdigit()
    assert await count(down) == before
    plain = await down.post(API, json=GOOD, headers=staff)
    assert plain.status == 201
