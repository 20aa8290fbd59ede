"""Each service documents every /api/v1 route from the models that validate it, and shows it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from services.calendar.web.app import create_app as calendar_app
from services.calendar.web.schemas import EventCreate
from services.notifier.web.app import create_app as notifier_app
from services.registry.web.app import create_app as registry_app
from services.registry.web.schemas import TransitionIn
from shared.openapi import CATALOGUE
from shared.openapi.document import REF_TEMPLATE
from shared.settings import CalendarSettings, NotifierSettings, RegistrySettings, ServiceSettings

Client = TestClient[Any, Any]
SERVICES: dict[str, tuple[Callable[[Any], web.Application], type[ServiceSettings]]] = {
    "registry": (registry_app, RegistrySettings),
    "calendar": (calendar_app, CalendarSettings),
    "notifier": (notifier_app, NotifierSettings),
}


def app_of(
    service: str, make_settings: Callable[..., ServiceSettings], **overrides: Any
) -> web.Application:
    create, settings_type = SERVICES[service]
    # The API only: a worker would start on the backlog other tests left in the shared vhost.
    return create(make_settings(settings_type, **{"roles": ["api"], **overrides}))


def api_routes(app: web.Application) -> set[tuple[str, str]]:
    """Return (method, template) of every route under /api/v1 the router holds."""
    return {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/v1/")
        and route.method not in {"HEAD", "OPTIONS"}
    }


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_api_route_of_every_service_is_documented(
    make_settings: Callable[..., ServiceSettings], service: str
) -> None:
    app = app_of(service, make_settings)
    documented = {(op.method, op.path) for op in app[CATALOGUE].operations}
    assert api_routes(app) - documented == set(), "declare these with shared.openapi.Operations"
    assert documented <= api_routes(app)


@pytest.mark.parametrize("service", list(SERVICES))
async def test_the_document_describes_every_operation_with_models_and_problems(
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., ServiceSettings],
    service: str,
) -> None:
    client: Client = await aiohttp_client(app_of(service, make_settings, roles=["api"]))
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    operations = [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert {(m.upper(), p) for p, m, _ in operations} == api_routes(client.app)
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation["summary"], where
        successes = [status for status in operation["responses"] if status.startswith("2")]
        assert successes, where
        # Every JSON answer names a schema the document holds; every error is a problem.
        for status, reply in operation["responses"].items():
            for media_type, media in reply.get("content", {}).items():
                ref = media.get("schema", {}).get("$ref")
                if media_type.endswith("json"):
                    assert ref, f"{where} {status}"
                    assert ref.rsplit("/", 1)[1] in schemas, f"{where} {status}"
                if status.startswith(("4", "5")):
                    assert media_type == "application/problem+json", f"{where} {status}"
        assert "401" in operation["responses"], where
        if operation.get("x-roles"):
            assert operation["security"] == [{"bearer": []}], where
            assert "403" in operation["responses"], where
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= set(operation["responses"]), where
        for name in re.findall(r"\{(\w+)\}", path):
            assert any(p["in"] == "path" and p["name"] == name for p in operation["parameters"]), (
                f"{where}: {name}"
            )
    refs = re.findall(r'"\$ref": ?"([^"]+)"', await response.text())
    assert all(ref.startswith("#/components/schemas/") for ref in refs)
    assert {ref.rsplit("/", 1)[1] for ref in refs} <= set(schemas)


async def test_the_documented_body_is_the_model_that_validates_it(
    aiohttp_client: Callable[..., Any], make_settings: Callable[..., ServiceSettings]
) -> None:
    calendar: Client = await aiohttp_client(
        calendar_app(make_settings(CalendarSettings, roles=["api"]))
    )
    document = await (await calendar.get("/api/v1/openapi.json")).json()
    create = document["paths"]["/api/v1/events"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EventCreate"
    }
    own = EventCreate.model_json_schema(ref_template=REF_TEMPLATE)
    own.pop("$defs", None)
    assert document["components"]["schemas"]["EventCreate"] == own
    assert create["x-roles"] == ["admin", "secretariat"]

    registry: Client = await aiohttp_client(
        registry_app(make_settings(RegistrySettings, roles=["api"]))
    )
    document = await (await registry.get("/api/v1/openapi.json")).json()
    transition = document["paths"]["/api/v1/modifications/{ref}/transitions"]["post"]
    own = TransitionIn.model_json_schema(ref_template=REF_TEMPLATE)
    assert document["components"]["schemas"]["TransitionIn"] == own
    assert "409" in transition["responses"]
    listing = document["paths"]["/api/v1/modifications"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"status", "q", "cursor", "limit"}


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_example_request_is_a_valid_body(
    make_settings: Callable[..., ServiceSettings], service: str
) -> None:
    app = app_of(service, make_settings)
    for operation in app[CATALOGUE].operations:
        if operation.body is not None:
            assert operation.example is not None, f"{operation.method} {operation.path}"
            operation.body.model_validate(operation.example)


@pytest.mark.parametrize("service", list(SERVICES))
async def test_the_docs_page_shows_every_operation_without_scripts_or_other_sites(
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., ServiceSettings],
    service: str,
) -> None:
    client: Client = await aiohttp_client(app_of(service, make_settings, roles=["api"]))
    response = await client.get("/api/v1/docs")
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert "<script" not in page.lower()
    for operation in client.app[CATALOGUE].operations:
        assert operation.path in page
        assert f'id="{operation.operation_id}"' in page
        assert operation.summary.replace("'", "&#39;").replace('"', "&#34;") in page
    links = set(re.findall(r'(?:href|src)="([^"#][^"]*)"', page))
    assert all(link.startswith("http://127.0.0.1") for link in links), links
    if service == "calendar":
        # Body fields with their type, requirement and limits; a runnable example.
        assert "at most 1000 characters" in page
        assert "curl -X POST" in page
        assert "Authorization: Bearer $TOKEN" in page
        assert "&#34;committee&#34;: &#34;panel&#34;" in page
