"""Read request bodies and queries through models, and write JSON responses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from shared.errors import Problem

M = TypeVar("M", bound=BaseModel)


def _validation_problem(exc: ValidationError, where: str) -> Problem:
    errors = [
        {
            "location": [where, *(str(part) for part in error["loc"])],
            "message": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors(include_url=False, include_input=False)
    ]
    return Problem(
        422,
        "Unprocessable Content",
        f"The request {where} is not valid: "
        + "; ".join(f"{'.'.join(e['location'][1:]) or where}: {e['message']}" for e in errors),
        extensions={"errors": errors},
    )


async def read_model(request: web.Request, model: type[M]) -> M:
    """Parse the JSON body into `model`: 415 if not JSON, 400 if unparsable, 422 if invalid."""
    if request.content_type not in {"application/json", "application/merge-patch+json"}:
        raise Problem(
            415,
            "Unsupported Media Type",
            "Send the body as application/json.",
            headers={"Accept-Post": "application/json"},
        )
    raw = await request.read()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, "Bad Request", f"The body is not valid JSON: {exc}.") from exc
    except RecursionError as exc:
        # No request model nests deeper than a few levels; the parser's stack gives out first.
        raise Problem(400, "Bad Request", "The body is nested too deeply.") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_problem(exc, "body") from exc


def read_query(request: web.Request, model: type[M]) -> M:
    """Parse the query string into `model`; repeated keys become lists."""
    data: dict[str, Any] = {}
    for key in request.query:
        values = request.query.getall(key)
        data[key] = values if len(values) > 1 else values[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_problem(exc, "query") from exc


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, default=str, ensure_ascii=False).encode(),
        content_type="application/json",
        headers=headers,
    )
