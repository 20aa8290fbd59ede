"""Put declared operations on a service's router, with the document and page that describe them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from shared.app import PLATFORM
from shared.openapi.declaration import Operation, Operations, Reply
from shared.openapi.document import openapi_document
from shared.openapi.page import docs_page
from shared.web import json_response

DOCUMENT_PATH = "/api/v1/openapi.json"
PAGE_PATH = "/api/v1/docs"


@dataclass
class Catalogue:
    """Every operation a service published; the document and page, built on first request."""

    operations: list[Operation] = field(default_factory=list)
    document: dict[str, Any] | None = None
    page: str | None = None


CATALOGUE = web.AppKey("api_catalogue", Catalogue)


class OpenApiDocument(BaseModel):
    """An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


def _document(request: web.Request) -> dict[str, Any]:
    catalogue = request.app[CATALOGUE]
    if catalogue.document is None:
        platform = request.app[PLATFORM]
        settings = platform.settings
        base_urls = {
            "registry": settings.public_base_url_registry,
            "calendar": settings.public_base_url_calendar,
            "notifier": settings.public_base_url_notifier,
        }
        catalogue.document = openapi_document(
            catalogue.operations, service=platform.service, base_url=base_urls[platform.service]
        )
    return catalogue.document


DOCUMENTATION = Operations("documentation")


@DOCUMENTATION.add(
    "GET",
    DOCUMENT_PATH,
    summary="This API as an OpenAPI 3.1 document",
    replies={
        200: Reply(
            "The document, built from the models requests are validated with.", OpenApiDocument
        )
    },
)
async def openapi_json(request: web.Request) -> web.Response:
    return json_response(_document(request))


@DOCUMENTATION.add(
    "GET",
    PAGE_PATH,
    summary="This API as a page to read",
    replies={
        200: Reply(
            "Every operation with its parameters, fields, an example and its answers.",
            media_type="text/html",
        )
    },
)
async def docs(request: web.Request) -> web.Response:
    catalogue = request.app[CATALOGUE]
    if catalogue.page is None:
        catalogue.page = docs_page(_document(request))
    return web.Response(text=catalogue.page, content_type="text/html")


def publish(app: web.Application, operations: Operations) -> None:
    """Route every operation of `operations`; the first call also serves the document."""
    catalogue = app.get(CATALOGUE)
    if catalogue is None:
        catalogue = Catalogue()
        app[CATALOGUE] = catalogue
        _route(app, catalogue, DOCUMENTATION)
    _route(app, catalogue, operations)


def _route(app: web.Application, catalogue: Catalogue, operations: Operations) -> None:
    for operation in operations.items:
        app.router.add_route(operation.method, operation.path, operation.view)
        catalogue.operations.append(operation)
