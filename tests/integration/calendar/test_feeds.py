"""Feeds on the real servers: valid iCalendar, White only, stable UIDs, validators, gzip."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.contracts.vocabulary import COMMITTEES, EventType
from tests.integration.calendar.conftest import Client, parse_both, vevents_by_uid

DOMAIN = "calendar.sec.example.org"


async def create(calendar: Client, staff: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Change Board Meeting 99",
        "type": "meeting",
        "committee": "change-board",
        "starts_at": "2030-01-26T10:00:00+00:00",
        "ends_at": "2030-01-26T12:00:00+00:00",
        **fields,
    }
    response = await calendar.post("/api/v1/events", json=body, headers=staff)
    assert response.status == 201, await response.text()
    created: dict[str, Any] = await response.json()
    return created


async def feed(calendar: Client, path: str = "/feeds/all.ics") -> bytes:
    response = await calendar.get(path)
    assert response.status == 200, (path, await response.text())
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return await response.read()


async def test_every_feed_parses_with_both_parsers_and_shows_white_only(
    calendar: Client, staff: dict[str, str]
) -> None:
    for classification in ("green", "amber", "red"):
        await create(
            calendar,
            staff,
            id=f"secret-{classification}",
            classification=classification,
            title=f"Restricted {classification} session",
        )
    paths = ["/feeds/all.ics", "/feeds/modifications/MP192.ics", "/feeds/modifications/DP197.ics"]
    paths += [f"/feeds/committees/{c.slug}.ics" for c in COMMITTEES]
    paths += [f"/feeds/types/{t.value}.ics" for t in EventType]
    for path in paths:
        body = await feed(calendar, path)
        calendar_tree = parse_both(body)
        assert calendar_tree["METHOD"] == "PUBLISH"
        assert calendar_tree.walk("VTIMEZONE"), path
        assert "REFRESH-INTERVAL" in calendar_tree
        assert "X-WR-CALNAME" in calendar_tree
        for vevent in calendar_tree.walk("VEVENT"):
            assert vevent["CLASS"] == "PUBLIC", (path, vevent["UID"])
        assert b"Restricted" not in body, path
        assert b"secret-" not in body, path

    everything = vevents_by_uid(await feed(calendar))
    assert len(everything) == 59
    panel_33 = next(e for e in everything.values() if "Panel Meeting 33" in str(e["SUMMARY"]))
    assert panel_33.decoded("DTSTART") == datetime(2016, 6, 17, 9, 0, tzinfo=UTC)
    # The staff API sees the restricted entries; the public API does not.
    staff_list = await (await calendar.get("/api/v1/events?limit=200", headers=staff)).json()
    public_list = await (await calendar.get("/api/v1/events?limit=200")).json()
    assert {e["classification"] for e in staff_list["items"]} == {"white", "green", "amber", "red"}
    assert {e["classification"] for e in public_list["items"]} == {"white"}
    assert (await calendar.get("/api/v1/events/secret-amber")).status == 404
    assert (await calendar.get("/events/secret-green")).status == 404
    assert (await calendar.get("/events/secret-red.ics")).status == 404


async def test_moving_and_cancelling_keep_the_uid_and_raise_sequence(
    calendar: Client, staff: dict[str, str]
) -> None:
    created = await create(calendar, staff, id="cb-99")
    uid = f"cb-99@{DOMAIN}"
    first = vevents_by_uid(await feed(calendar))[uid]
    assert first["SEQUENCE"] == 0

    moved = await calendar.patch(
        "/api/v1/events/cb-99",
        json={"starts_at": "2030-01-27T10:00:00+00:00", "ends_at": "2030-01-27T12:00:00+00:00"},
        headers={**staff, "If-Match": f'"{created["version"]}"'},
    )
    assert moved.status == 200, await moved.text()
    after_move = vevents_by_uid(await feed(calendar))[uid]
    assert after_move["SEQUENCE"] == 1
    assert after_move.decoded("DTSTART") == datetime(2030, 1, 27, 10, 0, tzinfo=UTC)

    cancelled = await calendar.post(
        "/api/v1/events/cb-99/cancel", json={"reason": "Chair unavailable"}, headers=staff
    )
    assert cancelled.status == 200, await cancelled.text()
    after_cancel = vevents_by_uid(await feed(calendar))
    assert after_cancel[uid]["STATUS"] == "CANCELLED"
    assert after_cancel[uid]["SEQUENCE"] == 2
    assert len([u for u in after_cancel if u == uid]) == 1
    committee = vevents_by_uid(await feed(calendar, "/feeds/committees/change-board.ics"))
    assert committee[uid]["STATUS"] == "CANCELLED"

    single = await calendar.get("/events/cb-99.ics")
    assert single.status == 200
    single_tree = parse_both(await single.read())
    assert single_tree["METHOD"] == "PUBLISH"
    assert [str(e["UID"]) for e in single_tree.walk("VEVENT")] == [uid]


async def test_clock_changes_give_the_right_utc_instants(
    calendar: Client, staff: dict[str, str]
) -> None:
    # 10:00 UK time on each side of the March and October 2030 clock changes.
    cases = {
        "before-bst": ("2030-03-29T10:00:00+00:00", datetime(2030, 3, 29, 10, tzinfo=UTC)),
        "in-bst": ("2030-04-01T10:00:00+01:00", datetime(2030, 4, 1, 9, tzinfo=UTC)),
        "end-bst": ("2030-10-25T10:00:00+01:00", datetime(2030, 10, 25, 9, tzinfo=UTC)),
        "after-bst": ("2030-10-28T10:00:00+00:00", datetime(2030, 10, 28, 10, tzinfo=UTC)),
    }
    for name, (starts, _) in cases.items():
        ends = starts.replace("T10:", "T11:")
        await create(
            calendar,
            staff,
            id=name,
            title=f"Workshop {name}",
            starts_at=starts,
            ends_at=ends,
            type="workshop",
            committee=None,
        )
    vevents = vevents_by_uid(await feed(calendar, "/feeds/types/workshop.ics"))
    for name, (_, instant) in cases.items():
        vevent = vevents[f"{name}@{DOMAIN}"]
        assert vevent["DTSTART"].params["TZID"] == "Europe/London"
        assert vevent.decoded("DTSTART").astimezone(UTC) == instant, name


async def test_validators_gzip_and_head(calendar: Client) -> None:
    plain = await calendar.get("/feeds/all.ics", headers={"Accept-Encoding": "identity"})
    assert plain.status == 200
    assert "Content-Encoding" not in plain.headers
    plain_body = await plain.read()
    etag, last_modified = plain.headers["ETag"], plain.headers["Last-Modified"]

    zipped = await calendar.get(
        "/feeds/all.ics", headers={"Accept-Encoding": "gzip, deflate"}, auto_decompress=False
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(await zipped.read()) == plain_body
    refused = await calendar.get("/feeds/all.ics", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers

    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": zipped.headers["ETag"], "Accept-Encoding": "gzip"},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-Modified-Since": last_modified},
    ):
        response = await calendar.get("/feeds/all.ics", headers=headers)
        assert response.status == 304, headers
        assert await response.read() == b""
        assert response.headers["ETag"]
    stale = await calendar.get(
        "/feeds/all.ics", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert stale.status == 200
    assert (await calendar.get("/feeds/all.ics", headers={"If-None-Match": '"x"'})).status == 200

    head = await calendar.head("/feeds/all.ics", headers={"Accept-Encoding": "identity"})
    assert head.status == 200
    assert head.headers["ETag"] == etag
    assert int(head.headers["Content-Length"]) == len(plain_body)
    assert await head.read() == b""


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/feeds/committees/no-such-board.ics", id="unknown-committee"),
        pytest.param("/feeds/types/party.ics", id="unknown-type"),
        pytest.param("/feeds/modifications/XYZ1.ics", id="malformed-ref"),
        pytest.param("/feeds/nothing.ics", id="unknown-feed"),
        pytest.param(
            "/feeds/private/forged-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ics", id="forged-token"
        ),
        pytest.param("/events/no-such-entry.ics", id="unknown-entry"),
    ],
)
async def test_unknown_feeds_are_404_problems(calendar: Client, path: str) -> None:
    response = await calendar.get(path)
    assert response.status == 404, await response.text()
    assert response.content_type == "application/problem+json"
