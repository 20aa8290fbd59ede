"""Server-rendered calendar pages in the shared look: upcoming and recent entries, one entry.

Public pages show White entries only; papers above White only to an authenticated caller
(staff or a service), as the API does: the public never learns they exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.calendar.domain.model import CalendarEvent
from services.calendar.domain.rendering import type_label
from services.calendar.service import commands
from services.calendar.service.context import EventNotFound
from services.calendar.web.calendar_links import google_calendar_url, outlook_url
from services.calendar.web.keys import CONTEXT, FEEDS
from shared.auth import PRINCIPAL_KEY
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import COMMITTEES, COMMITTEES_BY_SLUG, EventType
from shared.settings import ServiceSettings
from shared.web_templates import install_look, page_environment, read_page_query, render_page

TEMPLATES = Path(__file__).resolve().parent / "templates"
# How many past entries the calendar shows under "Recently", newest first.
RECENT = 8

environment = page_environment(TEMPLATES)
environment.globals.update(type_label=type_label)


class PageQuery(BaseModel):
    """Filters of the calendar page; other parameters are ignored, a bad value is a 400."""

    model_config = ConfigDict(frozen=True)

    committee: str = Field("", max_length=64)
    type: str = Field("", max_length=32)
    when: Literal["upcoming", "past"] = "upcoming"

    @field_validator("committee")
    @classmethod
    def _known_committee(cls, value: str) -> str:
        if value and value not in COMMITTEES_BY_SLUG:
            raise ValueError("not a committee of the calendar")
        return value

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value and value not in set(EventType):
            raise ValueError("not a type of entry of the calendar")
        return value


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscribable feed as the page offers it."""

    id: str
    title: str
    url: str


def render(request: web.Request, name: str, **context: Any) -> web.Response:
    return render_page(request, environment, name, section="calendar", **context)


def _when(event: CalendarEvent) -> dict[str, str]:
    start, end = event.local_start, event.local_end
    day = f"{start:%a} {start.day} {start:%B}"
    return {"date": day, "time": "All day" if event.all_day else f"{start:%H:%M}\u2013{end:%H:%M}"}


def _feeds(base_url: str, query: PageQuery) -> list[Feed]:
    base = base_url.rstrip("/")
    feeds = [Feed("feed-all", "All meetings, events and deadlines", f"{base}/feeds/all.ics")]
    if query.committee:
        name = COMMITTEES_BY_SLUG[query.committee].name
        feeds.append(Feed("feed-committee", name, f"{base}/feeds/committees/{query.committee}.ics"))
    if query.type:
        label = type_label(EventType(query.type))
        feeds.append(Feed("feed-type", f"{label}s", f"{base}/feeds/types/{query.type}.ics"))
    return feeds


def _by_month(events: list[CalendarEvent]) -> list[tuple[str, list[tuple[CalendarEvent, Any]]]]:
    return [
        (month, [(event, _when(event)) for event in group])
        for month, group in groupby(events, key=lambda e: f"{e.local_start:%B %Y}")
    ]


def _chosen(events: list[CalendarEvent], query: PageQuery) -> list[CalendarEvent]:
    return [
        e
        for e in events
        if e.classification is Classification.WHITE
        and (not query.committee or e.committee == query.committee)
        and (not query.type or e.type.value == query.type)
    ]


async def calendar_page(request: web.Request) -> web.Response:
    """Upcoming entries by month, like the newsletters' Key Meeting Dates, then recent ones."""
    query = read_page_query(request, PageQuery)
    context = request.app[CONTEXT]
    snapshot = await request.app[FEEDS].snapshot()
    now: datetime = context.clock()
    chosen = _chosen(list(snapshot.events), query)
    upcoming = sorted((e for e in chosen if e.ends_at >= now), key=lambda e: (e.starts_at, e.id))
    past = sorted(
        (e for e in chosen if e.ends_at < now), key=lambda e: (e.starts_at, e.id), reverse=True
    )
    base = context.base_url.rstrip("/")
    all_feeds = [
        Feed(f"feed-{c.slug}", c.name, f"{base}/feeds/committees/{c.slug}.ics") for c in COMMITTEES
    ] + [
        Feed(f"feed-{t.value}", f"{type_label(t)}s", f"{base}/feeds/types/{t.value}.ics")
        for t in EventType
    ]
    return render(
        request,
        "calendar.html",
        query=query,
        months=_by_month(upcoming if query.when == "upcoming" else past),
        recent=[(e, _when(e)) for e in past[:RECENT]] if query.when == "upcoming" else [],
        more_past=len(past) > RECENT,
        feeds=_feeds(context.base_url, query),
        all_feeds=all_feeds,
        committees=COMMITTEES,
        types=list(EventType),
    )


async def event_page(request: web.Request) -> web.Response:
    """One entry: when and where, joining link, agenda, papers, modifications, add-to links."""
    context = request.app[CONTEXT]
    event = await commands.get(context, request.match_info["id"])
    if event.classification is not Classification.WHITE:
        raise EventNotFound("no such entry")
    # Staff and services see every paper, marked; anyone else White ones only (fail closed:
    # no token, no paper above White, and no hint that one exists).
    entitled = request.get(PRINCIPAL_KEY) is not None
    page_url = f"{context.base_url.rstrip('/')}/events/{event.id}"
    response = render(
        request,
        "event.html",
        event=event,
        when=_when(event),
        year=event.local_start.year,
        committee=COMMITTEES_BY_SLUG.get(event.committee) if event.committee else None,
        papers=[d for d in event.documents if entitled or d.classification is Classification.WHITE],
        show_marks=entitled,
        registry=context.registry_public_url.rstrip("/"),
        ics_url=f"/events/{event.id}.ics",
        google_url=google_calendar_url(event, page_url),
        outlook_url=outlook_url(event, page_url),
    )
    response.headers["Vary"] = "Authorization"
    return response


def add_routes(app: web.Application, settings: ServiceSettings) -> None:
    install_look(app, settings)
    app.router.add_get("/", calendar_page)
    app.router.add_get("/events/{id}", event_page)
