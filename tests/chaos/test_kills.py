"""kill -9 of a service or of the database at the worst moment: nothing acknowledged is lost."""

from __future__ import annotations

import time

import aiohttp
import pytest

from tests.chaos.conftest import OpenSystem
from tests.chaos.ledger import Figures, measure, wait_for_mail
from tests.chaos.people import create, missing, modification, start_with_follower

WRITES = 50


@pytest.mark.chaos
async def test_registry_kill_9_right_after_50_writes(open_chaos: OpenSystem) -> None:
    system = await open_chaos()
    follower = await start_with_follower(system, "all")
    figures = Figures(
        "registry-kill-after-writes",
        f"kill -9 of the registry right after {WRITES} acknowledged POST "
        "/api/v1/modifications, then restart",
        expected={"acknowledged_writes": WRITES, "emails": WRITES},
    )
    async with aiohttp.ClientSession() as http:
        urls = []
        for number in range(900, 900 + WRITES):
            body = modification(number)
            status, answer = await create(http, system, "/api/v1/modifications", body)
            assert status == 201, answer
            urls.append(system.url("registry", f"/api/v1/modifications/MP{number}"))
        system.kill("registry")
        restarted = time.time()
        await system.start("registry")
        await wait_for_mail(system, {follower: WRITES}, seconds=60)
        await measure(system, figures, owed_mail={follower: WRITES}, recovering_since=restarted)
        figures.measured["acknowledged_writes_lost"] = await missing(http, system, urls)
    figures.assert_held()
