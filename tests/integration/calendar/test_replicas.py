"""Two calendar replicas on one database: a change made on one shows in the other's feeds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from services.calendar.web.app import create_app
from shared.settings import CalendarSettings
from tests.integration.calendar.conftest import Client, eventually, vevents_by_uid
from tests.integration.calendar.test_feeds import DOMAIN, create, feed


async def test_changes_on_one_replica_reach_the_other_replicas_cached_feeds(
    aiohttp_client: Callable[..., Any],
    calendar_settings: Callable[..., CalendarSettings],
    staff: dict[str, str],
) -> None:
    writer: Client = await aiohttp_client(create_app(calendar_settings()))
    reader: Client = await aiohttp_client(create_app(calendar_settings(seed=False)))
    seed_count = len(vevents_by_uid(await feed(reader)))  # the reader has rendered and cached

    created = await create(writer, staff, id="tag-90", title="TAG Meeting 90")
    uid = f"tag-90@{DOMAIN}"

    async def reader_shows(sequence: int, **expected: Any) -> bool:
        event = vevents_by_uid(await feed(reader)).get(uid)
        return (
            event is not None
            and event["SEQUENCE"] == sequence
            and all(event.decoded(name) == value for name, value in expected.items())
        )

    assert await eventually(lambda: reader_shows(0))
    version = created["version"]
    # Several changes in a row, each re-read alone by the other replica.
    for sequence, hour in enumerate((11, 13, 15), start=1):
        starts = datetime(2030, 1, 26, hour, tzinfo=UTC)
        moved = await writer.patch(
            "/api/v1/events/tag-90",
            json={
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
            },
            headers={**staff, "If-Match": f'"{version}"'},
        )
        assert moved.status == 200, await moved.text()
        version = (await moved.json())["version"]
        assert await eventually(
            lambda sequence=sequence, starts=starts: reader_shows(sequence, DTSTART=starts)
        )
    cancelled = await writer.post(
        "/api/v1/events/tag-90/cancel", json={"reason": "Moved to March"}, headers=staff
    )
    assert cancelled.status == 200
    assert await eventually(lambda: reader_shows(4))
    final = vevents_by_uid(await feed(reader))
    assert final[uid]["STATUS"] == "CANCELLED"
    assert len(final) == seed_count + 1  # nothing lost or doubled by partial re-reads
