"""JSON API: list, create, read, patch (If-Match) and cancel calendar entries."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.calendar.adapters.repository import EventQuery
from services.calendar.domain.domain_events import event_shape
from services.calendar.domain.model import CalendarEvent, Recurrence
from services.calendar.service import commands
from services.calendar.service.context import EventNotFound
from services.calendar.web.keys import CONTEXT
from services.calendar.web.schemas import (
    CancelBody,
    EventCreate,
    EventFields,
    EventListQuery,
    parse_refs,
)
from shared.auth import PRINCIPAL_KEY, ROLE_SECRETARIAT, requires
from shared.contracts.classification import Classification
from shared.errors import Problem
from shared.web import json_response, read_model, read_query


def _sees_everything(request: web.Request) -> bool:
    # Any authenticated caller is staff or another service; the public sees White only.
    return request.get(PRINCIPAL_KEY) is not None


def _recurrence(recurrence: Recurrence | None) -> dict[str, Any] | None:
    if recurrence is None:
        return None
    return {
        "rule": recurrence.rule,
        "exdates": [d.isoformat() for d in recurrence.exdates],
        "overrides": [
            {
                "recurrence_id": o.recurrence_id.isoformat(),
                "starts_at": o.starts_at.isoformat(),
                "ends_at": o.ends_at.isoformat(),
                "title": o.title,
                "location": o.location,
                "description": o.description,
                "status": None if o.status is None else o.status.value,
            }
            for o in recurrence.overrides
        ],
    }


def event_json(event: CalendarEvent, base_url: str, *, everything: bool) -> dict[str, Any]:
    """Return the docs/events.md `event` shape plus what the API adds (version, agenda...)."""
    documents = [
        {"title": d.title, "url": d.url, "classification": d.classification.value}
        for d in event.documents
        if everything or d.classification is Classification.WHITE
    ]
    return {
        **event_shape(event, base_url),
        "version": event.version,
        "documents": documents,
        "agenda": [
            {"title": item.title, "modification_refs": [str(r) for r in item.modification_refs]}
            for item in event.agenda
        ],
        "related_refs": [str(r) for r in event.related_refs],
        "recurrence": _recurrence(event.recurrence),
        "cancelled_at": None if event.cancelled_at is None else event.cancelled_at.isoformat(),
        "cancel_reason": event.cancel_reason,
        "source": event.source,
        "created_at": event.created_at.isoformat(),
        "updated_at": event.updated_at.isoformat(),
    }


def _entity_response(request: web.Request, event: CalendarEvent, status: int = 200) -> web.Response:
    context = request.app[CONTEXT]
    body = event_json(event, context.base_url, everything=_sees_everything(request))
    headers = {"ETag": f'"{event.version}"', "Vary": "Authorization"}
    if status == 201:
        headers["Location"] = f"/api/v1/events/{event.id}"
    return json_response(body, status=status, headers=headers)


def _if_match(request: web.Request) -> int | None:
    """Return the version named by If-Match, None without one; 412 if it names none."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tag = header.strip()
    if len(tag) < 3 or not (tag.startswith('"') and tag.endswith('"')) or not tag[1:-1].isdigit():
        raise Problem(412, "Precondition Failed", f"If-Match {tag[:40]!r} names no version.")
    return int(tag[1:-1])


async def list_events(request: web.Request) -> web.Response:
    query = read_query(request, EventListQuery)
    context = request.app[CONTEXT]
    everything = _sees_everything(request)
    starts_from, starts_before = query.window()
    modification = None
    if query.modification is not None:
        modification = str(parse_refs([query.modification], field="modification")[0])
    found = await context.repository.find(
        EventQuery(
            starts_from=starts_from,
            starts_before=starts_before,
            committee=query.committee,
            type=None if query.type is None else query.type.value,
            modification=modification,
            classifications=None if everything else (Classification.WHITE.value,),
        ),
        offset=query.offset,
        # One more than asked tells whether there is a next page without counting.
        limit=query.limit + 1,
    )
    page = found[: query.limit]
    next_offset = query.offset + query.limit if len(found) > query.limit else None
    return json_response(
        {
            "items": [event_json(e, context.base_url, everything=everything) for e in page],
            "limit": query.limit,
            "offset": query.offset,
            "next_offset": next_offset,
        },
        headers={"Vary": "Authorization"},
    )


@requires(ROLE_SECRETARIAT)
async def create_event(request: web.Request) -> web.Response:
    body = await read_model(request, EventCreate)
    event = await commands.create(request.app[CONTEXT], body.draft())
    return _entity_response(request, event, status=201)


async def get_event(request: web.Request) -> web.Response:
    event = await commands.get(request.app[CONTEXT], request.match_info["id"])
    if not _sees_everything(request) and event.classification is not Classification.WHITE:
        raise EventNotFound("no such entry")
    return _entity_response(request, event)


@requires(ROLE_SECRETARIAT)
async def patch_event(request: web.Request) -> web.Response:
    expected = _if_match(request)
    if expected is None:
        raise Problem(
            428, "Precondition Required", 'Send If-Match with the ETag you read, e.g. "3".'
        )
    body = await read_model(request, EventFields)
    event = await commands.patch(
        request.app[CONTEXT], request.match_info["id"], body.changes(), expected
    )
    return _entity_response(request, event)


@requires(ROLE_SECRETARIAT)
async def cancel_event(request: web.Request) -> web.Response:
    expected = _if_match(request)
    body = await read_model(request, CancelBody)
    event = await commands.cancel_event(
        request.app[CONTEXT], request.match_info["id"], body.reason, expected
    )
    return _entity_response(request, event)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/events", list_events)
    app.router.add_post("/api/v1/events", create_event)
    app.router.add_get("/api/v1/events/{id}", get_event)
    app.router.add_patch("/api/v1/events/{id}", patch_event)
    app.router.add_post("/api/v1/events/{id}/cancel", cancel_event)
