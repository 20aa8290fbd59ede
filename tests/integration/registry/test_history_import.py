"""Admins import history with `occurred_at`; ad hoc releases of one month get their own ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.app import PLATFORM
from shared.auth import ROLE_ADMIN, issue_token
from shared.constants import outbox_collection
from shared.events import CloudEvent
from tests.conftest import TEST_SIGNER
from tests.integration.registry.conftest import Client

API = "/api/v1/modifications"


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "archivist", {ROLE_ADMIN})}


async def envelopes(registry: Client, subject: str) -> list[CloudEvent]:
    outbox = registry.app[PLATFORM].mongo.collection(outbox_collection("registry"))
    found = [
        CloudEvent.model_validate(record["envelope"])
        async for record in outbox.find({"envelope.subject": subject})
    ]
    return sorted(found, key=lambda e: e.time)


async def test_an_admin_imports_a_modification_and_its_moves_as_they_happened(
    registry: Client, admin: dict[str, str]
) -> None:
    raised = {"ref": "MP300", "title": "Imported", "path": "path-3"}
    response = await registry.post(
        API, json={**raised, "occurred_at": "2019-03-01T09:00:00Z"}, headers=admin
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["created_at"] == "2019-03-01T09:00:00+00:00"
    for to, at in (("report-phase", "2019-05-02T10:00:00Z"), ("withdrawn", "2019-07-01T12:00:00Z")):
        moved = await registry.post(
            f"{API}/MP300/transitions",
            json={"to": to, "reason": "from the 2019 register", "occurred_at": at},
            headers=admin,
        )
        assert moved.status == 201, await moved.text()
    history = await (await registry.get(f"{API}/MP300/history", headers=admin)).json()
    assert [entry["at"] for entry in history["items"]] == [
        "2019-05-02T10:00:00+00:00",
        "2019-07-01T12:00:00+00:00",
    ]
    assert history["items"][0]["actor"] == "archivist"
    # Each event is stamped when it happened and says when it was recorded: consumers
    # (the notifier) see history, not news.
    events = await envelopes(registry, "MP300")
    assert [e.time for e in events] == [
        datetime(2019, 3, 1, 9, tzinfo=UTC),
        datetime(2019, 5, 2, 10, tzinfo=UTC),
        datetime(2019, 7, 1, 12, tzinfo=UTC),
    ]
    assert all(e.recordedtime is not None and e.recordedtime > e.time for e in events)


async def test_a_move_made_now_is_an_ordinary_event(
    registry: Client, staff: dict[str, str]
) -> None:
    await registry.post(API, json={"ref": "MP301", "title": "Now", "path": "path-3"}, headers=staff)
    moved = await registry.post(
        f"{API}/MP301/transitions", json={"to": "report-phase", "reason": "now"}, headers=staff
    )
    assert moved.status == 201
    assert all(e.recordedtime is None for e in await envelopes(registry, "MP301"))


async def test_history_is_for_admins_and_must_fit_between_raising_and_now(
    registry: Client, staff: dict[str, str], admin: dict[str, str]
) -> None:
    raised = {"ref": "MP302", "title": "Bounds", "path": "path-3"}
    refused = await registry.post(
        API, json={**raised, "occurred_at": "2019-03-01T09:00:00Z"}, headers=staff
    )
    assert refused.status == 403
    created = await registry.post(
        API, json={**raised, "occurred_at": "2020-01-10T09:00:00Z"}, headers=admin
    )
    assert created.status == 201

    async def move(at: str, headers: dict[str, str]) -> tuple[int, dict]:
        response = await registry.post(
            f"{API}/MP302/transitions",
            json={"to": "report-phase", "reason": "import", "occurred_at": at},
            headers=headers,
        )
        return response.status, await response.json()

    assert (await move("2020-02-01T09:00:00Z", staff))[0] == 403
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    status, problem = await move(future, admin)
    assert status == 422
    assert "future" in problem["detail"]
    status, problem = await move("2019-12-31T09:00:00Z", admin)
    assert status == 422
    assert "before MP302 was raised" in problem["detail"]
    decision = {
        "body": "panel",
        "outcome": "note",
        "decided_on": "2020-01-05",
        "occurred_at": "2020-01-05T12:00:00Z",
    }
    refused = await registry.post(f"{API}/MP302/decisions", json=decision, headers=admin)
    assert refused.status == 422
    assert (await move("2020-02-01T09:00:00Z", admin))[0] == 201
    # Imports are in order: nothing before the last recorded change.
    status, problem = await move("2020-01-20T09:00:00Z", admin)
    assert status in {409, 422}
    history = await (await registry.get(f"{API}/MP302/history", headers=admin)).json()
    assert len(history["items"]) == 1


async def test_ad_hoc_releases_of_one_month_and_day_get_their_own_ids(
    registry: Client, staff: dict[str, str]
) -> None:
    async def schedule(effective_date: str, kind: str) -> str:
        response = await registry.post(
            "/api/v1/releases", json={"effective_date": effective_date, "kind": kind}, headers=staff
        )
        assert response.status == 201, await response.text()
        return str((await response.json())["id"])

    ids = [
        await schedule("2027-06-24", "scheduled"),
        await schedule("2027-06-03", "ad-hoc"),
        await schedule("2027-06-17", "ad-hoc"),
        await schedule("2027-06-17", "ad-hoc"),
    ]
    assert ids == ["2027-06", "2027-06-03", "2027-06-17", "2027-06-17-2"]
    second = await (await registry.get("/api/v1/releases/2027-06-17-2")).json()
    assert second["name"] == "Ad-hoc SEC Release of 17 June 2027"
