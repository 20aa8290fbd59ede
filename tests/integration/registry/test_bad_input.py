"""Bad input gets a clear problem+json and writes nothing."""

from __future__ import annotations

import json

from shared.app import PLATFORM
from tests.integration.registry.conftest import Client

JSON = {"Content-Type": "application/json"}


async def test_bad_requests_get_problem_json_and_write_nothing(
    seeded: Client, staff: dict[str, str]
) -> None:
    db = seeded.app[PLATFORM].mongo.db
    names = [
        "registry_modifications",
        "registry_history",
        "registry_consultations",
        "registry_releases",
        "registry_decisions",
        "registry_outbox",
    ]
    before = {name: await db[name].count_documents({}) for name in names}
    write = {**staff, **JSON}
    consultation = {
        "title": "Bad",
        "kind": "refinement",
        "respond_to": "SECAS",
        "opens_at": "2022-02-10T09:00:00Z",
        "closes_at": "2022-02-01T17:00:00Z",
    }
    cases: list[tuple[str, str, dict[str, str], object, int]] = [
        ("GET", "/api/v1/modifications?status=nonsense", {}, None, 422),
        ("GET", "/api/v1/modifications?status=%7B%22%24gt%22%3A%22%22%7D", {}, None, 422),
        ("GET", "/api/v1/modifications?status[$gt]=", {}, None, 422),
        ("GET", "/api/v1/modifications?limit=100000", {}, None, 422),
        ("GET", "/api/v1/modifications?limit=0", {}, None, 422),
        ("GET", "/api/v1/modifications?sort=title", {}, None, 422),
        ("GET", "/api/v1/modifications?cursor=bm90LWEtY3Vyc29y", {}, None, 422),
        ("GET", "/api/v1/modifications?path=path-9", {}, None, 422),
        ("GET", "/api/v1/modifications/XP1", {}, None, 404),
        ("GET", "/api/v1/modifications/MP999", {}, None, 404),
        ("GET", "/api/v1/releases/1999-01", {}, None, 404),
        ("POST", "/api/v1/modifications", JSON, {"ref": "MP900", "title": "x"}, 401),
        ("POST", "/api/v1/modifications", write, {"ref": "XYZ1", "title": "x"}, 422),
        ("POST", "/api/v1/modifications", write, {"ref": "MP12", "title": "x"}, 422),
        ("POST", "/api/v1/modifications", write, {"ref": {"$gt": ""}, "title": "x"}, 422),
        ("POST", "/api/v1/modifications", write, {"ref": "MP900", "title": {"$ne": None}}, 422),
        (
            "POST",
            "/api/v1/modifications",
            write,
            {"ref": "MP900", "title": "x", "status": "approved"},
            422,
        ),
        (
            "POST",
            "/api/v1/modifications",
            write,
            {"ref": "MP900", "title": "x", "high_impact": "yes"},
            422,
        ),
        (
            "POST",
            "/api/v1/modifications",
            write,
            {"ref": "MP900", "title": "x", "path": "path-9"},
            422,
        ),
        ("POST", "/api/v1/modifications", write, {"ref": "MP192", "title": "Duplicate"}, 409),
        (
            "PATCH",
            "/api/v1/modifications/MP192",
            {**write, "If-Match": '"1"'},
            {"ref": "MP001"},
            422,
        ),
        (
            "PATCH",
            "/api/v1/modifications/MP192",
            {**write, "If-Match": '"1"'},
            {"affected_documents": ["Chapter 9"]},
            422,
        ),
        ("PATCH", "/api/v1/modifications/MP192", {**write, "If-Match": "abc"}, {"title": "x"}, 412),
        (
            "POST",
            "/api/v1/modifications/MP192/transitions",
            write,
            {"to": "unknown", "reason": "x"},
            422,
        ),
        ("POST", "/api/v1/modifications/MP192/transitions", write, {"to": "report-phase"}, 422),
        (
            "POST",
            "/api/v1/modifications/MP192/transitions",
            write,
            {"to": {"$gt": ""}, "reason": "x"},
            422,
        ),
        (
            "POST",
            "/api/v1/modifications/MP192/transitions",
            write,
            {"to": "implemented", "reason": "x"},
            409,
        ),
        (
            "POST",
            "/api/v1/modifications/MP192/transitions",
            write,
            {"to": "report-phase", "reason": " "},
            422,
        ),
        (
            "POST",
            "/api/v1/modifications/MP192/decisions",
            write,
            {"body": "king", "outcome": "approve", "decided_on": "2022-01-01"},
            422,
        ),
        ("POST", "/api/v1/consultations", write, consultation, 422),
        (
            "POST",
            "/api/v1/consultations",
            write,
            {**consultation, "closes_at": "2022-02-20T17:00:00"},
            422,
        ),
        (
            "POST",
            "/api/v1/consultations",
            write,
            {**consultation, "closes_at": "2022-02-20T17:00:00Z", "modification_ref": "MP999"},
            404,
        ),
        ("POST", "/api/v1/consultations/no-such/close", write, {}, 404),
        (
            "POST",
            "/api/v1/releases",
            write,
            {"effective_date": "2026-02-30", "kind": "scheduled"},
            422,
        ),
        (
            "POST",
            "/api/v1/releases",
            write,
            {"effective_date": "2026-02-26", "kind": "scheduled", "modification_refs": ["DP199"]},
            422,
        ),
        (
            "POST",
            "/api/v1/releases",
            write,
            {"effective_date": "2026-02-26", "kind": "scheduled", "modification_refs": ["MP999"]},
            404,
        ),
    ]
    for method, path, headers, body, status in cases:
        data = None if body is None else json.dumps(body)
        response = await seeded.request(method, path, headers=headers, data=data)
        assert response.status == status, (method, path, body, await response.text())
        assert response.content_type == "application/problem+json", (method, path)
        problem = await response.json()
        assert problem["status"] == status
        assert problem["title"]
        if status == 422:
            assert problem["detail"]

    after = {name: await db[name].count_documents({}) for name in names}
    assert after == before
