"""JSON API: list, create, read, patch (If-Match) and cancel entries; committees and types."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.calendar.adapters.repository import EventQuery
from services.calendar.domain.domain_events import event_shape
from services.calendar.domain.model import CalendarEvent, Recurrence
from services.calendar.service import commands
from services.calendar.service.context import EventNotFound
from services.calendar.web.keys import CONTEXT
from services.calendar.web.responses import CommitteeList, EventOut, EventPage, EventTypeList
from services.calendar.web.schemas import (
    CancelBody,
    EventCreate,
    EventFields,
    EventListQuery,
    parse_refs,
)
from shared.auth import PRINCIPAL_KEY, ROLE_SECRETARIAT
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import COMMITTEES, EventType
from shared.errors import Problem
from shared.openapi import (
    ETAG,
    IF_MATCH,
    IF_MATCH_REQUIRED,
    Operations,
    PathParam,
    Reply,
    publish,
)
from shared.web import json_response, read_model, read_query

EVENTS = Operations("events")
VOCABULARY = Operations("vocabulary")
ENTRY = {"id": PathParam("An entry's id, e.g. evt-… or panel-112.", "panel-112")}
ENTRY_REPLY = Reply("The entry.", EventOut, {**ETAG, "Vary": "Authorization"})
INVALID_ENTRY = (
    "A field the entry cannot hold (`field` names it): an unknown committee, a time in "
    "the hour the clocks skip (`nearest_valid`) or repeat without `fold` (`instants`), an "
    "end before the start, an agenda naming a modification the registry does not know "
    "(`unknown_refs`)."
)
REGISTRY_DOWN = "The registry did not answer, so the agenda could not be checked (Retry-After)."
EXAMPLE_MEETING = {
    "title": "SEC Panel meeting 112",
    "type": "meeting",
    "committee": "panel",
    "starts_at": "2027-03-26T10:00:00",
    "ends_at": "2027-03-26T13:00:00",
    "timezone": "Europe/London",
    "meeting_number": "112",
    "location": "Gemserv, 8 Fenchurch Place, London",
    "agenda": [{"title": "MP192 Final Modification Report", "modification_refs": ["MP192"]}],
    "documents": [{"title": "Panel papers", "classification": "green"}],
}


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


@EVENTS.add(
    "GET",
    "/api/v1/events",
    summary="List calendar entries, soonest first",
    description="Without a token only White entries are listed. `from` and `to` are "
    "days in Europe/London, `to` inclusive; `committee` and `type` accept aliases.",
    query=EventListQuery,
    replies={200: Reply("A page of entries; `next_offset` fetches the next.", EventPage)},
)
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


@EVENTS.add(
    "POST",
    "/api/v1/events",
    summary="Create an entry (meeting, webinar, deadline...)",
    description="Times are instants with an offset, local wall times read in `timezone` "
    "(Europe/London unless given) or, for all-day entries, dates (`ends_at` the last day). "
    "Agenda references are checked with the registry.",
    body=EventCreate,
    roles=(ROLE_SECRETARIAT,),
    replies={201: Reply("The entry as stored.", EventOut, {**ETAG, "Location": "Its URL."})},
    problems={409: "An entry with this id exists.", 422: INVALID_ENTRY, 503: REGISTRY_DOWN},
    example=EXAMPLE_MEETING,
)
async def create_event(request: web.Request) -> web.Response:
    body = await read_model(request, EventCreate)
    event = await commands.create(request.app[CONTEXT], body.draft())
    return _entity_response(request, event, status=201)


@EVENTS.add(
    "GET",
    "/api/v1/events/{id}",
    summary="Read one entry",
    path_params=ENTRY,
    replies={200: ENTRY_REPLY},
    problems={404: "No such entry, or one above White asked for without a token."},
)
async def get_event(request: web.Request) -> web.Response:
    event = await commands.get(request.app[CONTEXT], request.match_info["id"])
    if not _sees_everything(request) and event.classification is not Classification.WHITE:
        raise EventNotFound("no such entry")
    return _entity_response(request, event)


@EVENTS.add(
    "PATCH",
    "/api/v1/events/{id}",
    summary="Change some fields of an entry",
    description="Send only the fields that change; null clears an optional one. Local "
    "times are read in the body's `timezone`, else in the entry's.",
    body=EventFields,
    path_params=ENTRY,
    headers=(IF_MATCH_REQUIRED,),
    roles=(ROLE_SECRETARIAT,),
    replies={200: ENTRY_REPLY},
    problems={
        404: "No such entry.",
        412: "If-Match names another version: read the entry again.",
        422: f"{INVALID_ENTRY} Or: the entry follows the registry and changes only with it.",
        428: "If-Match is missing.",
        503: REGISTRY_DOWN,
    },
    example={"starts_at": "2027-03-26T11:00:00", "ends_at": "2027-03-26T14:00:00"},
)
async def patch_event(request: web.Request) -> web.Response:
    expected = _if_match(request)
    if expected is None:
        raise Problem(
            428, "Precondition Required", 'Send If-Match with the ETag you read, e.g. "3".'
        )
    body = await read_model(request, EventFields)
    context = request.app[CONTEXT]
    event_id = request.match_info["id"]
    # Local times without a zone are read in the entry's own.
    zone = (await commands.get(context, event_id)).timezone if body.needs_timezone() else ""
    event = await commands.patch(context, event_id, body.changes(zone), expected)
    return _entity_response(request, event)


@EVENTS.add(
    "POST",
    "/api/v1/events/{id}/cancel",
    summary="Cancel an entry (it stays in feeds as cancelled for 90 days)",
    body=CancelBody,
    path_params=ENTRY,
    headers=(IF_MATCH,),
    roles=(ROLE_SECRETARIAT,),
    replies={200: ENTRY_REPLY},
    problems={
        404: "No such entry.",
        412: "If-Match names another version.",
        422: "The entry follows the registry and changes only with it.",
    },
    example={"reason": "Postponed: the Panel meets on 2 April instead."},
)
async def cancel_event(request: web.Request) -> web.Response:
    expected = _if_match(request)
    body = await read_model(request, CancelBody)
    event = await commands.cancel_event(
        request.app[CONTEXT], request.match_info["id"], body.reason, expected
    )
    return _entity_response(request, event)


@VOCABULARY.add(
    "GET",
    "/api/v1/committees",
    summary="List the committees: slugs, names and the aliases accepted for them",
    replies={200: Reply("Every committee, with its feed.", CommitteeList)},
)
async def list_committees(request: web.Request) -> web.Response:
    base = request.app[CONTEXT].base_url.rstrip("/")
    items = [
        {
            "slug": c.slug,
            "name": c.name,
            "short_name": c.short_name,
            "aliases": list(c.aliases),
            "feed_url": f"{base}/feeds/committees/{c.slug}.ics",
        }
        for c in COMMITTEES
    ]
    return json_response({"items": items})


@VOCABULARY.add(
    "GET",
    "/api/v1/event-types",
    summary="List the entry types: slugs, names and the aliases accepted for them",
    replies={200: Reply("Every entry type, with its feed.", EventTypeList)},
)
async def list_event_types(request: web.Request) -> web.Response:
    base = request.app[CONTEXT].base_url.rstrip("/")
    items = [
        {
            "slug": t.value,
            "name": t.label,
            "aliases": list(t.aliases),
            "feed_url": f"{base}/feeds/types/{t.value}.ics",
        }
        for t in EventType
    ]
    return json_response({"items": items})


def add_routes(app: web.Application) -> None:
    publish(app, EVENTS)
    publish(app, VOCABULARY)
