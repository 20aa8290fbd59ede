"""Wait for a service a benchmark started to answer its readiness check."""

from __future__ import annotations

import asyncio
import time

import aiohttp


async def wait_ready(base: str, seconds: float = 60.0) -> None:
    """Poll `{base}/readyz` until it answers 200; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{base} did not become ready within {seconds:.0f}s; see its log")
