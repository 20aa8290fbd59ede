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
    allow_import,
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
from services.registry.web.responses import (
    DecisionList,
    DecisionOut,
    DecisionResult,
    HistoryList,
    ModificationOut,
    ModificationPage,
    TransitionResult,
)
from services.registry.web.schemas import (
    DecisionIn,
    ModificationIn,
    ModificationListQuery,
    ModificationPatch,
    Reclassification,
    TransitionIn,
)
from shared.auth import ROLE_SECRETARIAT
from shared.errors import Problem
from shared.openapi import (
    ETAG,
    IF_MATCH,
    IF_MATCH_REQUIRED,
    IF_NONE_MATCH,
    Operations,
    PathParam,
    Reply,
    publish,
)
from shared.refs import ModificationRef
from shared.web import json_response, read_model, read_query

API = "/api/v1/modifications"
MODIFICATIONS = Operations("modifications")
REF = {
    "ref": PathParam(
        "A modification reference: MP192, SECMP0021, MP085A, or a Draft Proposal DP197.", "MP192"
    )
}
STAFF = (ROLE_SECRETARIAT,)
NO_MODIFICATION = "No such modification, or one above White asked for without a token."
MOVED = "A Draft Proposal that became a Modification Proposal: Location names it (DP197 -> MP197)."
ONE = Reply("The modification.", ModificationOut, {**ETAG, "Location": "Its URL."})
IMPORT_ONLY_ADMINS = "occurred_at (importing history) is for admins only."


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


@MODIFICATIONS.add(
    "GET",
    API,
    summary="List the register, filtered and sorted",
    description="Without a token only White modifications are listed. `status` and `path` "
    "take names or labels; `q` searches references and titles; follow `next` for more.",
    query=ModificationListQuery,
    replies={200: Reply("A page of modifications.", ModificationPage, {"Link": "rel=next"})},
)
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


@MODIFICATIONS.add(
    "GET",
    f"{API}/{{ref}}",
    summary="Read one modification, with the statuses it may move to next",
    path_params=REF,
    headers=(IF_NONE_MATCH,),
    replies={
        200: ONE,
        304: Reply("If-None-Match names the current version.", headers=ETAG),
        308: Reply(MOVED, headers={"Location": "The modification it became."}),
    },
    problems={404: NO_MODIFICATION},
)
async def get_modification(request: web.Request) -> web.Response:
    mod = await visible_modification(request, path_ref(request))
    if not_modified(request, mod.version):
        return web.Response(status=304, headers={"ETag": etag(mod.version)})
    return _one(mod, request)


@MODIFICATIONS.add(
    "POST",
    API,
    summary="Raise a Draft Proposal or a Modification Proposal",
    body=ModificationIn,
    roles=STAFF,
    replies={201: Reply("The new modification.", ModificationOut, ONE.headers)},
    problems={
        403: IMPORT_ONLY_ADMINS,
        409: "The reference is taken (also as the MP a DP would become).",
        422: "A field the register does not accept (`errors` or the detail names it).",
    },
    example={
        "ref": "DP250",
        "title": "Clarify the timing of SMKI certificate renewals",
        "summary": "Raised by a Supplier Party.",
        "proposer": "Example Energy Ltd",
        "classification": "white",
    },
)
async def create_modification(request: web.Request) -> web.Response:
    payload = await read_model(request, ModificationIn)
    allow_import(request, payload.occurred_at)
    ref = body_ref(payload.ref)
    fields = payload.model_dump(exclude={"ref", "title", "occurred_at"}, exclude_none=True)
    mod = await use_cases.create_modification(
        registry_of(request), ref, payload.title, fields, payload.occurred_at
    )
    return _one(mod, request, status=201)


@MODIFICATIONS.add(
    "PATCH",
    f"{API}/{{ref}}",
    summary="Change some fields of a modification (classification included)",
    description="Send only the fields that change; null clears an optional one.",
    body=ModificationPatch,
    path_params=REF,
    headers=(IF_MATCH_REQUIRED,),
    roles=STAFF,
    replies={200: ONE, 308: Reply(MOVED, headers={"Location": "The modification it became."})},
    problems={
        404: NO_MODIFICATION,
        412: "If-Match names another version: read it again.",
        422: "A field the register does not accept.",
        428: "If-Match is missing.",
    },
    example={"working_group": "MP250 Working Group", "high_impact": True},
)
async def patch_modification(request: web.Request) -> web.Response:
    ref = path_ref(request)
    await visible_modification(request, ref)
    expected = if_match_version(request, required=True)
    payload = await read_model(request, ModificationPatch)
    # Only the fields sent change; an explicit null clears an optional field.
    fields = payload.model_dump(exclude_unset=True)
    mod = await use_cases.patch_modification(registry_of(request), ref, fields, expected)
    return _one(mod, request)


@MODIFICATIONS.add(
    "POST",
    f"{API}/{{ref}}/transitions",
    summary="Move a modification through the workflow, with a reason",
    description="`allowed_transitions` of the modification lists where it may go. Leaving "
    "the Development Stage turns a DP into the MP of the same number.",
    body=TransitionIn,
    path_params=REF,
    headers=(IF_MATCH,),
    roles=STAFF,
    replies={
        201: Reply(
            "The modification after the move and the history entry.",
            TransitionResult,
            {**ETAG, "Location": "The modification's URL."},
        ),
        308: Reply(MOVED, headers={"Location": "The modification it became."}),
    },
    problems={
        403: IMPORT_ONLY_ADMINS,
        404: NO_MODIFICATION,
        409: "The workflow forbids this move: `allowed` lists the moves it allows.",
        412: "If-Match names another version.",
        422: "`to` names no status, or occurred_at is in the future or too early.",
    },
    example={"to": "report-phase", "reason": "Panel agreed the Modification Report."},
)
async def post_transition(request: web.Request) -> web.Response:
    ref = path_ref(request)
    await visible_modification(request, ref)
    expected = if_match_version(request, required=False)
    payload = await read_model(request, TransitionIn)
    allow_import(request, payload.occurred_at)
    to = parse_status(payload.to, "to")
    try:
        mod, entry = await use_cases.transition_modification(
            registry_of(request),
            ref,
            to,
            actor_of(request),
            payload.reason,
            expected,
            payload.occurred_at,
        )
    except IllegalTransition as exc:
        raise illegal_transition_problem(exc) from exc
    body = {"modification": _view(mod, request), "history_entry": history_entry_view(entry)}
    headers = {"ETag": etag(mod.version), "Location": f"{API}/{mod.ref}"}
    return json_response(body, status=201, headers=headers)


@MODIFICATIONS.add(
    "GET",
    f"{API}/{{ref}}/history",
    summary="Every status move of a modification: who, when, from, to and why",
    path_params=REF,
    replies={
        200: Reply("The moves, oldest first.", HistoryList),
        308: Reply(MOVED, headers={"Location": "The modification it became."}),
    },
    problems={404: NO_MODIFICATION},
)
async def get_history(request: web.Request) -> web.Response:
    mod = await visible_modification(request, path_ref(request))
    registry = registry_of(request)
    # A converted DP's moves before conversion are stored under its DP reference.
    refs = [str(mod.ref), *(await registry.register.current()).aliases(str(mod.ref))]
    entries = await registry.repos.history.of(refs)
    return json_response({"ref": str(mod.ref), "items": [history_entry_view(e) for e in entries]})


def _decision_view(decision: Decision, register: Register) -> dict[str, Any]:
    return decision_snapshot(decision, decision_mark(register, decision))


@MODIFICATIONS.add(
    "GET",
    f"{API}/{{ref}}/decisions",
    summary="The Panel, Change Board and Authority decisions on a modification",
    path_params=REF,
    replies={
        200: Reply("The decisions the caller may see.", DecisionList),
        308: Reply(MOVED, headers={"Location": "The modification it became."}),
    },
    problems={404: NO_MODIFICATION},
)
async def list_decisions(request: web.Request) -> web.Response:
    mod = await visible_modification(request, path_ref(request))
    register = await registry_of(request).register.current()
    decisions = await registry_of(request).repos.decisions.of([str(mod.ref)])
    if not sees_restricted(request):
        decisions = [d for d in decisions if decision_mark(register, d).is_public]
    return json_response({"items": [_decision_view(d, register) for d in decisions]})


@MODIFICATIONS.add(
    "PATCH",
    f"{API}/{{ref}}/decisions/{{id}}",
    summary="Give a decision a new classification",
    body=Reclassification,
    path_params={
        **REF,
        "id": PathParam("A decision's id.", "mp192-change-board-2022-01-26"),
    },
    roles=STAFF,
    replies={
        200: Reply("The decision.", DecisionOut),
        308: Reply(MOVED, headers={"Location": "The modification it became."}),
    },
    problems={404: "No such modification or decision on it."},
    example={"classification": "green"},
)
async def reclassify_decision(request: web.Request) -> web.Response:
    ref = path_ref(request)
    await visible_modification(request, ref)
    payload = await read_model(request, Reclassification)
    decision = await use_cases.reclassify_decision(
        registry_of(request), ref, request.match_info["id"], payload.classification
    )
    return json_response(_decision_view(decision, await registry_of(request).register.current()))


@MODIFICATIONS.add(
    "POST",
    f"{API}/{{ref}}/decisions",
    summary="Record a decision; approve, reject and recommend move the modification too",
    body=DecisionIn,
    path_params=REF,
    headers=(IF_MATCH,),
    roles=STAFF,
    replies={
        201: Reply("The decision and the modification after it.", DecisionResult, ETAG),
        308: Reply(MOVED, headers={"Location": "The modification it became."}),
    },
    problems={
        403: IMPORT_ONLY_ADMINS,
        404: NO_MODIFICATION,
        409: "This body decided on this day already, or the workflow forbids the move.",
        412: "If-Match names another version.",
        422: "The body may not decide this on this path, or occurred_at does not fit.",
    },
    example={
        "body": "change_board",
        "outcome": "approve",
        "decided_on": "2027-01-27",
        "vote": "unanimous",
        "summary": "Approved for the June 2027 SEC Release.",
    },
)
async def post_decision(request: web.Request) -> web.Response:
    ref = path_ref(request)
    await visible_modification(request, ref)
    expected = if_match_version(request, required=False)
    payload = await read_model(request, DecisionIn)
    allow_import(request, payload.occurred_at)
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
            occurred_at=payload.occurred_at,
        )
    except IllegalTransition as exc:
        raise illegal_transition_problem(exc) from exc
    register = await registry_of(request).register.current()
    body = {"decision": _decision_view(decision, register), "modification": _view(mod, request)}
    return json_response(body, status=201, headers={"ETag": etag(mod.version)})


def add_routes(app: web.Application) -> None:
    publish(app, MODIFICATIONS)
