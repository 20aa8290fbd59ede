"""The broker cut under writes, and a first start on a vhost nobody has declared anything in."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest

from shared.constants import outbox_collection
from shared.outbox import PENDING
from tests.chaos.conftest import OpenSystem
from tests.chaos.ledger import Figures, events_dropped, measure, wait_for, wait_for_mail
from tests.chaos.people import missing, start_with_follower, write_until_acknowledged

WRITES = 50
CUT_AFTER = 10
CUT_SECONDS = 20.0


@pytest.mark.chaos
@pytest.mark.chaos_full
@pytest.mark.timeout(600)
async def test_broker_cut_for_20_s_during_writes(open_chaos: OpenSystem) -> None:
    system = await open_chaos()
    follower = await start_with_follower(system, "all")
    figures = Figures(
        "broker-cut-during-writes",
        f"every service's RabbitMQ connection cut (TCP proxy) for {CUT_SECONDS:.0f} s after "
        f"{CUT_AFTER} of {WRITES} POST /api/v1/modifications; the rest written during the cut",
        expected={"acknowledged_writes": WRITES, "emails": WRITES},
    )
    answers: list[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        for number in range(800, 800 + WRITES):
            if number == 800 + CUT_AFTER:
                await system.proxy.cut()
                cut_at = time.monotonic()
            await write_until_acknowledged(http, system, number, answers)
        await asyncio.sleep(max(0.0, CUT_SECONDS - (time.monotonic() - cut_at)))
        await system.proxy.restore()
        restored = time.time()
        await wait_for_mail(system, {follower: WRITES}, seconds=120)
        await measure(system, figures, owed_mail={follower: WRITES}, recovering_since=restored)
        urls = [system.url("registry", f"/api/v1/modifications/MP{n}") for n in range(800, 850)]
        figures.measured.update(
            {
                "acknowledged_writes_lost": await missing(http, system, urls),
                "answers": dict(Counter(answers)),
            }
        )
    figures.assert_held()


@pytest.mark.chaos
@pytest.mark.chaos_full
@pytest.mark.timeout(600)
async def test_first_start_on_a_fresh_vhost_drops_no_seed_event(open_chaos: OpenSystem) -> None:
    system = await open_chaos(seed=True)
    figures = Figures(
        "first-start-fresh-vhost",
        "first start with seed data on an empty vhost: the registry alone relays its whole "
        "seed before the calendar and the notifier start",
        expected={"events_dropped": 0},
    )
    await system.start("registry")
    outbox = system.mongo.collection(outbox_collection("registry"))

    async def seed_relayed() -> bool:
        total = await outbox.count_documents({})
        return total > 0 and await outbox.count_documents({"state": PENDING}) == 0

    assert await wait_for(seed_relayed, 120), "the registry did not relay its seed"
    figures.measured["registry_events_relayed_alone"] = await outbox.count_documents({})
    await system.start("calendar", "notifier")
    started = time.time()

    async def every_event_applied() -> bool:
        owed, dropped = await events_dropped(system)
        return owed > 0 and dropped == 0

    seen = await wait_for(every_event_applied, 120)
    await measure(system, figures, owed_mail={}, recovering_since=started, entries_seen_at=seen)
    figures.assert_held()
