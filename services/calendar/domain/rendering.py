"""Render entries as RFC 5545 / RFC 7986 iCalendar bytes with icalendar, deterministically."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache

from icalendar import Calendar, Event, Timezone, vDuration, vRecur

from services.calendar.domain.domain_events import event_url
from services.calendar.domain.model import CalendarEvent, EventStatus, OccurrenceOverride
from services.calendar.domain.recurrence import last_end
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG, LONDON_TZ, EventType

PRODID = "-//SECAS//SEC Calendar//EN"
DEFAULT_REFRESH = timedelta(hours=1)

_CLASS = {
    Classification.WHITE: "PUBLIC",
    Classification.GREEN: "PRIVATE",
    Classification.AMBER: "CONFIDENTIAL",
    Classification.RED: "CONFIDENTIAL",
}
_TYPE_LABEL = {
    EventType.MEETING: "Meeting",
    EventType.WEBINAR: "Webinar",
    EventType.SEMINAR: "Seminar",
    EventType.WORKSHOP: "Workshop",
    EventType.ENGAGEMENT_DAY: "Engagement day",
    EventType.CONSULTATION_DEADLINE: "Consultation deadline",
    EventType.CHANGE_BOARD_VOTE: "Change Board vote",
    EventType.RELEASE_GO_LIVE: "Release go-live",
    EventType.OTHER: "Other",
}
# Deadlines and go-live dates are markers, not appointments: they must not make
# anyone look busy.
_TRANSPARENT = frozenset(
    {EventType.CONSULTATION_DEADLINE, EventType.RELEASE_GO_LIVE, EventType.CHANGE_BOARD_VOTE}
)
# VTIMEZONE covers at least this span, so a feed's bytes do not depend on today.
_TZ_FIRST_YEAR = 2010
_TZ_LAST_YEAR = 2040


def type_label(event_type: EventType) -> str:
    return _TYPE_LABEL[event_type]


def render_feed(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    description: str,
    base_url: str,
    include_green: bool = False,
    refresh: timedelta = DEFAULT_REFRESH,
) -> bytes:
    """Return a METHOD:PUBLISH calendar of the given (already selected) entries.

    `include_green` lets Green document links into descriptions; Amber and Red
    documents are never rendered.
    """
    ordered = sorted(events, key=lambda e: (e.starts_at, e.id))
    pieces = [render_event(e, base_url=base_url, include_green=include_green) for e in ordered]
    return assemble_feed(ordered, pieces, name=name, description=description, refresh=refresh)


def render_event(event: CalendarEvent, *, base_url: str, include_green: bool = False) -> bytes:
    """Return one entry's VEVENT (and override) lines.

    A feed is its calendar shell around these bytes, so a cache may keep them per
    entry version and re-render only what changed (most of a feed's cost).
    """
    components = _components(event, base_url=base_url, include_green=include_green)
    return b"".join(component.to_ical() for component in components)


def assemble_feed(
    ordered: Sequence[CalendarEvent],
    pieces: Sequence[bytes],
    *,
    name: str,
    description: str,
    refresh: timedelta = DEFAULT_REFRESH,
) -> bytes:
    """Return the calendar around `pieces` (render_event of `ordered`, in feed order).

    The bytes equal icalendar's own serialisation of the whole calendar: a
    component's lines are its properties, then each subcomponent's lines.
    """
    calendar = _calendar(name=name, description=description, refresh=refresh)
    _add_timezones(calendar, list(ordered))
    shell: bytes = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    if not shell.endswith(end):
        raise ValueError("unexpected calendar serialisation")
    return shell[: -len(end)] + b"".join(pieces) + end


def render_single(event: CalendarEvent, *, base_url: str, include_green: bool = False) -> bytes:
    """Return one entry (and its overrides) as an .ics for "add to calendar"."""
    return render_feed(
        [event],
        name=event.title,
        description=type_label(event.type),
        base_url=base_url,
        include_green=include_green,
    )


def _calendar(*, name: str, description: str, refresh: timedelta) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.calendar_name = name
    calendar.description = description
    calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    calendar.add("X-WR-TIMEZONE", LONDON_TZ)
    return calendar


def _add_timezones(calendar: Calendar, events: list[CalendarEvent]) -> None:
    tzids = sorted({LONDON_TZ} | {e.timezone for e in events if not e.all_day})
    first_year = min([_TZ_FIRST_YEAR] + [e.starts_at.year - 1 for e in events])
    last_year = max([_TZ_LAST_YEAR] + [last_end(e).year + 1 for e in events])
    for tzid in tzids:
        calendar.add_component(_timezone(tzid, first_year, last_year))


@lru_cache(maxsize=64)
def _timezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    # Building a VTIMEZONE walks every transition; the result is never mutated, so share it.
    return Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
    )


def _local(event: CalendarEvent, value: datetime) -> datetime:
    return value.astimezone(event.zone)


def _components(event: CalendarEvent, *, base_url: str, include_green: bool) -> list[Event]:
    master = _vevent(
        event,
        base_url=base_url,
        include_green=include_green,
        title=event.title,
        location=event.location,
        description=event.description,
        status=event.status,
    )
    if event.all_day:
        master.add("DTSTART", event.first_day)
        master.add("DTEND", event.end_day_exclusive)
    else:
        master.add("DTSTART", event.local_start)
        master.add("DTEND", event.local_end)
    if event.recurrence is None:
        return [master]
    master.add("RRULE", vRecur.from_ical(event.recurrence.rule))
    if event.recurrence.exdates:
        master.add("EXDATE", [_local(event, d) for d in event.recurrence.exdates])
    overrides = [
        _override(event, o, base_url=base_url, include_green=include_green)
        for o in event.recurrence.overrides
    ]
    return [master, *overrides]


def _override(
    event: CalendarEvent, override: OccurrenceOverride, *, base_url: str, include_green: bool
) -> Event:
    component = _vevent(
        event,
        base_url=base_url,
        include_green=include_green,
        title=override.title or event.title,
        location=override.location or event.location,
        description=override.description or event.description,
        status=override.status or event.status,
    )
    component.add("RECURRENCE-ID", _local(event, override.recurrence_id))
    component.add("DTSTART", _local(event, override.starts_at))
    component.add("DTEND", _local(event, override.ends_at))
    return component


def _vevent(
    event: CalendarEvent,
    *,
    base_url: str,
    include_green: bool,
    title: str,
    location: str | None,
    description: str,
    status: EventStatus,
) -> Event:
    component = Event()
    component.add("UID", event.uid)
    component.add("SEQUENCE", event.sequence)
    # DTSTAMP is the last revision, not the render time: every replica then renders
    # identical bytes for identical data, so ETags agree across replicas.
    component.add("DTSTAMP", event.updated_at)
    component.add("CREATED", event.created_at)
    component.add("LAST-MODIFIED", event.updated_at)
    cancelled = status is EventStatus.CANCELLED
    component.add("SUMMARY", f"CANCELLED: {title}" if cancelled else title)
    component.add(
        "DESCRIPTION",
        _description(event, description, base_url=base_url, include_green=include_green),
    )
    place = _place(location, event.online_url)
    if place:
        component.add("LOCATION", place)
    component.add("URL", event_url(base_url, event.id))
    component.add("CATEGORIES", _categories(event))
    component.add("STATUS", status.value.upper())
    component.add("CLASS", _CLASS[event.classification])
    component.add("TRANSP", "TRANSPARENT" if event.type in _TRANSPARENT else "OPAQUE")
    return component


def _place(location: str | None, online_url: str | None) -> str | None:
    if location and online_url:
        return f"{location} / {online_url}"
    if online_url:
        return f"Teleconference: {online_url}"
    return location


def _categories(event: CalendarEvent) -> list[str]:
    categories = [type_label(event.type)]
    if event.committee:
        categories.append(COMMITTEES_BY_SLUG[event.committee].name)
    return categories


def _description(event: CalendarEvent, text: str, *, base_url: str, include_green: bool) -> str:
    """Compose the body: the text, then reference, agenda, papers, joining link, page."""
    blocks = [text] if text else []
    if event.cancel_reason and event.is_cancelled:
        blocks.append(f"Cancelled: {event.cancel_reason}")
    if event.reference:
        blocks.append(f"Reference: {event.reference}")
    if event.agenda:
        lines = ["Agenda:"]
        for number, item in enumerate(event.agenda, start=1):
            refs = ", ".join(str(ref) for ref in item.modification_refs)
            lines.append(f"{number}. {item.title}" + (f" ({refs})" if refs else ""))
        blocks.append("\n".join(lines))
    visible = (
        {Classification.WHITE, Classification.GREEN} if include_green else {Classification.WHITE}
    )
    papers = [d for d in event.documents if d.classification in visible]
    if papers:
        lines = ["Documents:"]
        for paper in papers:
            label = f"{paper.title} ({paper.classification.value.upper()})"
            lines.append(f"- {label}: {paper.url}" if paper.url else f"- {label}")
        blocks.append("\n".join(lines))
    if event.online_url:
        blocks.append(f"Join online: {event.online_url}")
    blocks.append(f"Details: {event_url(base_url, event.id)}")
    return "\n\n".join(blocks)
