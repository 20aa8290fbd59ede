"""Bad input gets a clear problem+json and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.app import PLATFORM
from tests.integration.registry.conftest import Client

JSON = {"Content-Type": "application/json"}
COLLECTIONS = [
    "registry_modifications",
    "registry_history",
    "registry_consultations",
    "registry_releases",
    "registry_decisions",
    "registry_outbox",
]
CONSULTATION = {
    "title": "Bad",
    "kind": "refinement",
    "respond_to": "SECAS",
    "opens_at": "2022-02-10T09:00:00Z",
    "closes_at": "2022-02-01T17:00:00Z",
}
MODIFICATIONS = "/api/v1/modifications"
TRANSITIONS = "/api/v1/modifications/MP192/transitions"


def read(case_id: str, path: str, status: int) -> Any:
    """A GET without credentials."""
    return pytest.param("GET", path, None, None, status, {}, id=case_id)


def write(
    case_id: str,
    method: str,
    path: str,
    body: object,
    status: int,
    *,
    as_staff: bool = True,
    if_match: str | None = None,
) -> Any:
    """A JSON write, by the secretariat unless `as_staff` is False."""
    extra = {} if if_match is None else {"If-Match": if_match}
    return pytest.param(method, path, body, as_staff, status, extra, id=case_id)


CASES = [
    read("list-unknown-status", f"{MODIFICATIONS}?status=nonsense", 422),
    read("list-status-json-operator", f"{MODIFICATIONS}?status=%7B%22%24gt%22%3A%22%22%7D", 422),
    read("list-status-bracket-operator", f"{MODIFICATIONS}?status[$gt]=", 422),
    read("list-limit-too-large", f"{MODIFICATIONS}?limit=100000", 422),
    read("list-limit-zero", f"{MODIFICATIONS}?limit=0", 422),
    read("list-unknown-sort", f"{MODIFICATIONS}?sort=title", 422),
    read("list-forged-cursor", f"{MODIFICATIONS}?cursor=bm90LWEtY3Vyc29y", 422),
    read("list-unknown-path", f"{MODIFICATIONS}?path=path-9", 422),
    read("get-malformed-ref", f"{MODIFICATIONS}/XP1", 404),
    read("get-unknown-ref", f"{MODIFICATIONS}/MP999", 404),
    read("get-unknown-release", "/api/v1/releases/1999-01", 404),
    write(
        "create-anonymous",
        "POST",
        MODIFICATIONS,
        {"ref": "MP900", "title": "x"},
        401,
        as_staff=False,
    ),
    write("create-malformed-ref", "POST", MODIFICATIONS, {"ref": "XYZ1", "title": "x"}, 422),
    write("create-short-ref", "POST", MODIFICATIONS, {"ref": "MP12", "title": "x"}, 422),
    write("create-ref-operator", "POST", MODIFICATIONS, {"ref": {"$gt": ""}, "title": "x"}, 422),
    write(
        "create-title-operator",
        "POST",
        MODIFICATIONS,
        {"ref": "MP900", "title": {"$ne": None}},
        422,
    ),
    write(
        "create-with-status",
        "POST",
        MODIFICATIONS,
        {"ref": "MP900", "title": "x", "status": "approved"},
        422,
    ),
    write(
        "create-high-impact-not-bool",
        "POST",
        MODIFICATIONS,
        {"ref": "MP900", "title": "x", "high_impact": "yes"},
        422,
    ),
    write(
        "create-unknown-path",
        "POST",
        MODIFICATIONS,
        {"ref": "MP900", "title": "x", "path": "path-9"},
        422,
    ),
    write("create-duplicate", "POST", MODIFICATIONS, {"ref": "MP192", "title": "Duplicate"}, 409),
    write("patch-ref", "PATCH", f"{MODIFICATIONS}/MP192", {"ref": "MP001"}, 422, if_match='"1"'),
    write(
        "patch-unknown-document",
        "PATCH",
        f"{MODIFICATIONS}/MP192",
        {"affected_documents": ["Chapter 9"]},
        422,
        if_match='"1"',
    ),
    write(
        "patch-malformed-if-match",
        "PATCH",
        f"{MODIFICATIONS}/MP192",
        {"title": "x"},
        412,
        if_match="abc",
    ),
    write("transition-unknown-status", "POST", TRANSITIONS, {"to": "unknown", "reason": "x"}, 422),
    write("transition-without-reason", "POST", TRANSITIONS, {"to": "report-phase"}, 422),
    write("transition-operator", "POST", TRANSITIONS, {"to": {"$gt": ""}, "reason": "x"}, 422),
    write("transition-not-allowed", "POST", TRANSITIONS, {"to": "implemented", "reason": "x"}, 409),
    write(
        "transition-blank-reason", "POST", TRANSITIONS, {"to": "report-phase", "reason": " "}, 422
    ),
    write(
        "decision-unknown-body",
        "POST",
        "/api/v1/modifications/MP192/decisions",
        {"body": "king", "outcome": "approve", "decided_on": "2022-01-01"},
        422,
    ),
    write("consultation-closes-before-open", "POST", "/api/v1/consultations", CONSULTATION, 422),
    write(
        "consultation-naive-time",
        "POST",
        "/api/v1/consultations",
        {**CONSULTATION, "closes_at": "2022-02-20T17:00:00"},
        422,
    ),
    write(
        "consultation-unknown-modification",
        "POST",
        "/api/v1/consultations",
        {**CONSULTATION, "closes_at": "2022-02-20T17:00:00Z", "modification_ref": "MP999"},
        404,
    ),
    write("close-unknown-consultation", "POST", "/api/v1/consultations/no-such/close", {}, 404),
    write(
        "release-impossible-date",
        "POST",
        "/api/v1/releases",
        {"effective_date": "2026-02-30", "kind": "scheduled"},
        422,
    ),
    write(
        "release-draft-proposal",
        "POST",
        "/api/v1/releases",
        {"effective_date": "2026-02-26", "kind": "scheduled", "modification_refs": ["DP199"]},
        422,
    ),
    write(
        "release-unknown-modification",
        "POST",
        "/api/v1/releases",
        {"effective_date": "2026-02-26", "kind": "scheduled", "modification_refs": ["MP999"]},
        404,
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "as_staff", "status", "extra"), CASES)
async def test_bad_request_gets_problem_json_and_writes_nothing(
    seeded: Client,
    staff: dict[str, str],
    method: str,
    path: str,
    body: object,
    as_staff: bool | None,
    status: int,
    extra: dict[str, str],
) -> None:
    db = seeded.app[PLATFORM].mongo.db
    before = {name: await db[name].count_documents({}) for name in COLLECTIONS}
    # A read goes without headers; a write is JSON, by the secretariat unless told otherwise.
    headers = {} if as_staff is None else {**(staff if as_staff else {}), **JSON, **extra}
    data = None if body is None else json.dumps(body)

    response = await seeded.request(method, path, headers=headers, data=data)

    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["status"] == status
    assert problem["title"]
    if status == 422:
        assert problem["detail"]
    after = {name: await db[name].count_documents({}) for name in COLLECTIONS}
    assert after == before
