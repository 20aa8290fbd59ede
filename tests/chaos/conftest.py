"""Give each chaos scenario a system of its own, stopped (and its vhost deleted) afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.harness import ChaosSystem, open_system

OpenSystem = Callable[..., Awaitable[ChaosSystem]]


@pytest.fixture
async def open_chaos(tmp_path: Path) -> AsyncIterator[OpenSystem]:
    """`await open_chaos(seed=..., mail_faults=...)`: database, vhost, proxy and mail sink."""
    opened: list[ChaosSystem] = []

    async def make(**options: Any) -> ChaosSystem:
        system = await open_system(tmp_path / "system", **options)
        opened.append(system)
        return system

    yield make
    for system in opened:
        await system.close()
