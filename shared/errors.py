"""Map errors to RFC 9457 problem+json responses in one place."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pymongo.errors import ConnectionFailure

from shared.logs import current_correlation_id
from shared.web_templates import error_page

PROBLEM_CONTENT_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


@dataclass
class Problem(Exception):
    """An error a client should see, with its HTTP status and RFC 9457 members."""

    status: int
    title: str
    detail: str | None = None
    type: str = "about:blank"
    extensions: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail or ''}"


def problem_response(problem: Problem) -> web.Response:
    body: dict[str, Any] = {"type": problem.type, "title": problem.title, "status": problem.status}
    if problem.detail:
        body["detail"] = problem.detail
    correlation_id = current_correlation_id()
    if correlation_id:
        body["correlation_id"] = correlation_id
    body.update(problem.extensions)
    return web.Response(
        status=problem.status,
        body=json.dumps(body, default=str).encode(),
        content_type=PROBLEM_CONTENT_TYPE,
        headers=problem.headers,
    )


# A domain exception class maps to (status, title); its message becomes the detail.
ErrorMap = Mapping[type[Exception], tuple[int, str]]


def problem_for(exc: Exception, error_map: ErrorMap) -> Problem | None:
    """Return the Problem for a known exception, or None for an unexpected one."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, web.HTTPException):
        if exc.status < 400:
            return None
        headers = {k: v for k, v in exc.headers.items() if k.lower() in {"allow", "retry-after"}}
        detail = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else None
        return Problem(exc.status, exc.reason, detail, headers=headers)
    for exc_type in type(exc).__mro__:
        if exc_type in error_map:
            status, title = error_map[exc_type]
            extensions = getattr(exc, "problem_extensions", None)
            return Problem(status, title, str(exc), extensions=dict(extensions or {}))
    return None


def error_middleware(error_map: ErrorMap) -> Any:
    """Build the middleware that turns every error into problem+json."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except Exception as exc:
            problem = problem_for(exc, error_map)
            # The route template, never the path: a path can hold a private feed token.
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "unmatched"
            if problem is None and isinstance(exc, ConnectionFailure):
                # The database out of reach is an outage, not a bug: the client may retry.
                log.warning("database unreachable on %s %s: %r", request.method, route, exc)
                problem = Problem(
                    503,
                    "Service Unavailable",
                    "The database cannot be reached just now; retry shortly.",
                    headers={"Retry-After": "5"},
                )
            if problem is None:
                if isinstance(exc, web.HTTPException):
                    raise
                log.exception("unhandled error on %s %s", request.method, route)
                problem = Problem(500, "Internal Server Error", "The error was logged.")
            # A person's browser on a page gets a page; programs and /api/ get problem+json.
            page = error_page(
                request, problem.status, problem.title, problem.detail, problem.headers
            )
            return page or problem_response(problem)

    return middleware
