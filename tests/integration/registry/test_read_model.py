"""Two app instances on one database: a write through one is read by the other at once.

Each process keeps the register in memory (docs/decisions/registry-read-model.md);
these tests show that copy is never stale across replicas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.registry.adapters.register_version import CHANGES_KEPT, SHARDS, shard_of
from services.registry.web.app import create_app
from services.registry.web.http import REGISTRY
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


def refs_of_shards(count: int, *, same: bool) -> list[str]:
    """Return `count` unused MP references, all of one shard or each of a different one."""
    refs: list[str] = []
    for number in range(600, 10_000):
        ref = f"MP{number}"
        taken = {shard_of(other) for other in refs}
        if (not taken or shard_of(ref) in taken) if same else shard_of(ref) not in taken:
            refs.append(ref)
        if len(refs) == count:
            return refs
    raise AssertionError("not enough references")


async def test_writes_to_modifications_of_different_shards_bump_different_documents(
    registry: Client, staff: dict[str, str]
) -> None:
    versions = registry.app[REGISTRY].repos.modifications.version
    first, second = refs_of_shards(2, same=False)
    before = await versions.versions()
    for ref in (first, second):
        created = await registry.post(API, headers=staff, json={"ref": ref, "title": "Shards"})
        assert created.status == 201, await created.text()
    after = await versions.versions()
    bumped = {shard for shard in range(SHARDS) if after[shard] != before[shard]}
    assert bumped == {shard_of(first), shard_of(second)}
    assert after[shard_of(first)] == before[shard_of(first)] + 1


async def test_a_second_instance_further_behind_than_a_shard_records_reloads(
    registry: Client,
    staff: dict[str, str],
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., Any],
) -> None:
    second: Client = await aiohttp_client(create_app(make_settings(RegistrySettings)))
    assert await refs_listed(second) == []
    # One shard bumped more often than it remembers: the second copy cannot patch.
    refs = refs_of_shards(CHANGES_KEPT + 2, same=True)
    for ref in refs:
        created = await registry.post(API, headers=staff, json={"ref": ref, "title": "Behind"})
        assert created.status == 201, await created.text()
    assert sorted(await refs_listed(second)) == sorted(refs)
