"""The platform's HTTP behaviour: readiness under outages, problem+json for bad input."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import BaseModel, ConfigDict

from shared.app import PLATFORM, ServiceSpec, create_service_app
from shared.auth import ROLE_SECRETARIAT, ROLE_SERVICE, SigningKey, issue_token, requires
from shared.settings import ServiceSettings
from shared.web import json_response, read_model
from tests.conftest import TEST_SIGNER
from tests.support.tcpproxy import TcpProxy

AiohttpClient = Callable[..., Any]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    title: str


@requires(ROLE_SECRETARIAT)
async def create_note(request: web.Request) -> web.Response:
    note = await read_model(request, NoteIn)
    await request.app[PLATFORM].mongo.collection("registry_notes").insert_one(note.model_dump())
    return json_response(note.model_dump(), status=201)


def app_with_write_route(settings: ServiceSettings) -> web.Application:
    app = create_service_app(settings, ServiceSpec(name="registry"))
    app.router.add_post("/api/v1/notes", create_note)
    return app


async def test_service_answers_health_ready_and_metrics(
    aiohttp_client: AiohttpClient, make_settings: Callable[..., ServiceSettings]
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(app_with_write_route(make_settings()))
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["checks"] == {"mongodb": "ok", "rabbitmq": "ok"}
    assert (await client.get("/metrics")).status == 401  # not for the public
    scraper = {"Authorization": f"Bearer {SERVICE}"}
    metrics = await (await client.get("/metrics", headers=scraper)).text()
    assert 'http_requests_total{method="GET",route="/readyz",status="200"} 1.0' in metrics


async def test_readyz_is_503_while_a_dependency_is_unreachable_and_200_when_back(
    aiohttp_client: AiohttpClient,
    make_settings: Callable[..., ServiceSettings],
    mongo_url: str,
    amqp_url: str,
) -> None:
    mongo_target, amqp_target = urlsplit(mongo_url), urlsplit(amqp_url)
    mongo_proxy = TcpProxy(mongo_target.hostname or "", mongo_target.port or 27017)
    amqp_proxy = TcpProxy(amqp_target.hostname or "", amqp_target.port or 5672)
    await mongo_proxy.start()
    await amqp_proxy.start()
    settings = make_settings(
        # directConnection: a replica set member would otherwise advertise its own address.
        mongodb_url=f"mongodb://127.0.0.1:{mongo_proxy.port}/?directConnection=true",
        amqp_url=amqp_url.replace(f":{amqp_target.port}/", f":{amqp_proxy.port}/"),
    )
    client: TestClient[Any, Any] = await aiohttp_client(app_with_write_route(settings))
    assert (await client.get("/readyz")).status == 200

    for proxy, name in ((amqp_proxy, "rabbitmq"), (mongo_proxy, "mongodb")):
        await proxy.cut()
        async with asyncio.timeout(20):
            while (response := await client.get("/readyz")).status != 503:
                await asyncio.sleep(0.2)
        body = await response.json()
        assert body["checks"][name] != "ok"
        assert response.content_type == "application/problem+json"
        assert (await client.get("/healthz")).status == 200

        await proxy.restore()
        async with asyncio.timeout(30):
            while (await client.get("/readyz")).status != 200:
                await asyncio.sleep(0.3)
    await mongo_proxy.cut()
    await amqp_proxy.cut()


STAFF = {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT})}
STAFF_JSON = {**STAFF, "Content-Type": "application/json"}
FORGED = issue_token(SigningKey.generate(), "mallory", {ROLE_SECRETARIAT})
SERVICE = issue_token(TEST_SIGNER, "calendar", {ROLE_SERVICE})
NOTES = "/api/v1/notes"

BAD_REQUESTS = [
    pytest.param("GET", "/nowhere", {}, None, 404, id="unknown-route"),
    pytest.param("DELETE", "/healthz", {}, None, 405, id="wrong-method"),
    pytest.param(
        "POST", NOTES, {"Content-Type": "application/json"}, b'{"title":"x"}', 401, id="no-token"
    ),
    pytest.param("POST", NOTES, {"Authorization": f"Bearer {FORGED}"}, b"{}", 401, id="forged"),
    pytest.param("POST", NOTES, {"Authorization": "Basic abc"}, b"{}", 401, id="basic-auth"),
    pytest.param(
        "POST", NOTES, {"Authorization": "Bearer sec1.é.ü"}, b"{}", 401, id="non-ascii-token"
    ),
    pytest.param("POST", NOTES, {"Authorization": f"Bearer {SERVICE}"}, b"{}", 403, id="no-role"),
    pytest.param(
        "POST", NOTES, {**STAFF, "Content-Type": "text/plain"}, b"title", 415, id="not-json"
    ),
    pytest.param("POST", NOTES, STAFF_JSON, b"{not json", 400, id="malformed-json"),
    pytest.param("POST", NOTES, STAFF_JSON, b'{"title": {"$gt": ""}}', 422, id="operator"),
    pytest.param("POST", NOTES, STAFF_JSON, b'{"title": "x", "extra": 1}', 422, id="extra-field"),
    pytest.param(
        "POST", NOTES, STAFF_JSON, b'{"title": "' + b"x" * 2048 + b'"}', 413, id="too-large"
    ),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), BAD_REQUESTS)
async def test_bad_request_gets_problem_json_and_writes_nothing(
    aiohttp_client: AiohttpClient,
    make_settings: Callable[..., ServiceSettings],
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None,
    status: int,
) -> None:
    settings = make_settings(max_body_bytes=1024)
    client: TestClient[Any, Any] = await aiohttp_client(app_with_write_route(settings))

    response = await client.request(method, path, headers=headers, data=body)

    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["status"] == status
    assert problem["title"]
    if status == 405:
        assert "GET" in response.headers["Allow"]
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"
    notes = client.app[PLATFORM].mongo.collection("registry_notes")
    assert await notes.count_documents({}) == 0


async def test_a_good_request_to_the_same_route_writes(
    aiohttp_client: AiohttpClient, make_settings: Callable[..., ServiceSettings]
) -> None:
    settings = make_settings(max_body_bytes=1024)
    client: TestClient[Any, Any] = await aiohttp_client(app_with_write_route(settings))
    created = await client.post(NOTES, headers=STAFF, json={"title": "SEC Panel 100"})
    assert created.status == 201
    notes = client.app[PLATFORM].mongo.collection("registry_notes")
    assert await notes.count_documents({}) == 1


async def test_unhandled_error_is_a_500_problem_and_the_log_never_holds_the_url_secret(
    aiohttp_client: AiohttpClient,
    make_settings: Callable[..., ServiceSettings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken_feed(request: web.Request) -> web.Response:
        raise RuntimeError("the feed store is broken")

    app = app_with_write_route(make_settings())
    app.router.add_get("/feeds/private/{token}.ics", broken_feed)
    client: TestClient[Any, Any] = await aiohttp_client(app)
    secret = "s3cr3t-feed-token-0123456789abcdef"

    with caplog.at_level(logging.DEBUG):
        response = await client.get(f"/feeds/private/{secret}.ics")
    assert response.status == 500
    assert response.content_type == "application/problem+json"
    assert secret not in await response.text()
    # The services run without aiohttp's access log (shared/runner.py passes
    # access_log=None); only the test server writes one, so it is left out here.
    logged = "\n".join(
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if record.name != "aiohttp.access"
    )
    assert "unhandled error on GET /feeds/private/{token}.ics" in logged
    assert secret not in logged


async def test_a_body_nested_beyond_the_parsers_stack_is_a_400_not_a_500(
    aiohttp_client: AiohttpClient, make_settings: Callable[..., ServiceSettings]
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(
        app_with_write_route(make_settings(max_body_bytes=1_000_000))
    )
    body = b"[" * 100_000 + b"]" * 100_000
    response = await client.post(NOTES, headers=STAFF_JSON, data=body)
    assert response.status == 400, await response.text()
    assert (await response.json())["detail"] == "The body is nested too deeply."


async def test_even_a_head_aiohttp_cannot_parse_is_answered_without_versions(
    aiohttp_client: AiohttpClient, make_settings: Callable[..., ServiceSettings]
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(app_with_write_route(make_settings()))
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(b"GET / HTTP/1.1\r\nHo\x00st: x\r\n\r\n")
    answer = await reader.read(4096)
    writer.close()
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
    assert b"\r\nServer: sec\r\n" in answer
    assert b"aiohttp" not in answer.split(b"\r\n\r\n")[0]
