"""Console screens of meetings and events: list, create, edit, move, cancel, papers, agenda.

The calendar owns its entries: every change is a call to its JSON API as the signed-in
person (calls.py). The calendar validates with its own request model and checks agenda
references against this registry; its 422 answers name the field, which the form shows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from services.registry.console.calls import CONSOLE_CALLS, show_refusal
from services.registry.console.forms import Form, shown
from services.registry.console.rendering import page, see_other
from shared.auth import ROLE_SECRETARIAT
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import COMMITTEES, LONDON_TZ, EventType
from shared.errors import Problem
from shared.http_client import ServiceResponse
from shared.staff.web import FORM, staff_page

FIELDS: Final = (
    "title",
    "type",
    "committee",
    "meeting_number",
    "starts_at",
    "ends_at",
    "location",
    "online_url",
    "description",
    "classification",
)
# Cleared with null on an edit when left empty; the others are left out when empty.
NULLABLE: Final = frozenset({"committee", "meeting_number", "location", "online_url"})
PAPER_ROWS: Final = 6
AGENDA_ROWS: Final = 8
# What the calendar's field names are called on the form.
ON_FORM: Final = {"documents": "papers", "timezone": "starts_at", "fold": "starts_at"}
CHOICES: Final[dict[str, Any]] = {
    "types": [(t.value, t.label) for t in EventType],
    "committees": [(c.slug, c.name) for c in COMMITTEES],
    "marks": [(m.value, m.value.title()) for m in Classification],
}
API: Final = "/api/v1/events"


def _rows(
    posted: MultiDictProxy[Any], name: str, count: int, columns: tuple[str, ...]
) -> list[dict[str, str]]:
    return [
        {column: str(posted.get(f"{name}-{i}-{column}", "")).strip() for column in columns}
        for i in range(count)
    ]


def _body(posted: MultiDictProxy[Any], *, editing: bool) -> tuple[dict[str, Any], Form[Any]]:
    """Return the calendar API body a form posted, and the form as typed (to show again)."""
    values = {name: str(posted.get(name, "")) for name in FIELDS}
    papers = _rows(posted, "papers", PAPER_ROWS, ("title", "url", "classification"))
    agenda = _rows(posted, "agenda", AGENDA_ROWS, ("title", "refs"))
    body: dict[str, Any] = {"timezone": LONDON_TZ}
    for name, raw in values.items():
        text = raw.strip() if name != "description" else raw
        if text:
            body[name] = text
        elif editing and name in NULLABLE:
            body[name] = None
        elif editing and name == "description":
            body[name] = ""
    body["documents"] = [
        {"title": p["title"], "url": p["url"] or None, "classification": p["classification"]}
        for p in papers
        if p["title"] or p["url"]
    ]
    body["agenda"] = [
        {"title": a["title"], "modification_refs": a["refs"].replace(",", " ").split()}
        for a in agenda
        if a["title"] or a["refs"]
    ]
    form: Form[Any] = Form({**values, "papers": "", "agenda": ""})
    return body, form


def _typed_rows(
    form_rows: list[dict[str, str]], count: int, columns: tuple[str, ...]
) -> list[dict[str, str]]:
    blank_row = dict.fromkeys(columns, "")
    return [*form_rows, *[dict(blank_row) for _ in range(count - len(form_rows))]][:count]


def _form_page(
    request: web.Request,
    form: Form[Any],
    posted: MultiDictProxy[Any] | None,
    *,
    event: dict[str, Any] | None = None,
    status: int = 200,
    move: Form[Any] | None = None,
    cancel: Form[Any] | None = None,
) -> web.Response:
    if posted is not None:
        papers = _rows(posted, "papers", PAPER_ROWS, ("title", "url", "classification"))
        agenda = _rows(posted, "agenda", AGENDA_ROWS, ("title", "refs"))
    elif event is not None:
        papers = [
            {"title": d["title"], "url": d["url"] or "", "classification": d["classification"]}
            for d in event["documents"]
        ]
        agenda = [
            {"title": a["title"], "refs": " ".join(a["modification_refs"])} for a in event["agenda"]
        ]
    else:
        papers, agenda = [], []
    return page(
        request,
        "meeting_form.html",
        status=status,
        form=form,
        event=event,
        papers=_typed_rows(papers, PAPER_ROWS, ("title", "url", "classification")),
        agenda=_typed_rows(agenda, AGENDA_ROWS, ("title", "refs")),
        move=move or Form({}, prefix="move-"),
        cancel=cancel or Form({}, prefix="cancel-"),
        problem_form=next((f for f in (move, cancel) if f is not None and f.errors), None),
        **CHOICES,
    )


def _local(instant: str | None) -> str:
    return "" if not instant else shown(datetime.fromisoformat(instant))


async def _event(request: web.Request) -> dict[str, Any]:
    calls = request.app[CONSOLE_CALLS]
    event_id = request.match_info["id"]
    answer = await calls.call(request, "calendar", "GET", f"{API}/{quote(event_id, safe='')}")
    if answer.status != 200:
        raise Problem(404, "Not Found", f"No calendar entry {event_id!r}.")
    event: dict[str, Any] = answer.json()
    return event


def _url(request: web.Request, event_id: str = "") -> str:
    console = request.path.split("/meetings")[0]
    return f"{console}/meetings/{quote(event_id, safe='')}" if event_id else f"{console}/meetings"


@staff_page(ROLE_SECRETARIAT)
async def list_page(request: web.Request) -> web.StreamResponse:
    since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    answer = await request.app[CONSOLE_CALLS].call(
        request, "calendar", "GET", f"{API}?from={since}&limit=200"
    )
    events = answer.json()["items"] if answer.status == 200 else []
    return page(request, "meetings.html", events=events)


@staff_page(ROLE_SECRETARIAT)
async def new_page(request: web.Request) -> web.StreamResponse:
    form: Form[Any] = Form({"type": "meeting", "classification": "white"})
    return _form_page(request, form, None)


@staff_page(ROLE_SECRETARIAT)
async def create(request: web.Request) -> web.StreamResponse:
    posted = request[FORM]
    body, form = _body(posted, editing=False)
    answer = await request.app[CONSOLE_CALLS].call(request, "calendar", "POST", API, json_body=body)
    if answer.status == 201:
        return see_other(_url(request, answer.json()["id"]))
    show_refusal(form, answer, ON_FORM)
    return _form_page(request, form, posted, status=422)


def _stored(event: dict[str, Any]) -> Form[Any]:
    values = {name: shown(event.get(name)) for name in FIELDS}
    values["starts_at"], values["ends_at"] = _local(event["starts_at"]), _local(event["ends_at"])
    return Form({**values, "papers": "", "agenda": ""})


@staff_page(ROLE_SECRETARIAT)
async def detail_page(request: web.Request) -> web.StreamResponse:
    event = await _event(request)
    return _form_page(request, _stored(event), None, event=event)


async def _patch(
    request: web.Request, event: dict[str, Any], body: dict[str, Any]
) -> ServiceResponse:
    version = str(request[FORM].get("version", event["version"]))
    return await request.app[CONSOLE_CALLS].call(
        request,
        "calendar",
        "PATCH",
        f"{API}/{quote(event['id'], safe='')}",
        json_body=body,
        headers={"If-Match": f'"{version}"' if version.isdigit() else '"0"'},
    )


@staff_page(ROLE_SECRETARIAT)
async def edit(request: web.Request) -> web.StreamResponse:
    event = await _event(request)
    posted = request[FORM]
    body, form = _body(posted, editing=True)
    answer = await _patch(request, event, body)
    if answer.status == 200:
        return see_other(_url(request, event["id"]))
    show_refusal(form, answer, ON_FORM)
    return _form_page(request, form, posted, event=event, status=422)


@staff_page(ROLE_SECRETARIAT)
async def move(request: web.Request) -> web.StreamResponse:
    event = await _event(request)
    posted = request[FORM]
    values = {name: str(posted.get(name, "")).strip() for name in ("starts_at", "ends_at")}
    body = {"timezone": LONDON_TZ, **{k: v for k, v in values.items() if v}}
    answer = await _patch(request, event, body)
    if answer.status == 200:
        return see_other(_url(request, event["id"]))
    form: Form[Any] = Form(values, prefix="move-")
    show_refusal(form, answer, ON_FORM)
    return _form_page(request, _stored(event), None, event=event, status=422, move=form)


@staff_page(ROLE_SECRETARIAT)
async def cancel(request: web.Request) -> web.StreamResponse:
    event = await _event(request)
    posted = request[FORM]
    form: Form[Any] = Form({"reason": str(posted.get("reason", ""))}, prefix="cancel-")
    version = str(posted.get("version", ""))
    answer = await request.app[CONSOLE_CALLS].call(
        request,
        "calendar",
        "POST",
        f"{API}/{quote(event['id'], safe='')}/cancel",
        json_body={"reason": form.values["reason"].strip()},
        headers={"If-Match": f'"{version}"'} if version.isdigit() else None,
    )
    if answer.status == 200:
        return see_other(_url(request, event["id"]))
    show_refusal(form, answer, ON_FORM)
    return _form_page(request, _stored(event), None, event=event, status=422, cancel=form)


def add_routes(app: web.Application, console: str) -> None:
    base = f"{console}/meetings"
    app.router.add_get(base, list_page)
    app.router.add_post(base, create)
    app.router.add_get(f"{base}/new", new_page)
    app.router.add_get(f"{base}/{{id}}", detail_page)
    app.router.add_post(f"{base}/{{id}}", edit)
    app.router.add_post(f"{base}/{{id}}/move", move)
    app.router.add_post(f"{base}/{{id}}/cancel", cancel)
