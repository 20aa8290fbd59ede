"""Latency of one alert: from a published CloudEvent, and from a registry transition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp

from bench.fanout.people import EVENT_TYPE, status_change
from bench.fanout.sink import SinkProcess
from shared.auth import ROLE_SECRETARIAT, SigningKey, issue_token
from shared.events import CloudEvent

# Polling the sink this often times a single message to within a few milliseconds.
POLL = 0.003
# A path-3 modification's moves, each one a `registry.modification.status_changed`.
PATH3_MOVES = (
    "refinement",
    "report-phase",
    "modification-report-consultation",
    "change-board-vote",
)


async def event_latency(
    publish: Callable[[CloudEvent], Awaitable[None]], sink: SinkProcess, changes: int
) -> list[float]:
    """Publish `changes` status changes, one at a time; time each until its email."""
    latencies = []
    for n in range(1, changes + 1):
        await asyncio.sleep(0.02)  # idle between changes
        expected = await sink.count() + 1
        started = time.perf_counter()
        await publish(
            CloudEvent(source="/registry", type=EVENT_TYPE, subject="MP192", data=status_change(n))
        )
        latencies.append(await sink.wait_for(expected, started, 30, poll=POLL) - started)
    return latencies


async def registry_latency(
    base: str, signer: SigningKey, sink: SinkProcess, changes: int
) -> list[float]:
    """Move fresh modifications through path 3; time each transition POST until its email.

    The one subscriber follows `all`, so each creation is alerted too (waited for, not
    timed).
    """
    staff = {"Authorization": "Bearer " + issue_token(signer, "bench", {ROLE_SECRETARIAT})}
    api = f"{base}/api/v1/modifications"
    latencies: list[float] = []
    async with aiohttp.ClientSession(headers=staff) as http:
        number = 500
        while len(latencies) < changes:
            ref = f"MP{number}"
            number += 1
            body = {"ref": ref, "title": f"Bench modification {ref}", "path": "path-3"}
            expected = await sink.count() + 1
            async with http.post(api, json=body) as response:
                assert response.status == 201, await response.text()
            await sink.wait_for(expected, time.perf_counter(), 30, poll=POLL)
            for to in PATH3_MOVES[: changes - len(latencies)]:
                await asyncio.sleep(0.02)  # idle between changes
                expected = await sink.count() + 1
                started = time.perf_counter()
                async with http.post(
                    f"{api}/{ref}/transitions", json={"to": to, "reason": "bench"}
                ) as response:
                    assert response.status == 201, await response.text()
                latencies.append(await sink.wait_for(expected, started, 30, poll=POLL) - started)
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def summary(latencies: list[float]) -> str:
    return (
        f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
