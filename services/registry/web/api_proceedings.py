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
from services.registry.web.responses import (
    ConsultationList,
    ConsultationOut,
    ReleaseList,
    ReleaseOut,
)
from services.registry.web.schemas import (
    ConsultationClose,
    ConsultationIn,
    ConsultationMove,
    Reclassification,
    ReleaseIn,
    ReleasePublish,
)
from shared.auth import ROLE_SECRETARIAT
from shared.errors import Problem
from shared.openapi import ETAG, IF_MATCH, Operations, PathParam, Reply, publish
from shared.web import json_response, read_model

CONSULTATIONS = "/api/v1/consultations"
RELEASES = "/api/v1/releases"
CONSULTATION_OPERATIONS = Operations("consultations")
RELEASE_OPERATIONS = Operations("releases")
STAFF = (ROLE_SECRETARIAT,)
CONSULTATION = {"id": PathParam("A consultation's id.", "mp192-modification-report")}
RELEASE = {"id": PathParam("A release's id: 2027-06 (scheduled), 2027-03-04 (ad hoc).", "2020-11")}
NO_CONSULTATION = "No such consultation, or one above White asked for without a token."
LOCATED = {"Location": "Its URL."}


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


@CONSULTATION_OPERATIONS.add(
    "GET",
    CONSULTATIONS,
    summary="List consultations, open and closed",
    replies={200: Reply("The consultations the caller may see.", ConsultationList)},
)
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


@CONSULTATION_OPERATIONS.add(
    "GET",
    f"{CONSULTATIONS}/{{id}}",
    summary="Read one consultation",
    path_params=CONSULTATION,
    replies={200: Reply("The consultation.", ConsultationOut, LOCATED)},
    problems={404: NO_CONSULTATION},
)
async def get_consultation(request: web.Request) -> web.Response:
    return await _consultation(request, await visible_consultation(request))


@CONSULTATION_OPERATIONS.add(
    "PATCH",
    f"{CONSULTATIONS}/{{id}}",
    summary="Give a consultation a new classification",
    body=Reclassification,
    path_params=CONSULTATION,
    roles=STAFF,
    replies={200: Reply("The consultation.", ConsultationOut, LOCATED)},
    problems={404: NO_CONSULTATION},
    example={"classification": "white"},
)
async def reclassify_consultation(request: web.Request) -> web.Response:
    await visible_consultation(request)
    payload = await read_model(request, Reclassification)
    consultation = await use_cases.reclassify_consultation(
        registry_of(request), request.match_info["id"], payload.classification
    )
    return await _consultation(request, consultation)


@CONSULTATION_OPERATIONS.add(
    "POST",
    CONSULTATIONS,
    summary="Open a consultation, on a modification or standalone",
    description="`opens_at` defaults to now. The calendar shows its deadline and the "
    "notifier tells followers; both follow its classification.",
    body=ConsultationIn,
    roles=STAFF,
    replies={201: Reply("The consultation.", ConsultationOut, LOCATED)},
    problems={
        404: "modification_ref names no modification.",
        409: "A consultation with this id exists.",
        422: "A field the register does not accept (closes_at before opens_at...).",
    },
    example={
        "title": "MP250 Modification Report Consultation",
        "kind": "modification-report",
        "modification_ref": "MP192",
        "closes_at": "2027-02-12T17:00:00+00:00",
        "respond_to": "sec.change@gemserv.com",
    },
)
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


@CONSULTATION_OPERATIONS.add(
    "POST",
    f"{CONSULTATIONS}/{{id}}/move",
    summary="Move an open consultation's closing time",
    body=ConsultationMove,
    path_params=CONSULTATION,
    roles=STAFF,
    replies={200: Reply("The consultation.", ConsultationOut, LOCATED)},
    problems={
        404: NO_CONSULTATION,
        409: "The consultation is closed.",
        422: "closes_at is not after opens_at.",
    },
    example={"closes_at": "2027-02-19T17:00:00+00:00"},
)
async def move_consultation(request: web.Request) -> web.Response:
    await visible_consultation(request)
    payload = await read_model(request, ConsultationMove)
    consultation = await use_cases.move_consultation(
        registry_of(request), request.match_info["id"], payload.closes_at
    )
    return await _consultation(request, consultation)


@CONSULTATION_OPERATIONS.add(
    "POST",
    f"{CONSULTATIONS}/{{id}}/close",
    summary="Close an open consultation now (or at `at`)",
    body=ConsultationClose,
    path_params=CONSULTATION,
    roles=STAFF,
    replies={200: Reply("The consultation.", ConsultationOut, LOCATED)},
    problems={404: NO_CONSULTATION, 409: "The consultation is closed already."},
    example={},
)
async def close_consultation(request: web.Request) -> web.Response:
    await visible_consultation(request)
    payload = await read_model(request, ConsultationClose)
    consultation = await use_cases.close_consultation(
        registry_of(request), request.match_info["id"], payload.at
    )
    return await _consultation(request, consultation)


@RELEASE_OPERATIONS.add(
    "GET",
    RELEASES,
    summary="List SEC Releases, scheduled and ad hoc",
    replies={200: Reply("Every release.", ReleaseList)},
)
async def list_releases(request: web.Request) -> web.Response:
    registry = registry_of(request)
    releases = await registry.repos.releases.all()
    if not sees_restricted(request):
        register = await registry.register.current()
        releases = [public_release(register, r) for r in releases]
    return json_response({"items": [release_view(r, registry.base_url) for r in releases]})


@RELEASE_OPERATIONS.add(
    "GET",
    f"{RELEASES}/{{id}}",
    summary="Read one release with its document table",
    path_params=RELEASE,
    replies={200: Reply("The release.", ReleaseOut, {**ETAG, **LOCATED})},
    problems={404: "No such release."},
)
async def get_release(request: web.Request) -> web.Response:
    release_id = request.match_info["id"]
    release = await registry_of(request).repos.releases.get(release_id)
    if release is None:
        raise Problem(404, "Not Found", f"No release {release_id!r}.")
    return await _release(request, release)


@RELEASE_OPERATIONS.add(
    "POST",
    RELEASES,
    summary="Schedule a release",
    description="Without `id`, a scheduled release is named by its month (2027-06) and an "
    "ad hoc one by its day (2027-03-04, then 2027-03-04-2...).",
    body=ReleaseIn,
    roles=STAFF,
    replies={201: Reply("The release.", ReleaseOut, {**ETAG, **LOCATED})},
    problems={
        404: "modification_refs names a modification the register does not hold.",
        409: "A release with this id exists (a scheduled one for this month).",
        422: "A field the register does not accept.",
    },
    example={
        "effective_date": "2027-06-24",
        "kind": "scheduled",
        "modification_refs": ["MP192"],
        "documents": [{"document": "Section H", "sec_modification": True}],
    },
)
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


@RELEASE_OPERATIONS.add(
    "POST",
    f"{RELEASES}/{{id}}/publish",
    summary="Publish a planned release: in effect from now",
    body=ReleasePublish,
    path_params=RELEASE,
    headers=(IF_MATCH,),
    roles=STAFF,
    replies={200: Reply("The release.", ReleaseOut, {**ETAG, **LOCATED})},
    problems={
        404: "No such release.",
        409: "The release is published already.",
        412: "If-Match names another version.",
    },
    example={"sec_version": "7.3"},
)
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
    publish(app, CONSULTATION_OPERATIONS)
    publish(app, RELEASE_OPERATIONS)
