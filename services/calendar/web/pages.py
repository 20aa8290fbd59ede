"""Server-rendered calendar pages: plain HTML, no JavaScript needed, White entries only."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.calendar.domain.model import CalendarEvent
from services.calendar.domain.rendering import type_label
from services.calendar.service import commands
from services.calendar.service.context import EventNotFound
from services.calendar.web.keys import CONTEXT, FEEDS
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import COMMITTEES, COMMITTEES_BY_SLUG, LONDON_TZ, EventType

TEMPLATES = Path(__file__).resolve().parent / "templates"
LONDON = ZoneInfo(LONDON_TZ)

environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)


class PageQuery(BaseModel):
    """Filters of the calendar page; unknown values simply select nothing."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    committee: str = Field("", max_length=64)
    type: str = Field("", max_length=32)
    when: Literal["upcoming", "past"] = "upcoming"


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscribable feed as the page offers it."""

    title: str
    path: str
    base_url: str

    @property
    def https(self) -> str:
        return f"{self.base_url.rstrip('/')}{self.path}"

    @property
    def webcal(self) -> str:
        # webcal:// makes the browser hand the URL to the calendar application.
        return "webcal://" + self.https.split("://", 1)[1]


def render(name: str, **context: Any) -> web.Response:
    html = environment.get_template(name).render(type_label=type_label, **context)
    return web.Response(text=html, content_type="text/html")


def _when(event: CalendarEvent) -> dict[str, str]:
    start, end = event.local_start, event.local_end
    day = f"{start:%a} {start.day} {start:%B}"
    return {"date": day, "time": "All day" if event.all_day else f"{start:%H:%M}\u2013{end:%H:%M}"}


def _feeds(base_url: str, query: PageQuery) -> list[Feed]:
    feeds = [Feed("All meetings, events and deadlines", "/feeds/all.ics", base_url)]
    if query.committee in COMMITTEES_BY_SLUG:
        name = COMMITTEES_BY_SLUG[query.committee].name
        feeds.append(Feed(name, f"/feeds/committees/{query.committee}.ics", base_url))
    if query.type in set(EventType):
        label = type_label(EventType(query.type))
        feeds.append(Feed(f"{label}s", f"/feeds/types/{query.type}.ics", base_url))
    return feeds


async def calendar_page(request: web.Request) -> web.Response:
    """Upcoming (or past) entries grouped by month, like the newsletters' Key Meeting Dates."""
    try:
        query = PageQuery.model_validate(dict(request.query))
    except ValidationError:
        query = PageQuery()  # a filter that makes no sense shows the whole calendar
    context = request.app[CONTEXT]
    snapshot = await request.app[FEEDS].snapshot()
    now = request.app[CONTEXT].clock()
    upcoming = query.when == "upcoming"
    chosen = [
        e
        for e in snapshot.events
        if e.classification is Classification.WHITE
        and (not query.committee or e.committee == query.committee)
        and (not query.type or e.type.value == query.type)
        and ((e.ends_at >= now) if upcoming else (e.ends_at < now))
    ]
    chosen.sort(key=lambda e: (e.starts_at, e.id), reverse=not upcoming)
    months = [
        (month, [(event, _when(event)) for event in group])
        for month, group in groupby(chosen, key=lambda e: f"{e.local_start:%B %Y}")
    ]
    all_feeds = [
        Feed(c.name, f"/feeds/committees/{c.slug}.ics", context.base_url) for c in COMMITTEES
    ] + [
        Feed(f"{type_label(t)}s", f"/feeds/types/{t.value}.ics", context.base_url)
        for t in EventType
    ]
    return render(
        "calendar.html",
        query=query,
        months=months,
        feeds=_feeds(context.base_url, query),
        all_feeds=all_feeds,
        committees=COMMITTEES,
        types=list(EventType),
    )


async def event_page(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    event = await commands.get(context, request.match_info["id"])
    if event.classification is not Classification.WHITE:
        raise EventNotFound("no such entry")
    committee = COMMITTEES_BY_SLUG.get(event.committee) if event.committee else None
    registry = context.registry_public_url.rstrip("/")
    return render(
        "event.html",
        event=event,
        when=_when(event),
        year=event.local_start.year,
        committee=committee,
        documents=[d for d in event.documents if d.classification is Classification.WHITE],
        registry=registry,
        ics_url=f"/events/{event.id}.ics",
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", calendar_page)
    app.router.add_get("/events/{id}", event_page)
