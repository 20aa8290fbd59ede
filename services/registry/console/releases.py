"""Console screens of SEC Releases: list, schedule with a document table, publish."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web
from multidict import MultiDictProxy

from services.registry.console.forms import Form, Kind, blank, read
from services.registry.console.rendering import invalid, page, see_other
from services.registry.domain.errors import DomainError
from services.registry.domain.models import DocumentChange, Release, ReleaseKind
from services.registry.service import proceedings as use_cases
from services.registry.service.context import NotFound
from services.registry.web.http import registry_of
from services.registry.web.schemas import ReleaseIn, ReleasePublish
from shared.auth import ROLE_SECRETARIAT
from shared.errors import Problem
from shared.refs import InvalidReference, ModificationRef
from shared.staff.web import FORM, staff_page

SCHEDULE: Final = {
    "effective_date": Kind.TEXT,
    "kind": Kind.TEXT,
    "id": Kind.TEXT,
    "name": Kind.TEXT,
    "sec_version": Kind.TEXT,
    "modification_refs": Kind.LINES,
    "summary": Kind.PLAIN,
}
PUBLISH: Final = {"sec_version": Kind.TEXT}
DOCUMENT_ROWS: Final = 8  # rows the schedule form offers for the document table
COLUMNS: Final = ("available_on_codeworks", "sec_modification", "beis_designation")
ANSWERS: Final = {"yes": True, "no": False}


def _url(request: web.Request, release_id: str = "") -> str:
    console = request.path.split("/releases")[0]
    return f"{console}/releases/{release_id}" if release_id else f"{console}/releases"


def _documents(posted: MultiDictProxy[Any]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Return the document table's rows as the API takes them, and as typed."""
    rows, typed = [], []
    for index in range(DOCUMENT_ROWS):
        values = {
            name: str(posted.get(f"documents-{index}-{name}", ""))
            for name in ("document", *COLUMNS)
        }
        typed.append(values)
        if values["document"].strip():
            rows.append(
                {
                    "document": values["document"].strip(),
                    **{name: ANSWERS.get(values[name]) for name in COLUMNS},
                }
            )
    return rows, typed


def _new(request: web.Request, form: Form[Any], typed: list[dict[str, str]]) -> web.Response:
    return invalid(
        request,
        "release_new.html",
        form,
        kinds=[(k.value, k.value) for k in ReleaseKind],
        rows=typed,
    )


@staff_page(ROLE_SECRETARIAT)
async def list_page(request: web.Request) -> web.StreamResponse:
    return page(request, "releases.html", releases=await registry_of(request).repos.releases.all())


@staff_page(ROLE_SECRETARIAT)
async def new_page(request: web.Request) -> web.StreamResponse:
    return page(
        request,
        "release_new.html",
        form=blank(kind=ReleaseKind.SCHEDULED),
        kinds=[(k.value, k.value) for k in ReleaseKind],
        rows=[dict.fromkeys(("document", *COLUMNS), "") for _ in range(DOCUMENT_ROWS)],
    )


@staff_page(ROLE_SECRETARIAT)
async def schedule(request: web.Request) -> web.StreamResponse:
    posted = request[FORM]
    documents, typed = _documents(posted)
    form = read(posted, SCHEDULE, ReleaseIn, documents=documents)
    refs: list[ModificationRef] = []
    for text in form.model.modification_refs if form.model is not None else []:
        try:
            refs.append(ModificationRef.parse(text))
        except InvalidReference as exc:
            form.fail("modification_refs", str(exc))
    if form.model is None:
        return _new(request, form, typed)
    payload = form.model
    try:
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
    except NotFound as exc:
        form.fail("modification_refs", str(exc))
        return _new(request, form, typed)
    except DomainError as exc:
        form.refused(exc, "id")
        return _new(request, form, typed)
    return see_other(_url(request, release.id))


async def _release(request: web.Request) -> Release:
    release_id = request.match_info["id"]
    found = await registry_of(request).repos.releases.get(release_id)
    if found is None:
        raise Problem(404, "Not Found", f"No release {release_id!r}.")
    return found


def _detail(
    request: web.Request, release: Release, publish: Form[Any] | None = None
) -> web.Response:
    failed = publish is not None and bool(publish.errors)
    return page(
        request,
        "release.html",
        status=422 if failed else 200,
        release=release,
        form=publish if publish is not None and failed else Form({}),
        publish=publish or blank("publish-", sec_version=release.sec_version),
    )


@staff_page(ROLE_SECRETARIAT)
async def detail_page(request: web.Request) -> web.StreamResponse:
    return _detail(request, await _release(request))


@staff_page(ROLE_SECRETARIAT)
async def publish(request: web.Request) -> web.StreamResponse:
    release = await _release(request)
    form = read(request[FORM], PUBLISH, ReleasePublish, prefix="publish-")
    text = str(request[FORM].get("version", ""))
    expected = int(text) if text.isdigit() and len(text) < 10 else None
    if form.model is not None:
        try:
            await use_cases.publish_release(
                registry_of(request),
                release.id,
                sec_version=form.model.sec_version,
                expected_version=expected,
            )
            return see_other(_url(request, release.id))
        except DomainError as exc:
            form.refused(exc, "sec_version")
    return _detail(request, release, form)


def add_routes(app: web.Application, console: str) -> None:
    base = f"{console}/releases"
    app.router.add_get(base, list_page)
    app.router.add_post(base, schedule)
    app.router.add_get(f"{base}/new", new_page)
    app.router.add_get(f"{base}/{{id}}", detail_page)
    app.router.add_post(f"{base}/{{id}}/publish", publish)
