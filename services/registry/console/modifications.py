"""Console screens of the register: list, raise, edit, move through the workflow, decide."""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from aiohttp import web
from pydantic import ValidationError

from services.registry.console.forms import Form, Kind, blank, read
from services.registry.console.rendering import invalid, page, see_other
from services.registry.domain.errors import DomainError, IllegalTransition
from services.registry.domain.models import DecisionBody, Modification, Outcome, Vote
from services.registry.domain.workflow import allowed_transitions
from services.registry.service import modifications as use_cases
from services.registry.service.register import ModificationQuery
from services.registry.web.api_modifications import visible_modification
from services.registry.web.http import actor_of, path_ref, registry_of
from services.registry.web.schemas import (
    DecisionIn,
    ModificationIn,
    ModificationListQuery,
    ModificationPatch,
    TransitionIn,
)
from shared.auth import ROLE_SECRETARIAT
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path, Status
from shared.refs import InvalidReference, ModificationRef
from shared.staff.web import FORM, staff_page

EDITABLE: Final = {
    "title": Kind.PLAIN,
    "summary": Kind.PLAIN,
    "proposer": Kind.OPTIONAL,
    "path": Kind.OPTIONAL,
    "working_group": Kind.OPTIONAL,
    "high_impact": Kind.FLAG,
    "affected_documents": Kind.LINES,
    "linked_irps": Kind.LINES,
    "target_release": Kind.OPTIONAL,
    "classification": Kind.TEXT,
}
NEW: Final = {"ref": Kind.TEXT, **EDITABLE, "title": Kind.TEXT}
MOVE: Final = {"to": Kind.TEXT, "reason": Kind.TEXT}
DECISION: Final = {
    "body": Kind.TEXT,
    "outcome": Kind.TEXT,
    "decided_on": Kind.TEXT,
    "vote": Kind.OPTIONAL,
    "summary": Kind.PLAIN,
    "classification": Kind.TEXT,
}
CHOICES: Final[dict[str, Any]] = {
    "paths": [(p.value, p.label) for p in Path],
    "marks": [(m.value, m.value.title()) for m in Classification],
    "bodies": [(b.value, b.value.replace("_", " ").title()) for b in DecisionBody],
    "outcomes": [(o.value, o.value.replace("_", " ")) for o in Outcome],
    "votes": [(v.value, v.value.title()) for v in Vote],
}


def _url(request: web.Request, ref: object = "") -> str:
    console = request.path.split("/modifications")[0]
    return f"{console}/modifications/{ref}" if ref else f"{console}/modifications"


@staff_page(ROLE_SECRETARIAT)
async def list_page(request: web.Request) -> web.StreamResponse:
    """Every modification, whatever its mark, newest change first; search and status filter."""
    try:
        params = ModificationListQuery.model_validate(
            {k: v for k, v in request.query.items() if k in ("q", "status", "cursor") and v}
        )
    except ValidationError:
        params = ModificationListQuery()
    status = next((s.value for s in Status if s.value == params.status), None)
    query = ModificationQuery(
        status=status, text=params.q, public_only=False, sort="-updated_at", cursor=params.cursor
    )
    register = await registry_of(request).register.current()
    try:
        found = register.page(query)
    except DomainError:  # a cursor that is not one: the first page
        found = register.page(dataclasses.replace(query, cursor=None))
    return page(
        request,
        "modifications.html",
        found=found,
        q=params.q or "",
        chosen=status or "",
        statuses=[(s.value, s.label) for s in Status],
    )


@staff_page(ROLE_SECRETARIAT)
async def new_page(request: web.Request) -> web.StreamResponse:
    form = blank(classification=Classification.WHITE)
    return page(request, "modification_new.html", form=form, **CHOICES)


@staff_page(ROLE_SECRETARIAT)
async def create(request: web.Request) -> web.StreamResponse:
    form = read(request[FORM], NEW, ModificationIn)
    ref: ModificationRef | None = None
    try:
        ref = ModificationRef.parse(form.values["ref"])
    except InvalidReference as exc:
        form.fail("ref", str(exc))
    if form.model is None or ref is None:
        return invalid(request, "modification_new.html", form, **CHOICES)
    fields = form.model.model_dump(exclude={"ref", "title"}, exclude_none=True)
    try:
        mod = await use_cases.create_modification(
            registry_of(request), ref, form.model.title, fields
        )
    except DomainError as exc:
        form.refused(exc, "ref")
        return invalid(request, "modification_new.html", form, **CHOICES)
    return see_other(_url(request, mod.ref))


async def _detail(
    request: web.Request,
    mod: Modification,
    *,
    edit: Form[Any] | None = None,
    move: Form[Any] | None = None,
    decision: Form[Any] | None = None,
) -> web.Response:
    registry = registry_of(request)
    register = await registry.register.current()
    refs = [str(mod.ref), *register.aliases(str(mod.ref))]
    failed = next((f for f in (edit, move, decision) if f is not None and f.errors), None)
    editable = {name: getattr(mod, name) for name in EDITABLE}
    return page(
        request,
        "modification.html",
        status=200 if failed is None else 422,
        mod=mod,
        allowed=[(s.value, s.label) for s in allowed_transitions(mod)],
        # Newest first: staff come to see the latest move and who made it.
        history=list(reversed(await registry.repos.history.of(refs))),
        consultations=await registry.repos.consultations.find(modification_refs=refs),
        decisions=await registry.repos.decisions.of(refs),
        form=failed or Form({}),
        edit=edit or blank("edit-", **editable),
        move=move or blank("move-"),
        decision=decision or blank("decision-", classification=mod.classification),
        **CHOICES,
    )


@staff_page(ROLE_SECRETARIAT)
async def detail_page(request: web.Request) -> web.StreamResponse:
    return await _detail(request, await visible_modification(request, path_ref(request)))


def _version(request: web.Request) -> int | None:
    text = str(request[FORM].get("version", ""))
    return int(text) if text.isdigit() and len(text) < 10 else None


@staff_page(ROLE_SECRETARIAT)
async def edit(request: web.Request) -> web.StreamResponse:
    mod = await visible_modification(request, path_ref(request))
    form = read(request[FORM], EDITABLE, ModificationPatch, prefix="edit-")
    if form.model is not None:
        try:
            mod = await use_cases.patch_modification(
                registry_of(request),
                mod.ref,
                form.model.model_dump(exclude_unset=True),
                _version(request),
            )
            return see_other(_url(request, mod.ref))
        except DomainError as exc:
            form.refused(exc)
    return await _detail(request, mod, edit=form)


@staff_page(ROLE_SECRETARIAT)
async def move(request: web.Request) -> web.StreamResponse:
    mod = await visible_modification(request, path_ref(request))
    form = read(request[FORM], MOVE, TransitionIn, prefix="move-")
    to: Status | None = None
    if form.model is not None:
        try:
            to = Status.parse(form.model.to)
        except ValueError as exc:
            form.fail("to", str(exc))
    if form.model is not None and to is not None:
        try:
            mod, _ = await use_cases.transition_modification(
                registry_of(request),
                mod.ref,
                to,
                actor_of(request),
                form.model.reason,
                _version(request),
            )
            return see_other(_url(request, mod.ref))
        except IllegalTransition as exc:
            form.fail("to", str(exc))
        except DomainError as exc:
            form.refused(exc)
    return await _detail(request, mod, move=form)


@staff_page(ROLE_SECRETARIAT)
async def decide(request: web.Request) -> web.StreamResponse:
    mod = await visible_modification(request, path_ref(request))
    form = read(request[FORM], DECISION, DecisionIn, prefix="decision-")
    if form.model is not None:
        payload = form.model
        try:
            _, mod = await use_cases.record_decision(
                registry_of(request),
                mod.ref,
                payload.body,
                payload.outcome,
                payload.decided_on,
                actor_of(request),
                classification=payload.classification,
                summary=payload.summary,
                vote=payload.vote,
                expected_version=_version(request),
            )
            return see_other(_url(request, mod.ref))
        except DomainError as exc:
            form.refused(exc, "outcome")
    return await _detail(request, mod, decision=form)


def add_routes(app: web.Application, console: str) -> None:
    base = f"{console}/modifications"
    app.router.add_get(base, list_page)
    app.router.add_post(base, create)
    app.router.add_get(f"{base}/new", new_page)
    app.router.add_get(f"{base}/{{ref}}", detail_page)
    app.router.add_post(f"{base}/{{ref}}", edit)
    app.router.add_post(f"{base}/{{ref}}/transitions", move)
    app.router.add_post(f"{base}/{{ref}}/decisions", decide)
