"""Time a change from its PATCH's answer until a feed serves it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import aiohttp

from shared.auth import ROLE_SECRETARIAT, SigningKey, issue_token

FEED = "/feeds/all.ics"


async def change_to_visible(
    write_base: str,
    read_base: str,
    signer: SigningKey,
    event_ids: Sequence[str],
    label: str = "",
) -> list[float]:
    """Retitle each entry on one replica; return the seconds until `read_base` serves it.

    Polls the feed with the ETag it had before the change until it answers 200 with the
    new title in it. With a `label`, says how far it got after each change.
    """
    staff = {"Authorization": "Bearer " + issue_token(signer, "bench", {ROLE_SECRETARIAT})}
    feed_url = read_base + FEED
    delays = []
    async with aiohttp.ClientSession() as session:
        for turn, event_id in enumerate(event_ids, 1):
            async with session.get(feed_url) as response:
                await response.read()
                old = response.headers["ETag"]
            path = f"/api/v1/events/{event_id}"
            async with session.get(write_base + path) as response:
                version = (await response.json())["version"]
            # No character iCalendar escapes, so the title shows as it is in the unfolded feed.
            title = f"Moved meeting round {turn} {time.time_ns()}"
            headers = {**staff, "If-Match": f'"{version}"'}
            async with session.patch(
                write_base + path, json={"title": title}, headers=headers
            ) as response:
                assert response.status == 200, await response.text()
            changed = time.perf_counter()
            while True:
                async with session.get(feed_url, headers={"If-None-Match": old}) as response:
                    body = await response.read()
                if response.status == 200:
                    if title.encode() not in body.replace(b"\r\n ", b""):
                        raise RuntimeError(f"{feed_url} changed without {event_id}'s new title")
                    break
            delays.append(time.perf_counter() - changed)
            if label:
                print(
                    f"  {label}: change {turn} of {len(event_ids)} visible after "
                    f"{delays[-1] * 1000:.0f} ms",
                    flush=True,
                )
            await asyncio.sleep(0.5)
    return delays
