"""Hostile input to every route of every service: a clear 4xx, problem+json, nothing written.

The routes come from each service's router, so a new route is attacked by default. For
each one the suite sends what an attacker would: bad, forged, expired, revoked and
other-audience tokens, bodies of the
wrong type, unknown fields, Mongo operators, deep nesting, huge numbers, invalid UTF-8,
control characters, oversized bodies, path traversal in path parameters, and query
strings of the wrong type, size and encoding. Every answer must be below 500 (an
error, when there is one, as problem+json) and leave every collection of the service's
database as it was: nothing written, nothing queued in the outbox, nothing sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from services.calendar.web.app import create_app as calendar_app
from services.notifier.web.app import create_app as notifier_app
from services.registry.web.app import create_app as registry_app
from shared.app import PLATFORM
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, SigningKey, issue_token
from shared.settings import CalendarSettings, NotifierSettings, RegistrySettings, ServiceSettings
from tests.conftest import TEST_SIGNER

STAFF = "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT})
# Admin routes refuse the secretariat before reading anything: attack them as an admin.
ADMIN = "Bearer " + issue_token(TEST_SIGNER, "ops", {ROLE_ADMIN})
REVOKED_ID = "revoked-in-the-hostile-suite"
BAD_TOKENS = {
    "forged": "Bearer " + issue_token(SigningKey.generate(), "mallory", {ROLE_SECRETARIAT}),
    "expired": "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT}, ttl_seconds=-60),
    "malformed": "Bearer sec1.not-a-token",
    "non-ascii": "Bearer sec1.é.ü",
    "no-audience": "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT}, audience=()),
    "revoked": "Bearer "
    + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT}, 3600, token_id=REVOKED_ID),
    "basic": "Basic YWxpY2U6c2VjcmV0",
    "empty": "Bearer ",
}
# Values a path parameter takes in a plain request, and what an attacker puts there.
PLAIN_PARAMS = {
    "ref": "MP192",
    "slug": "change-board",
    "type": "meeting",
    "queue": "notifier.events",  # a queue of the notifier's; the others answer 404
}
TRAVERSALS = ["..%2F..%2Fetc%2Fpasswd", "%00", "%2e%2e", "a" * 3000, "%ff%fe", "MP192%0d%0aX: y"]
NESTED = b"[" * 5000 + b"]" * 5000
BODIES = {
    "array": b"[]",
    "string": b'"x"',
    "number": b"1",
    "null": b"null",
    "unknown-field": b'{"zz_unknown": 1}',
    "mongo-operator": b'{"title": {"$gt": ""}, "email": {"$ne": null}, "$where": "1"}',
    "deep-nesting": NESTED,
    "huge-number": b'{"title": 1e400, "closes_at": 1e308, "limit": 99999999999999999999999}',
    "invalid-utf8": b'{"title": "\xff\xfe"}',
    "control-chars": json.dumps({"title": "a\x00\x0b\u2028b", "email": "a\x00@b.example"}).encode(),
    "not-json": b"{not json",
    "oversized": b'{"title": "' + b"x" * 2_000_000 + b'"}',
}
QUERIES = [
    "limit=abc",
    "limit=1e20",
    "limit=-1",
    "limit=99999999999999999999",
    "from=x&to=y",
    "when=sometime",
    "cursor=garbage",
    "cursor=eyJ1cGRhdGVkX2F0IjoiMjAyMC0wMS0wMSJ9",  # a forged cursor with a naive date
    # Within the HTTP parser's 8 KiB line, so the service judges it (a longer line is
    # the parser's plain 400: it is not a request the service ever sees).
    "q=" + "x" * 4_000,
    "q=%00%0b",
    "q=%ff%fe",
    "committee=" + "x" * 100,
    "token=%00",
    "utm_source=x",
]
# What moves whatever the request: a subscribe attempt is counted even when refused,
# and the relay's and scheduler's leases are renewed in the background.
MOVES_ON_REFUSAL = {"notifier_rate_limits"}


def _background(name: str) -> bool:
    return name in MOVES_ON_REFUSAL or name.endswith("_leases")


@dataclass
class Findings:
    failures: list[str] = field(default_factory=list)

    def check(
        self,
        what: str,
        api: bool,
        status: int,
        content_type: str,
        changed: list[str],
        expected: int | None = None,
    ) -> None:
        if expected is not None and status != expected:
            self.failures.append(f"{what}: {status}, expected {expected}")
        # Pages answer a person's form with the page and the error on it; APIs with
        # problem+json.
        expected = (
            {"application/problem+json"} if api else {"application/problem+json", "text/html"}
        )
        if status >= 500:
            self.failures.append(f"{what}: {status}")
        elif status >= 400 and content_type not in expected:
            self.failures.append(f"{what}: {status} as {content_type}")
        if changed:
            self.failures.append(f"{what}: wrote to {', '.join(changed)}")


def concrete(route: str, value: str | None = None) -> str:
    """Fill a route template's parameters with plain values, or all with `value`."""
    return re.sub(
        r"\{(\w+)(?::[^}]*)?\}",
        lambda m: value if value is not None else PLAIN_PARAMS.get(m[1], "some-id"),
        route,
    )


def routes(app: web.Application) -> Iterator[tuple[str, str]]:
    seen = set()
    for route in app.router.routes():
        if route.method in {"HEAD", "OPTIONS"} or route.resource is None:
            continue
        key = (route.method, route.resource.canonical)
        if key not in seen:
            seen.add(key)
            yield key


async def snapshot(client: TestClient[Any, Any]) -> dict[str, int]:
    database = client.app[PLATFORM].mongo.db
    names = await database.list_collection_names()
    return {
        name: await database[name].count_documents({})
        for name in sorted(names)
        if not _background(name)
    }


async def attack(client: TestClient[Any, Any], findings: Findings) -> int:
    """Send every hostile request to every route; return how many were sent."""
    sent = 0

    async def send(
        what: str, method: str, path: str, expected: int | None = None, **kwargs: Any
    ) -> int:
        nonlocal sent
        before = await snapshot(client)
        response = await client.request(method, path, **kwargs)
        await response.read()
        after = await snapshot(client)
        changed = [name for name in after if after[name] != before.get(name, 0)]
        api = path.startswith("/api/")
        findings.check(what, api, response.status, response.content_type, changed, expected)
        sent += 1
        return response.status

    for method, route in routes(client.app):
        plain = concrete(route)
        staff = ADMIN if route.startswith("/api/v1/admin/") else STAFF
        for name, token in BAD_TOKENS.items():
            # A token that is not valid is refused before anything else, on every route.
            await send(
                f"{method} {route} token={name}",
                method,
                plain,
                401,
                headers={"Authorization": token, "Content-Type": "application/json"},
                data=b"{}",
            )
        if "{" in route:
            for traversal in TRAVERSALS:
                await send(
                    f"{method} {route} path={traversal[:20]}",
                    method,
                    concrete(route, traversal),
                    headers={"Authorization": staff},
                )
        if method in {"POST", "PATCH", "PUT"}:
            # What the route answers before it reads a body (a missing entity, a missing
            # If-Match) it answers to every body; otherwise each body has its one answer.
            api = route.startswith("/api/")
            empty = await send(
                f"{method} {route} body={{}}",
                method,
                plain,
                headers={"Authorization": staff, "Content-Type": "application/json"},
                data=b"{}",
            )
            # A route that looks its entity up first answers that to any body; one that
            # reads its body first answers the body's fault: probe which this one does.
            reads_first = empty in {400, 422}
            if api and empty in BEFORE_THE_BODY:
                probe = await send(
                    f"{method} {route} probe",
                    method,
                    plain,
                    headers={"Authorization": staff, "Content-Type": "application/json"},
                    data=b"[]",
                )
                reads_first = probe != empty
            for name, body in BODIES.items():
                for content_type in ("application/json", "application/x-www-form-urlencoded"):
                    expected = None
                    if api and reads_first:
                        expected = body_status(name, content_type)
                    elif api and empty in BEFORE_THE_BODY:
                        expected = empty
                    await send(
                        f"{method} {route} body={name} as {content_type}",
                        method,
                        plain,
                        expected,
                        headers={"Authorization": staff, "Content-Type": content_type},
                        data=body,
                    )
        for query in QUERIES:
            await send(
                f"{method} {route}?{query[:40]}",
                method,
                f"{plain}?{query}",
                headers={"Authorization": staff} if method != "GET" else {},
            )
    return sent


# Answers a route gives before it reads the body: not found, precondition missing or failed.
BEFORE_THE_BODY = {404, 409, 412, 428}


def body_status(name: str, content_type: str) -> int:
    """Return the one status an API route that reads its body gives to a hostile body."""
    if content_type != "application/json":
        return 415
    if name == "oversized":
        return 413
    if name in {"not-json", "invalid-utf8", "deep-nesting"}:
        return 400
    return 422


SERVICES: dict[str, tuple[Callable[[Any], web.Application], type[ServiceSettings]]] = {
    "registry": (registry_app, RegistrySettings),
    "calendar": (calendar_app, CalendarSettings),
    "notifier": (notifier_app, NotifierSettings),
}


@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_route_answers_hostile_input_with_a_4xx_problem_and_writes_nothing(
    aiohttp_client: Any, make_settings: Callable[..., ServiceSettings], service: str
) -> None:
    create, settings_type = SERVICES[service]
    # Seeded, so that routes naming an entity reach their validation, not only a 404;
    # API role only, so that no consumer writes while the suite counts documents.
    settings = make_settings(settings_type, seed=True, max_body_bytes=1_000_000, roles=["api"])
    client: TestClient[Any, Any] = await aiohttp_client(create(settings))
    await (
        client.app[PLATFORM]
        .mongo.collection("platform_tokens")
        .insert_one({"_id": REVOKED_ID, "subject": "alice", "revoked_at": "2026-11-29"})
    )
    findings = Findings()
    sent = await attack(client, findings)
    assert sent > 100
    assert not findings.failures, f"{len(findings.failures)} of {sent}:\n" + "\n".join(
        findings.failures
    )
