"""Console screens of consultations: list, open, move the closing time, close."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from services.registry.console.forms import Form, Kind, blank, read
from services.registry.console.rendering import invalid, page, see_other
from services.registry.domain.errors import DomainError
from services.registry.domain.models import Consultation, ConsultationKind
from services.registry.service import proceedings as use_cases
from services.registry.service.context import NotFound
from services.registry.web.http import registry_of
from services.registry.web.schemas import ConsultationClose, ConsultationIn, ConsultationMove
from shared.auth import ROLE_SECRETARIAT
from shared.contracts.classification import Classification
from shared.errors import Problem
from shared.refs import InvalidReference, ModificationRef
from shared.staff.web import FORM, staff_page

OPEN: Final = {
    "title": Kind.TEXT,
    "kind": Kind.TEXT,
    "modification_ref": Kind.TEXT,
    "opens_at": Kind.LONDON_TIME,
    "closes_at": Kind.LONDON_TIME,
    "respond_to": Kind.TEXT,
    "classification": Kind.TEXT,
    "id": Kind.TEXT,
}
MOVE: Final = {"closes_at": Kind.LONDON_TIME}
CLOSE: Final = {"at": Kind.LONDON_TIME}
CHOICES: Final[dict[str, Any]] = {
    "kinds": [(k.value, k.label) for k in ConsultationKind],
    "marks": [(m.value, m.value.title()) for m in Classification],
}


def _url(request: web.Request, consultation_id: str = "") -> str:
    console = request.path.split("/consultations")[0]
    base = f"{console}/consultations"
    return f"{base}/{consultation_id}" if consultation_id else base


@staff_page(ROLE_SECRETARIAT)
async def list_page(request: web.Request) -> web.StreamResponse:
    consultations = await registry_of(request).repos.consultations.find(public_only=False)
    # The latest closing first: what staff work on is open now or closing soon.
    return page(request, "consultations.html", consultations=consultations[::-1])


@staff_page(ROLE_SECRETARIAT)
async def new_page(request: web.Request) -> web.StreamResponse:
    ref = request.query.get("modification_ref", "")[:12]
    form = blank(classification=Classification.WHITE, modification_ref=ref)
    return page(request, "consultation_new.html", form=form, **CHOICES)


@staff_page(ROLE_SECRETARIAT)
async def open_(request: web.Request) -> web.StreamResponse:
    form = read(request[FORM], OPEN, ConsultationIn)
    ref: ModificationRef | None = None
    if form.values["modification_ref"].strip():
        try:
            ref = ModificationRef.parse(form.values["modification_ref"])
        except InvalidReference as exc:
            form.fail("modification_ref", str(exc))
    if form.model is None:
        return invalid(request, "consultation_new.html", form, **CHOICES)
    payload = form.model
    try:
        consultation = await use_cases.open_consultation(
            registry_of(request),
            payload.title,
            payload.kind,
            payload.opens_at or registry_of(request).clock(),
            payload.closes_at,
            payload.respond_to,
            modification_ref=ref,
            classification=payload.classification,
            slug=payload.id,
        )
    except NotFound as exc:
        form.fail("modification_ref", str(exc))
        return invalid(request, "consultation_new.html", form, **CHOICES)
    except DomainError as exc:
        form.refused(exc, "id")
        return invalid(request, "consultation_new.html", form, **CHOICES)
    return see_other(_url(request, consultation.id))


async def _consultation(request: web.Request) -> Consultation:
    consultation_id = request.match_info["id"]
    found = await registry_of(request).repos.consultations.get(consultation_id)
    if found is None:
        raise Problem(404, "Not Found", f"No consultation {consultation_id!r}.")
    return found


def _detail(
    request: web.Request,
    consultation: Consultation,
    *,
    move: Form[Any] | None = None,
    close: Form[Any] | None = None,
) -> web.Response:
    failed = next((f for f in (move, close) if f is not None and f.errors), None)
    return page(
        request,
        "consultation.html",
        status=200 if failed is None else 422,
        consultation=consultation,
        form=failed or Form({}),
        move=move or blank("move-", closes_at=consultation.closes_at),
        close=close or blank("close-"),
    )


@staff_page(ROLE_SECRETARIAT)
async def detail_page(request: web.Request) -> web.StreamResponse:
    return _detail(request, await _consultation(request))


@staff_page(ROLE_SECRETARIAT)
async def move(request: web.Request) -> web.StreamResponse:
    consultation = await _consultation(request)
    form = read(request[FORM], MOVE, ConsultationMove, prefix="move-")
    if form.model is not None:
        try:
            await use_cases.move_consultation(
                registry_of(request), consultation.id, form.model.closes_at
            )
            return see_other(_url(request, consultation.id))
        except DomainError as exc:
            form.refused(exc, "closes_at")
    return _detail(request, consultation, move=form)


@staff_page(ROLE_SECRETARIAT)
async def close(request: web.Request) -> web.StreamResponse:
    consultation = await _consultation(request)
    form = read(request[FORM], CLOSE, ConsultationClose, prefix="close-")
    if form.model is not None:
        try:
            await use_cases.close_consultation(registry_of(request), consultation.id, form.model.at)
            return see_other(_url(request, consultation.id))
        except DomainError as exc:
            form.refused(exc, "at")
    return _detail(request, consultation, close=form)


def add_routes(app: web.Application, console: str) -> None:
    base = f"{console}/consultations"
    app.router.add_get(base, list_page)
    app.router.add_post(base, open_)
    app.router.add_get(f"{base}/new", new_page)
    app.router.add_get(f"{base}/{{id}}", detail_page)
    app.router.add_post(f"{base}/{{id}}/move", move)
    app.router.add_post(f"{base}/{{id}}/close", close)
