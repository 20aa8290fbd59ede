"""Build a service's OpenAPI 3.1 document from its declared operations.

Every schema comes from the pydantic models the views validate with
(`models_json_schema`, references under `#/components/schemas/`), so the document
and the validation cannot disagree (docs/decisions/api-openapi-from-declarations.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.auth import ROLE_ADMIN
from shared.errors import PROBLEM_CONTENT_TYPE
from shared.idempotency import HEADER as IDEMPOTENCY_KEY
from shared.openapi.declaration import Operation

OPENAPI_VERSION = "3.1.0"
REF_TEMPLATE = "#/components/schemas/{model}"
SECURITY_SCHEME = "bearer"


class FieldError(BaseModel):
    """Where a request is wrong and why."""

    location: list[str]
    message: str
    type: str | None = None


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: every error of every API; members beyond these may follow."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str
    title: str
    status: int
    detail: str | None = None
    correlation_id: str | None = None
    errors: list[FieldError] | None = None


def _shared_problems(operation: Operation) -> dict[int, str]:
    """Return the errors an operation answers because of its kind, not its own logic."""
    problems: dict[int, str] = {}
    if operation.roles:
        problems[401] = "No bearer token, or one that is not valid (expired, revoked, forged)."
        roles = ", ".join(sorted({*operation.roles, ROLE_ADMIN}))
        problems[403] = f"The token holds none of the roles {roles}."
    else:
        problems[401] = "A bearer token was sent and is not valid; send none to read as the public."
    if operation.body is not None:
        problems[400] = "The body is not JSON, or is nested too deeply."
        problems[413] = "The body is larger than the service accepts."
        problems[415] = "The body is not sent as application/json."
        problems[422] = "The body does not fit its schema; `errors` names each field and why."
    if operation.query is not None:
        problems[422] = "A query parameter does not fit its schema; `errors` names it."
    if operation.method == "POST":
        problems[400] = _join(problems.get(400), f"{IDEMPOTENCY_KEY} is malformed.")
        problems[409] = f"A request with this {IDEMPOTENCY_KEY} is still running; retry later."
        problems[422] = _join(problems.get(422), f"This {IDEMPOTENCY_KEY} came with another body.")
    for status, when in operation.problems.items():
        problems[status] = _join(problems.get(status), when)
    return problems


def _join(first: str | None, second: str) -> str:
    return second if first is None else f"{first} Or: {second}"


def _models(operations: Sequence[Operation]) -> list[type[BaseModel]]:
    found: dict[type[BaseModel], None] = {ProblemDetails: None}
    for operation in operations:
        for model in (operation.body, operation.query):
            if model is not None:
                found[model] = None
        for reply in operation.replies.values():
            if reply.model is not None:
                found[reply.model] = None
    return list(found)


def _without_null(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return a query parameter's schema: a query string never carries null."""
    result = {key: value for key, value in schema.items() if key != "title"}
    if "anyOf" in result:
        options = [option for option in result["anyOf"] if option != {"type": "null"}]
        del result["anyOf"]
        result.update(options[0] if len(options) == 1 else {"anyOf": options})
    if result.get("default", 0) is None:
        del result["default"]
    return result


def _parameters(
    operation: Operation, refs: Mapping[Any, Any], components: Mapping[str, Any]
) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": param.description,
            "schema": {"type": "string", "minLength": 1},
            "example": param.example,
        }
        for name, param in operation.path_params.items()
    ]
    if operation.query is not None:
        component = _reference(operation.query, refs)["$ref"].rsplit("/", 1)[1]
        schema = components[component]
        required = set(schema.get("required", ()))
        for name, property_schema in schema["properties"].items():
            cleaned = _without_null(property_schema)
            parameter = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": cleaned,
            }
            if "description" in cleaned:
                parameter["description"] = cleaned["description"]
            parameters.append(parameter)
    headers = list(operation.headers)
    for header in headers:
        parameters.append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": {"type": "string"},
            }
        )
    if operation.method == "POST":
        parameters.append(
            {
                "name": IDEMPOTENCY_KEY,
                "in": "header",
                "required": False,
                "description": "Any unique string (1-255 printable ASCII): a retry with the "
                "same key and body gets the first answer again instead of a second effect.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    return parameters


def _reference(model: type[BaseModel], refs: Mapping[Any, Any]) -> dict[str, Any]:
    return dict(refs[(model, "validation")])


def _responses(operation: Operation, refs: Mapping[Any, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, reply in sorted(operation.replies.items()):
        response: dict[str, Any] = {"description": reply.description}
        headers = dict(reply.headers)
        if operation.method == "POST" and 200 <= status < 300:
            headers["Idempotent-Replayed"] = "true when this is the first answer to a retry."
        if headers:
            response["headers"] = {
                name: {"description": meaning, "schema": {"type": "string"}}
                for name, meaning in headers.items()
            }
        if reply.model is not None:
            response["content"] = {reply.media_type: {"schema": _reference(reply.model, refs)}}
        elif reply.media_type != "application/json":
            response["content"] = {reply.media_type: {"schema": {"type": "string"}}}
        responses[str(status)] = response
    problem = _reference(ProblemDetails, refs)
    for status, when in sorted(_shared_problems(operation).items()):
        response = {"description": when, "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}}}
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}
            }
        responses[str(status)] = response
    return responses


def _operation(
    operation: Operation, refs: Mapping[Any, Any], components: Mapping[str, Any]
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": _parameters(operation, refs, components),
        "responses": _responses(operation, refs),
        # A token is always accepted: without one a read shows public (White) items only.
        "security": [{SECURITY_SCHEME: []}] if operation.roles else [{}, {SECURITY_SCHEME: []}],
    }
    if operation.description:
        document["description"] = operation.description
    if operation.roles:
        document["x-roles"] = sorted({*operation.roles, ROLE_ADMIN})
    if operation.body is not None:
        media: dict[str, Any] = {"schema": _reference(operation.body, refs)}
        if operation.example is not None:
            media["example"] = dict(operation.example)
        document["requestBody"] = {"required": True, "content": {"application/json": media}}
    if not document["parameters"]:
        del document["parameters"]
    return document


def openapi_document(
    operations: Iterable[Operation], *, service: str, base_url: str
) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document describing `operations` of `service`."""
    listed = list(operations)
    mode: JsonSchemaMode = "validation"
    refs, definitions = models_json_schema(
        [(model, mode) for model in _models(listed)], ref_template=REF_TEMPLATE
    )
    components = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for operation in listed:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, refs, components
        )
    tags = list(dict.fromkeys(operation.tag for operation in listed))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"SEC {service} API",
            "version": "1",
            "description": (
                f"The JSON API of the {service} service. Reads of public (White) items need "
                "no token; writes need `Authorization: Bearer <token>` (`python -m "
                "shared.tokens create --subject NAME --roles secretariat`). Every error is "
                "RFC 9457 `application/problem+json`. A readable page of this document: "
                "`/api/v1/docs`."
            ),
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "An EdDSA-signed token naming this service as an audience.",
                }
            },
        },
    }
