"""Two app instances on one database: a write through one is read by the other at once.

Each process keeps the register in memory (docs/decisions/registry-read-model.md);
these tests show that copy is never stale across replicas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.registry.web.app import create_app
from shared.settings import RegistrySettings
from tests.integration.registry.conftest import Client

API = "/api/v1/modifications"


async def refs_listed(client: Client, **query: str) -> list[str]:
    response = await client.get(API, params={"limit": "200", **query})
    assert response.status == 200, await response.text()
    return [item["ref"] for item in (await response.json())["items"]]


async def test_a_write_through_one_instance_is_listed_by_a_second_on_its_next_request(
    seeded: Client,
    staff: dict[str, str],
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., Any],
) -> None:
    second: Client = await aiohttp_client(create_app(make_settings(RegistrySettings)))
    # Both have loaded their copy before the writes.
    assert "MP500" not in await refs_listed(second)
    assert "MP192" in await refs_listed(seeded)

    created = await seeded.post(
        API, headers=staff, json={"ref": "MP500", "title": "Faster register pages"}
    )
    assert created.status == 201, await created.text()
    assert "MP500" in await refs_listed(second)
    assert "MP500" in await refs_listed(second, q="faster")

    moved = await seeded.post(
        f"{API}/MP500/transitions", headers=staff, json={"to": "refinement", "reason": "Panel"}
    )
    assert moved.status == 201, await moved.text()
    assert "MP500" in await refs_listed(second, status="refinement")
    read = await (await second.get(f"{API}/MP500")).json()
    assert (read["status"], read["version"]) == ("refinement", 2)


async def test_a_draft_converted_through_one_instance_moves_in_the_second(
    seeded: Client,
    staff: dict[str, str],
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., Any],
) -> None:
    second: Client = await aiohttp_client(create_app(make_settings(RegistrySettings)))
    assert "DP197" in await refs_listed(second)

    moved = await seeded.post(
        f"{API}/DP197/transitions", headers=staff, json={"to": "refinement", "reason": "Panel"}
    )
    assert moved.status == 201, await moved.text()
    listed = await refs_listed(second)
    assert "MP197" in listed
    assert "DP197" not in listed
    old = await second.get(f"{API}/DP197", allow_redirects=False)
    assert (old.status, old.headers["Location"]) == (308, f"{API}/MP197")
