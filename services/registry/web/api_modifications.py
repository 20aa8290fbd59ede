"""JSON API of the register: list, read, create, patch, transitions, history, decisions."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.registry.domain.errors import IllegalTransition
from services.registry.domain.models import Decision, Modification
from services.registry.domain.snapshots import decision_snapshot
from services.registry.domain.views import history_entry_view, modification_view
from services.registry.service import modifications as use_cases
from services.registry.service.disclosure import decision_mark
from services.registry.service.register import Register
from services.registry.web.http import (
    actor_of,
    body_ref,
    etag,
    if_match_version,
    illegal_transition_problem,
    modification_query,
    not_modified,
    parse_status,
    path_ref,
    registry_of,
    sees_restricted,
)
from services.registry.web.schemas import (
    DecisionIn,
    ModificationIn,
    ModificationListQuery,
    ModificationPatch,
    Reclassification,
    TransitionIn,
)
from shared.auth import ROLE_SECRETARIAT, requires
from shared.errors import Problem
from shared.refs import ModificationRef
from shared.web import json_response, read_model, read_query

API = "/api/v1/modifications"


def _view(mod: Modification, request: web.Request) -> dict[str, Any]:
    base = registry_of(request).base_url.rstrip("/")
    return {**modification_view(mod), "url": f"{base}/modifications/{mod.ref}"}


def _one(mod: Modification, request: web.Request, status: int = 200) -> web.Response:
    headers = {"ETag": etag(mod.version), "Location": f"{API}/{mod.ref}"}
    return json_response(_view(mod, request), status=status, headers=headers)


async def visible_modification(request: web.Request, ref: ModificationRef) -> Modification:
    """Return the modification the caller may see; 308 from a converted DP's old reference."""
    register = await registry_of(request).register.current()
    mod = register.get(str(ref))
    if mod is None:
        moved_to = register.moved_to(str(ref))
        target = None if moved_to is None else register.get(moved_to)
        # Redirect only to what the caller may see: the 308 would name a restricted MP.
        if target is not None and (target.classification.is_public or sees_restricted(request)):
            # Same path with the new reference: DP197 -> MP197 (also for /history).
            location = request.path.replace(f"/{request.match_info['ref']}", f"/{moved_to}", 1)
            raise web.HTTPPermanentRedirect(location)
    if mod is None or (not mod.classification.is_public and not sees_restricted(request)):
        raise Problem(404, "Not Found", f"No modification {ref}.")
    return mod


async def list_modifications(request: web.Request) -> web.Response:
    params = read_query(request, ModificationListQuery)
    register = await registry_of(request).register.current()
    page = register.page(modification_query(request, params))
    body: dict[str, Any] = {
        "items": [_view(mod, request) for mod in page.items],
        "next_cursor": page.next_cursor,
        "limit": params.limit,
    }
    headers = {}
    if page.next_cursor is not None:
        query = {k: v for k, v in request.query.items() if k != "cursor"}
        next_url = request.rel_url.with_query({**query, "cursor": page.next_cursor})
        body["next"] = str(next_url)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return json_response(body, headers=headers)


async def get_modification(request: web.Request) -> web.Response:
    mod = await visible_modification(request, path_ref(request))
    if not_modified(request, mod.version):
        return web.Response(status=304, headers={"ETag": etag(mod.version)})
    return _one(mod, request)


@requires(ROLE_SECRETARIAT)
async def create_modification(request: web.Request) -> web.Response:
    payload = await read_model(request, ModificationIn)
    ref = body_ref(payload.ref)
    fields = payload.model_dump(exclude={"ref", "title"}, exclude_none=True)
    mod = await use_cases.create_modification(registry_of(request), ref, payload.title, fields)
    return _one(mod, request, status=201)


@requires(ROLE_SECRETARIAT)
async def patch_modification(request: web.Request) -> web.Response:
    ref = path_ref(request)
    await visible_modification(request, ref)
    expected = if_match_version(request, required=True)
    payload = await read_model(request, ModificationPatch)
    # Only the fields sent change; an explicit null clears an optional field.
    fields = payload.model_dump(exclude_unset=True)
    mod = await use_cases.patch_modification(registry_of(request), ref, fields, expected)
    return _one(mod, request)


@requires(ROLE_SECRETARIAT)
async def post_transition(request: web.Request) -> web.Response:
    ref = path_ref(request)
    await visible_modification(request, ref)
    expected = if_match_version(request, required=False)
    payload = await read_model(request, TransitionIn)
    to = parse_status(payload.to, "to")
    try:
        mod, entry = await use_cases.transition_modification(
            registry_of(request), ref, to, actor_of(request), payload.reason, expected
        )
    except IllegalTransition as exc:
        raise illegal_transition_problem(exc) from exc
    body = {"modification": _view(mod, request), "history_entry": history_entry_view(entry)}
    headers = {"ETag": etag(mod.version), "Location": f"{API}/{mod.ref}"}
    return json_response(body, status=201, headers=headers)


async def get_history(request: web.Request) -> web.Response:
    mod = await visible_modification(request, path_ref(request))
    registry = registry_of(request)
    # A converted DP's moves before conversion are stored under its DP reference.
    refs = [str(mod.ref), *(await registry.register.current()).aliases(str(mod.ref))]
    entries = await registry.repos.history.of(refs)
    return json_response({"ref": str(mod.ref), "items": [history_entry_view(e) for e in entries]})


def _decision_view(decision: Decision, register: Register) -> dict[str, Any]:
    return decision_snapshot(decision, decision_mark(register, decision))


async def list_decisions(request: web.Request) -> web.Response:
    mod = await visible_modification(request, path_ref(request))
    register = await registry_of(request).register.current()
    decisions = await registry_of(request).repos.decisions.of([str(mod.ref)])
    if not sees_restricted(request):
        decisions = [d for d in decisions if decision_mark(register, d).is_public]
    return json_response({"items": [_decision_view(d, register) for d in decisions]})


@requires(ROLE_SECRETARIAT)
async def reclassify_decision(request: web.Request) -> web.Response:
    ref = path_ref(request)
    await visible_modification(request, ref)
    payload = await read_model(request, Reclassification)
    decision = await use_cases.reclassify_decision(
        registry_of(request), ref, request.match_info["id"], payload.classification
    )
    return json_response(_decision_view(decision, await registry_of(request).register.current()))


@requires(ROLE_SECRETARIAT)
async def post_decision(request: web.Request) -> web.Response:
    ref = path_ref(request)
    await visible_modification(request, ref)
    expected = if_match_version(request, required=False)
    payload = await read_model(request, DecisionIn)
    try:
        decision, mod = await use_cases.record_decision(
            registry_of(request),
            ref,
            payload.body,
            payload.outcome,
            payload.decided_on,
            actor_of(request),
            classification=payload.classification,
            summary=payload.summary,
            vote=payload.vote,
            expected_version=expected,
        )
    except IllegalTransition as exc:
        raise illegal_transition_problem(exc) from exc
    register = await registry_of(request).register.current()
    body = {"decision": _decision_view(decision, register), "modification": _view(mod, request)}
    return json_response(body, status=201, headers={"ETag": etag(mod.version)})


def add_routes(app: web.Application) -> None:
    app.router.add_get(API, list_modifications)
    app.router.add_post(API, create_modification)
    app.router.add_get(f"{API}/{{ref}}", get_modification)
    app.router.add_patch(f"{API}/{{ref}}", patch_modification)
    app.router.add_post(f"{API}/{{ref}}/transitions", post_transition)
    app.router.add_get(f"{API}/{{ref}}/history", get_history)
    app.router.add_get(f"{API}/{{ref}}/decisions", list_decisions)
    app.router.add_post(f"{API}/{{ref}}/decisions", post_decision)
    app.router.add_patch(f"{API}/{{ref}}/decisions/{{id}}", reclassify_decision)
