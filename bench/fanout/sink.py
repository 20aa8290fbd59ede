"""The mail sink in a process of its own, so that it never shares a core with a sender."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import aiohttp

from bench.processes import start_module, stop
from bench.service import wait_ready
from shared.dev.embedded_mongo import free_port

# Progress lines while waiting for mail: one every this many seconds.
PROGRESS_SECONDS = 10.0
# Waiting gives up when no message arrived for this long (a fan-out that failed).
STALL_SECONDS = 180.0


class SinkProcess:
    """`python -m shared.mailsink` on free ports; counted and emptied through its HTTP API."""

    def __init__(self, logs: Path, mail: Path) -> None:
        self.smtp_port = free_port()
        self.http_port = free_port()
        self._base = f"http://127.0.0.1:{self.http_port}"
        command = [
            "--smtp-port",
            str(self.smtp_port),
            "--http-port",
            str(self.http_port),
            "--dir",
            str(mail),
        ]
        self.process = start_module("shared.mailsink", os.environ, logs / "sink.log", *command)
        self._http = aiohttp.ClientSession()

    @property
    def pid(self) -> int:
        return self.process.pid

    async def ready(self) -> None:
        await wait_ready(self._base)

    async def count(self) -> int:
        """Return how many messages the sink holds."""
        async with self._http.get(f"{self._base}/api/v1/messages", params={"limit": "1"}) as r:
            r.raise_for_status()
            total: int = (await r.json())["total"]
            return total

    async def clear(self) -> None:
        async with self._http.delete(f"{self._base}/api/v1/messages") as response:
            response.raise_for_status()

    async def wait_for(
        self, count: int, started: float, seconds: float, label: str = "", poll: float = 0.2
    ) -> float:
        """Wait until the sink holds `count` messages; return when (perf_counter) it did.

        With a `label`, say every PROGRESS_SECONDS how far it got since `started`.
        """
        deadline = started + seconds
        next_report = started + PROGRESS_SECONDS
        last, moved = 0, started
        while (held := await self.count()) < count:
            now = time.perf_counter()
            if held != last:
                last, moved = held, now
            if now > deadline or now - moved > STALL_SECONDS:
                raise RuntimeError(
                    f"{label}: the sink holds {held:,} of {count:,} messages, "
                    f"{now - moved:.0f} s after the last one arrived (see the logs: --logs)"
                )
            if label and now >= next_report:
                rate = held / (now - started)
                print(f"  {label}: {held:,} of {count:,} in the sink ({rate:,.0f}/s)", flush=True)
                next_report += PROGRESS_SECONDS
            await asyncio.sleep(poll)
        return time.perf_counter()

    async def close(self) -> None:
        await self._http.close()
        stop(self.process)
