"""The registry's JSON API on the real servers: reads, writes, ETags, aliases, visibility."""

from __future__ import annotations

import asyncio

from tests.integration.registry.conftest import Client

API = "/api/v1/modifications"


async def create(client: Client, staff: dict[str, str], ref: str, **fields: object) -> dict:
    response = await client.post(
        API, headers=staff, json={"ref": ref, "title": f"{ref} title", **fields}
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def test_list_filters_and_paginates_the_seed_register_with_a_stable_cursor(
    seeded: Client,
) -> None:
    everything = await (await seeded.get(API, params={"limit": "200"})).json()
    refs = [item["ref"] for item in everything["items"]]
    assert "MP192" in refs
    assert refs == sorted(refs)

    seen: list[str] = []
    params = {"limit": "7"}
    while True:
        page = await (await seeded.get(API, params=params)).json()
        seen += [item["ref"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": "7", "cursor": page["next_cursor"]}
    assert seen == refs

    refinement = await (await seeded.get(API, params={"status": "refinement"})).json()
    assert refinement["items"]
    assert {item["status"] for item in refinement["items"]} == {"refinement"}
    in_release = await (await seeded.get(API, params={"release": "2020-11"})).json()
    assert len(in_release["items"]) == 18
    text = await (await seeded.get(API, params={"q": "SMETS1 scheduled"})).json()
    assert "MP192" in [item["ref"] for item in text["items"]]

    recent = await (await seeded.get(API, params={"sort": "-updated_at", "limit": "5"})).json()
    following = await (
        await seeded.get(
            API, params={"sort": "-updated_at", "limit": "5", "cursor": recent["next_cursor"]}
        )
    ).json()
    both = recent["items"] + following["items"]
    keys = [(item["updated_at"], item["ref"]) for item in both]
    assert keys == sorted(keys, reverse=True)
    assert len({item["ref"] for item in both}) == 10


async def test_etag_304_and_patch_needs_if_match(seeded: Client, staff: dict[str, str]) -> None:
    read = await seeded.get(f"{API}/MP192")
    tag = read.headers["ETag"]
    assert (await seeded.get(f"{API}/MP192", headers={"If-None-Match": tag})).status == 304

    missing = await seeded.patch(f"{API}/MP192", headers=staff, json={"working_group": "WG1"})
    assert missing.status == 428
    assert missing.content_type == "application/problem+json"

    patched = await seeded.patch(
        f"{API}/MP192", headers={**staff, "If-Match": tag}, json={"working_group": "WG1"}
    )
    assert patched.status == 200
    assert (await patched.json())["working_group"] == "WG1"
    assert patched.headers["ETag"] != tag
    stale = await seeded.patch(
        f"{API}/MP192", headers={**staff, "If-Match": tag}, json={"working_group": "WG2"}
    )
    assert stale.status == 412


async def test_two_writers_with_the_same_etag_one_wins_one_gets_412(
    seeded: Client, staff: dict[str, str]
) -> None:
    tag = (await seeded.get(f"{API}/MP192")).headers["ETag"]
    headers = {**staff, "If-Match": tag}
    first, second = await asyncio.gather(
        seeded.patch(f"{API}/MP192", headers=headers, json={"title": "Renamed by writer one"}),
        seeded.patch(f"{API}/MP192", headers=headers, json={"title": "Renamed by writer two"}),
    )
    assert sorted([first.status, second.status]) == [200, 412]
    final = await (await seeded.get(f"{API}/MP192")).json()
    assert final["version"] == 2


async def test_illegal_move_is_409_naming_the_allowed_moves(
    seeded: Client, staff: dict[str, str]
) -> None:
    response = await seeded.post(
        f"{API}/MP192/transitions", headers=staff, json={"to": "implemented", "reason": "skip"}
    )
    assert response.status == 409
    problem = await response.json()
    assert problem["allowed"] == ["report-phase", "withdrawn"]
    history = await (await seeded.get(f"{API}/MP192/history")).json()
    assert history["items"] == []


async def test_converted_draft_proposal_stays_findable_under_its_dp_reference(
    seeded: Client, staff: dict[str, str]
) -> None:
    moved = await seeded.post(
        f"{API}/DP197/transitions", headers=staff, json={"to": "refinement", "reason": "Panel"}
    )
    assert moved.status == 201, await moved.text()
    body = await moved.json()
    assert body["modification"]["ref"] == "MP197"
    assert body["history_entry"]["previous_ref"] == "DP197"

    old = await seeded.get(f"{API}/DP197", allow_redirects=False)
    assert old.status == 308
    assert old.headers["Location"] == f"{API}/MP197"
    assert (await (await seeded.get(f"{API}/DP197")).json())["ref"] == "MP197"
    page = await seeded.get("/modifications/DP197", allow_redirects=False)
    assert page.headers["Location"] == "/modifications/MP197"
    history = await (await seeded.get(f"{API}/MP197/history")).json()
    assert [entry["to_status"] for entry in history["items"]] == ["refinement"]

    taken = await seeded.post(API, headers=staff, json={"ref": "DP197", "title": "Again"})
    assert taken.status == 409


async def test_conversion_is_refused_when_the_mp_reference_is_taken(
    registry: Client, staff: dict[str, str]
) -> None:
    await create(registry, staff, "MP300")
    clash = await registry.post(API, headers=staff, json={"ref": "DP300", "title": "Clash"})
    assert clash.status == 409
    assert (await registry.get(f"{API}/DP300")).status == 404


async def test_decision_records_and_moves_in_one_transaction(
    registry: Client, staff: dict[str, str]
) -> None:
    await create(registry, staff, "MP301", path="path-3")
    for to in (
        "refinement",
        "report-phase",
        "modification-report-consultation",
        "change-board-vote",
    ):
        response = await registry.post(
            f"{API}/MP301/transitions", headers=staff, json={"to": to, "reason": "next"}
        )
        assert response.status == 201, await response.text()
    decided = await registry.post(
        f"{API}/MP301/decisions",
        headers=staff,
        json={
            "body": "change_board",
            "outcome": "approve",
            "decided_on": "2022-02-23",
            "vote": "unanimous",
        },
    )
    assert decided.status == 201, await decided.text()
    assert (await decided.json())["modification"]["status"] == "approved"
    decisions = await (await registry.get(f"{API}/MP301/decisions")).json()
    assert [d["outcome"] for d in decisions["items"]] == ["approve"]

    # A recommendation on a self-governance modification is refused: nothing is written.
    wrong = await registry.post(
        f"{API}/MP301/decisions",
        headers=staff,
        json={"body": "change_board", "outcome": "recommend_approve", "decided_on": "2022-02-24"},
    )
    assert wrong.status == 422
    assert len((await (await registry.get(f"{API}/MP301/decisions")).json())["items"]) == 1


async def test_consultations_open_move_close_and_releases_schedule_publish(
    registry: Client, staff: dict[str, str]
) -> None:
    await create(registry, staff, "MP302")
    opened = await registry.post(
        "/api/v1/consultations",
        headers=staff,
        json={
            "title": "MP302 Refinement Consultation",
            "kind": "refinement",
            "opens_at": "2022-01-10T09:00:00Z",
            "closes_at": "2022-02-04T17:00:00Z",
            "respond_to": "SECAS",
            "modification_ref": "MP302",
        },
    )
    assert opened.status == 201, await opened.text()
    cid = (await opened.json())["id"]
    moved = await registry.post(
        f"/api/v1/consultations/{cid}/move",
        headers=staff,
        json={"closes_at": "2022-02-11T17:00:00Z"},
    )
    assert (await moved.json())["closes_at"] == "2022-02-11T17:00:00+00:00"
    early = await registry.post(
        f"/api/v1/consultations/{cid}/close", headers=staff, json={"at": "2022-01-01T00:00:00Z"}
    )
    assert early.status == 422
    closed = await registry.post(f"/api/v1/consultations/{cid}/close", headers=staff, json={})
    assert (await closed.json())["status"] == "closed"
    again = await registry.post(f"/api/v1/consultations/{cid}/close", headers=staff, json={})
    assert again.status == 409
    assert (await registry.get(f"/consultations/{cid}")).status == 200

    scheduled = await registry.post(
        "/api/v1/releases",
        headers=staff,
        json={"effective_date": "2026-11-05", "kind": "scheduled", "modification_refs": ["MP302"]},
    )
    assert scheduled.status == 201, await scheduled.text()
    assert (await scheduled.json())["id"] == "2026-11"
    published = await registry.post("/api/v1/releases/2026-11/publish", headers=staff, json={})
    assert (await published.json())["status"] == "published"
    assert (
        await registry.post("/api/v1/releases/2026-11/publish", headers=staff, json={})
    ).status == 409


async def test_items_above_white_are_hidden_from_anonymous_readers(
    registry: Client, staff: dict[str, str]
) -> None:
    await create(registry, staff, "MP303", classification="amber")
    assert (await registry.get(f"{API}/MP303")).status == 404
    assert (await registry.get("/modifications/MP303")).status == 404
    assert (await (await registry.get(API)).json())["items"] == []
    assert (await registry.get(f"{API}/MP303", headers=staff)).status == 200
    feed = await (await registry.get("/modifications/feed.atom")).text()
    assert "MP303" not in feed
