"""A fan-out to 1,000 subscribers broken part-way: none lost, duplicates bounded, back in 30 s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from tests.chaos.conftest import OpenSystem
from tests.chaos.harness import SERVICES, ChaosSystem
from tests.chaos.ledger import Figures, measure, wait_for, wait_for_mail
from tests.chaos.people import addresses, create, missing, modification, subscribe

FANOUT = 1000
# The fault strikes once this many emails of the fan-out are in the sink.
STRIKE_AT = 100
CUT_SECONDS = 20.0

# Breaks the system and returns when its recovery began (time.time()).
Fault = Callable[[ChaosSystem], Awaitable[float]]


async def fan_out_through(open_chaos: OpenSystem, figures: Figures, fault: Fault) -> None:
    system = await open_chaos()
    await system.start(*SERVICES)
    people = addresses(FANOUT)
    await subscribe(system, people, ["modification:MP950"])
    owed = dict.fromkeys(people, 1)
    figures.expected.update({"emails": FANOUT, "duplicates_at_most": 8})
    async with aiohttp.ClientSession() as http:
        status, answer = await create(http, system, "/api/v1/modifications", modification(950))
        assert status == 201, answer

        async def under_way() -> bool:
            return await system.mail_total() >= STRIKE_AT

        assert await wait_for(under_way, 120), "the fan-out did not start"
        figures.measured["emails_before_fault"] = await system.mail_total()
        recovering_since = await fault(system)
        await wait_for_mail(system, owed, seconds=300)
        await measure(system, figures, owed_mail=owed, recovering_since=recovering_since)
        url = system.url("registry", "/api/v1/modifications/MP950")
        figures.measured["acknowledged_writes_lost"] = await missing(http, system, [url])
    figures.assert_held()


async def kill_and_restart_notifier(system: ChaosSystem) -> float:
    system.kill("notifier")
    restarted = time.time()
    await system.start("notifier")
    return restarted


async def cut_the_broker(system: ChaosSystem) -> float:
    await system.proxy.cut()
    await asyncio.sleep(CUT_SECONDS)
    await system.proxy.restore()
    return time.time()


FAULTS = {
    "notifier-kill-during-fan-out": (
        f"kill -9 of the notifier once {STRIKE_AT} of {FANOUT} alerts are sent, then restart",
        kill_and_restart_notifier,
    ),
    "broker-cut-during-fan-out": (
        f"every service's RabbitMQ connection cut (TCP proxy) for {CUT_SECONDS:.0f} s once "
        f"{STRIKE_AT} of {FANOUT} alerts are sent",
        cut_the_broker,
    ),
}


@pytest.mark.chaos
@pytest.mark.chaos_full
@pytest.mark.timeout(900)
@pytest.mark.parametrize("scenario", list(FAULTS))
async def test_a_fan_out_to_1000_survives(open_chaos: OpenSystem, scenario: str) -> None:
    injected, fault = FAULTS[scenario]
    await fan_out_through(open_chaos, Figures(scenario, injected), fault)
