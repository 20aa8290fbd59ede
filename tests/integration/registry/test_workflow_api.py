"""Random sequences of API transition calls never make a move the workflow forbids."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.contracts.statuses import Path, Status
from tests.integration.registry.conftest import Client

API = "/api/v1/modifications"
_numbers = itertools.count(600)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    draft=st.booleans(),
    path=st.sampled_from([None, *Path]),
    release=st.sampled_from([None, "2026-06"]),
    moves=st.lists(st.sampled_from(list(Status)), min_size=1, max_size=10),
)
async def test_random_moves_follow_the_workflow_and_each_success_is_in_history_once(
    registry: Client,
    staff: dict[str, str],
    draft: bool,
    path: Path | None,
    release: str | None,
    moves: list[Status],
) -> None:
    ref = f"{'DP' if draft else 'MP'}{next(_numbers):03d}"
    fields = {"path": path.value if path else None, "target_release": release}
    created = await registry.post(
        API, headers=staff, json={"ref": ref, "title": "Random", **fields}
    )
    assert created.status == 201, await created.text()
    mod = await created.json()
    made: list[tuple[str, str]] = []
    for to in moves:
        response = await registry.post(
            f"{API}/{mod['ref']}/transitions", headers=staff, json={"to": to.value, "reason": "hyp"}
        )
        if to.value in mod["allowed_transitions"]:
            assert response.status == 201, await response.text()
            made.append((mod["status"], to.value))
            mod = (await response.json())["modification"]
        else:
            assert response.status == 409, (mod["status"], to, await response.text())
            assert (await response.json())["allowed"] == mod["allowed_transitions"]
        current = await (await registry.get(f"{API}/{mod['ref']}")).json()
        assert current["status"] == mod["status"]
        assert current["version"] == 1 + len(made)
    history = await (await registry.get(f"{API}/{mod['ref']}/history")).json()
    assert [(e["from_status"], e["to_status"]) for e in history["items"]] == made
    assert [e["version"] for e in history["items"]] == list(range(2, 2 + len(made)))
