"""ical.js and libical read every feed and .ics the running calendar serves as it stored them."""

from __future__ import annotations

import pytest

from tests.conformance.clients import assert_clients_agree, libical_instances, parse_strictly
from tests.conformance.scenario import Client, stored
from tests.integration.calendar.test_private_feeds import subscriber

PUBLIC_FEEDS = (
    "/feeds/all.ics",
    "/feeds/committees/change-board.ics",
    "/feeds/types/webinar.ics",
    "/feeds/types/engagement-day.ics",
    "/feeds/modifications/MP192.ics",
)


async def fetch(calendar: Client, path: str, headers: dict[str, str] | None = None) -> bytes:
    response = await calendar.get(path, headers=headers or {})
    assert response.status == 200, (path, await response.text())
    return await response.read()


async def test_public_feeds_give_every_client_the_stored_times(
    calendar: Client, scenario: list[str]
) -> None:
    for path in PUBLIC_FEEDS:
        ics = await fetch(calendar, path)
        # Read after the fetch: a stray registry event may add an entry at any time.
        instances = assert_clients_agree(ics, await stored(calendar))
        assert instances, path
        if path == "/feeds/all.ics":
            everything = {uid for uid, *_ in instances}
            assert {f"{i}@calendar.sec.example.org" for i in scenario} <= everything


async def test_private_feed_gives_every_client_the_stored_times(
    calendar: Client, scenario: list[str]
) -> None:
    token = await subscriber(
        calendar, ["committee:change-board", "type:webinar"], verified=True, confirmed=True
    )
    ics = await fetch(calendar, f"/feeds/private/{token}.ics")
    instances = assert_clients_agree(ics, await stored(calendar))
    assert any(uid.startswith("weekly-spring@") for uid, *_ in instances)


async def test_single_ics_of_every_entry_gives_every_client_the_stored_times(
    calendar: Client, staff: dict[str, str], scenario: list[str]
) -> None:
    for event_id in scenario:
        ics = await fetch(calendar, f"/events/{event_id}.ics", headers=staff)
        assert parse_strictly(ics) == {f"{event_id}@calendar.sec.example.org"}
        assert_clients_agree(ics, await stored(calendar))


async def test_libical_refuses_a_publish_without_organizer_so_the_check_has_teeth(
    calendar: Client, scenario: list[str]
) -> None:
    ics = await fetch(calendar, "/feeds/committees/change-board.ics")
    assert b"\r\nORGANIZER;CN=SECAS:mailto:secas@sec.example.org\r\n" in ics
    without = b"".join(
        line for line in ics.splitlines(keepends=True) if not line.startswith(b"ORGANIZER")
    )
    with pytest.raises(AssertionError, match="iTIP"):
        libical_instances(without)
