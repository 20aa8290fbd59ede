"""JSON API of consultations and releases."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from services.registry.domain.models import Consultation, DocumentChange, Release
from services.registry.domain.views import consultation_view, release_view
from services.registry.service import proceedings as use_cases
from services.registry.service.disclosure import consultation_mark, public_release
from services.registry.web.http import (
    body_ref,
    etag,
    if_match_version,
    registry_of,
    sees_restricted,
)
from services.registry.web.schemas import (
    ConsultationClose,
    ConsultationIn,
    ConsultationMove,
    Reclassification,
    ReleaseIn,
    ReleasePublish,
)
from shared.auth import ROLE_SECRETARIAT, requires
from shared.errors import Problem
from shared.web import json_response, read_model

CONSULTATIONS = "/api/v1/consultations"
RELEASES = "/api/v1/releases"


async def _consultation(
    request: web.Request, consultation: Consultation, status: int = 200
) -> web.Response:
    register = await registry_of(request).register.current()
    mark = consultation_mark(register, consultation)
    body = consultation_view(consultation, registry_of(request).base_url, mark)
    return json_response(
        body, status=status, headers={"Location": f"{CONSULTATIONS}/{consultation.id}"}
    )


async def _release(request: web.Request, release: Release, status: int = 200) -> web.Response:
    if not sees_restricted(request):
        release = public_release(await registry_of(request).register.current(), release)
    body = release_view(release, registry_of(request).base_url)
    headers = {"ETag": etag(release.version), "Location": f"{RELEASES}/{release.id}"}
    return json_response(body, status=status, headers=headers)


async def visible_consultation(request: web.Request) -> Consultation:
    consultation_id = request.match_info["id"]
    registry = registry_of(request)
    consultation = await registry.repos.consultations.get(consultation_id)
    if consultation is None or (
        not sees_restricted(request)
        and not consultation_mark(await registry.register.current(), consultation).is_public
    ):
        raise Problem(404, "Not Found", f"No consultation {consultation_id!r}.")
    return consultation


async def list_consultations(request: web.Request) -> web.Response:
    registry = registry_of(request)
    consultations = await registry.repos.consultations.find(
        public_only=not sees_restricted(request)
    )
    register = await registry.register.current()
    marked = [(c, consultation_mark(register, c)) for c in consultations]
    if not sees_restricted(request):
        marked = [(c, mark) for c, mark in marked if mark.is_public]
    base = registry.base_url
    return json_response({"items": [consultation_view(c, base, mark) for c, mark in marked]})


async def get_consultation(request: web.Request) -> web.Response:
    return await _consultation(request, await visible_consultation(request))


@requires(ROLE_SECRETARIAT)
async def reclassify_consultation(request: web.Request) -> web.Response:
    await visible_consultation(request)
    payload = await read_model(request, Reclassification)
    consultation = await use_cases.reclassify_consultation(
        registry_of(request), request.match_info["id"], payload.classification
    )
    return await _consultation(request, consultation)


@requires(ROLE_SECRETARIAT)
async def post_consultation(request: web.Request) -> web.Response:
    payload = await read_model(request, ConsultationIn)
    ref = None if payload.modification_ref is None else body_ref(payload.modification_ref)
    consultation = await use_cases.open_consultation(
        registry_of(request),
        payload.title,
        payload.kind,
        payload.opens_at or datetime.now(UTC),
        payload.closes_at,
        payload.respond_to,
        modification_ref=ref,
        classification=payload.classification,
        slug=payload.id,
    )
    return await _consultation(request, consultation, status=201)


@requires(ROLE_SECRETARIAT)
async def move_consultation(request: web.Request) -> web.Response:
    await visible_consultation(request)
    payload = await read_model(request, ConsultationMove)
    consultation = await use_cases.move_consultation(
        registry_of(request), request.match_info["id"], payload.closes_at
    )
    return await _consultation(request, consultation)


@requires(ROLE_SECRETARIAT)
async def close_consultation(request: web.Request) -> web.Response:
    await visible_consultation(request)
    payload = await read_model(request, ConsultationClose)
    consultation = await use_cases.close_consultation(
        registry_of(request), request.match_info["id"], payload.at
    )
    return await _consultation(request, consultation)


async def list_releases(request: web.Request) -> web.Response:
    registry = registry_of(request)
    releases = await registry.repos.releases.all()
    if not sees_restricted(request):
        register = await registry.register.current()
        releases = [public_release(register, r) for r in releases]
    return json_response({"items": [release_view(r, registry.base_url) for r in releases]})


async def get_release(request: web.Request) -> web.Response:
    release_id = request.match_info["id"]
    release = await registry_of(request).repos.releases.get(release_id)
    if release is None:
        raise Problem(404, "Not Found", f"No release {release_id!r}.")
    return await _release(request, release)


@requires(ROLE_SECRETARIAT)
async def post_release(request: web.Request) -> web.Response:
    payload = await read_model(request, ReleaseIn)
    refs = [body_ref(ref, "modification_refs") for ref in payload.modification_refs]
    release = await use_cases.schedule_release(
        registry_of(request),
        payload.effective_date,
        payload.kind,
        release_id=payload.id,
        name=payload.name,
        sec_version=payload.sec_version,
        modification_refs=refs,
        documents=[DocumentChange(**row.model_dump()) for row in payload.documents],
        summary=payload.summary,
    )
    return await _release(request, release, status=201)


@requires(ROLE_SECRETARIAT)
async def publish_release(request: web.Request) -> web.Response:
    expected = if_match_version(request, required=False)
    payload = await read_model(request, ReleasePublish)
    release = await use_cases.publish_release(
        registry_of(request),
        request.match_info["id"],
        sec_version=payload.sec_version,
        expected_version=expected,
    )
    return await _release(request, release)


def add_routes(app: web.Application) -> None:
    app.router.add_get(CONSULTATIONS, list_consultations)
    app.router.add_post(CONSULTATIONS, post_consultation)
    app.router.add_get(f"{CONSULTATIONS}/{{id}}", get_consultation)
    app.router.add_patch(f"{CONSULTATIONS}/{{id}}", reclassify_consultation)
    app.router.add_post(f"{CONSULTATIONS}/{{id}}/move", move_consultation)
    app.router.add_post(f"{CONSULTATIONS}/{{id}}/close", close_consultation)
    app.router.add_get(RELEASES, list_releases)
    app.router.add_post(RELEASES, post_release)
    app.router.add_get(f"{RELEASES}/{{id}}", get_release)
    app.router.add_post(f"{RELEASES}/{{id}}/publish", publish_release)
