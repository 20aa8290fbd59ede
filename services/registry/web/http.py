"""HTTP helpers of the registry: the use-case context, visibility, ETags, references."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from services.registry.domain.errors import IllegalTransition
from services.registry.service.context import RegistryContext
from services.registry.service.register import ModificationQuery
from services.registry.web.schemas import ModificationListQuery
from shared.auth import PRINCIPAL_KEY, ROLE_ADMIN, require_role
from shared.contracts.statuses import Path, Status
from shared.errors import Problem
from shared.refs import InvalidReference, ModificationRef

REGISTRY = web.AppKey("registry", RegistryContext)


def registry_of(request: web.Request) -> RegistryContext:
    return request.app[REGISTRY]


def sees_restricted(request: web.Request) -> bool:
    """Only authenticated callers see items above White; anonymous readers never do."""
    return request.get(PRINCIPAL_KEY) is not None


def allow_import(request: web.Request, occurred_at: datetime | None) -> None:
    """Let only admins stamp a change in the past (importing history): 403 for anyone else."""
    if occurred_at is not None:
        require_role(request, ROLE_ADMIN)


def actor_of(request: web.Request) -> str:
    principal = request.get(PRINCIPAL_KEY)
    return principal.subject if principal is not None else "anonymous"


def path_ref(request: web.Request) -> ModificationRef:
    """Parse the `{ref}` path segment; an invalid one is a 404 that says why."""
    try:
        return ModificationRef.parse(request.match_info["ref"])
    except InvalidReference as exc:
        raise Problem(404, "Not Found", str(exc)) from exc


def body_ref(text: str, field: str = "ref") -> ModificationRef:
    try:
        return ModificationRef.parse(text)
    except InvalidReference as exc:
        raise unprocessable(field, str(exc)) from exc


def unprocessable(field: str, message: str) -> Problem:
    return Problem(
        422,
        "Unprocessable Content",
        f"{field}: {message}",
        extensions={"errors": [{"location": [field], "message": message}]},
    )


def parse_status(text: str, field: str) -> Status:
    try:
        return Status.parse(text)
    except ValueError as exc:
        raise unprocessable(field, str(exc)) from exc


def illegal_transition_problem(exc: IllegalTransition) -> Problem:
    """Return the 409 for a forbidden move, naming the moves that are allowed."""
    return Problem(
        409,
        "Illegal transition",
        str(exc),
        extensions={
            "ref": exc.ref,
            "from": exc.from_status.value,
            "to": exc.to_status.value,
            "allowed": [status.value for status in exc.allowed],
        },
    )


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(request: web.Request, *, required: bool) -> int | None:
    """Return the version an If-Match names; 428 if required and absent, None for `*`."""
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise Problem(
                428,
                "Precondition Required",
                "Send If-Match with the ETag of the version you are changing.",
            )
        return None
    tag = header.strip()
    if tag == "*":
        return None
    tag = tag.removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise Problem(412, "Precondition Failed", f"If-Match {header!r} names no version.")
    return int(tag)


def not_modified(request: web.Request, version: int) -> bool:
    """Return whether If-None-Match already names this version (answer 304)."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag(version) in tags


def modification_query(request: web.Request, params: ModificationListQuery) -> ModificationQuery:
    """Turn validated query parameters into a repository query (422 on unknown values)."""
    path = None
    if params.path is not None:
        try:
            path = Path(params.path).value
        except ValueError:
            names = ", ".join(p.value for p in Path)
            raise unprocessable("path", f"{params.path!r} is not a path ({names})") from None
    return ModificationQuery(
        status=None if params.status is None else parse_status(params.status, "status").value,
        path=path,
        working_group=params.working_group,
        release=params.release,
        text=params.q,
        public_only=not sees_restricted(request),
        sort=params.sort,
        cursor=params.cursor,
        limit=params.limit,
    )
