"""Render entries as RFC 5545 / RFC 7986 iCalendar bytes with icalendar, deterministically."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDDDTypes, vDuration, vRecur, vUri

from services.calendar.domain.domain_events import event_url
from services.calendar.domain.model import CalendarEvent, EventStatus, OccurrenceOverride
from services.calendar.domain.vtimezone import vtimezone
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG, LONDON_TZ, EventType
from shared.text import strip_forbidden

PRODID = "-//SECAS//SEC Calendar//EN"
DEFAULT_REFRESH = timedelta(hours=1)

_CLASS = {
    Classification.WHITE: "PUBLIC",
    Classification.GREEN: "PRIVATE",
    Classification.AMBER: "CONFIDENTIAL",
    Classification.RED: "CONFIDENTIAL",
}
# Deadlines and go-live dates are markers, not appointments: they must not make
# anyone look busy.
_TRANSPARENT = frozenset(
    {EventType.CONSULTATION_DEADLINE, EventType.RELEASE_GO_LIVE, EventType.CHANGE_BOARD_VOTE}
)
# VTIMEZONEs start here (or the year before an earlier entry) and run on for ever, so a
# feed's bytes do not depend on today; the API accepts nothing before 1990.
_TZ_FIRST_YEAR = 1990
# An entry renders with this DTSTAMP and the feed's own replaces it when the feed is
# assembled, so per-entry bytes stay cacheable (docs/decisions/calendar-dtstamp-feed-change.md).
_STAMP_PLACEHOLDER = datetime(1900, 1, 1, tzinfo=UTC)
_EPOCH = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Organizer:
    """Who publishes the calendar: ORGANIZER of every entry (RFC 5546 wants one with METHOD)."""

    name: str = "SECAS"
    email: str = "secas@sec.example.org"

    def address(self) -> vCalAddress:
        address = vCalAddress(f"mailto:{strip_forbidden(self.email)}")
        address.params["CN"] = strip_forbidden(self.name)
        return address


DEFAULT_ORGANIZER = Organizer()


def type_label(event_type: EventType) -> str:
    return event_type.label


def render_feed(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    description: str,
    base_url: str,
    include_green: bool = False,
    refresh: timedelta = DEFAULT_REFRESH,
    organizer: Organizer = DEFAULT_ORGANIZER,
    page_url: str | None = None,
    source_url: str | None = None,
) -> bytes:
    """Return a METHOD:PUBLISH calendar of the given (already selected) entries.

    `include_green` lets Green document links into descriptions; Amber and Red
    documents are never rendered. `page_url` and `source_url` become the
    calendar's URL and SOURCE (RFC 7986).
    """
    ordered = sorted(events, key=lambda e: (e.starts_at, e.id))
    pieces = [
        render_event(e, base_url=base_url, include_green=include_green, organizer=organizer)
        for e in ordered
    ]
    return assemble_feed(
        ordered,
        pieces,
        name=name,
        description=description,
        refresh=refresh,
        page_url=page_url,
        source_url=source_url,
    )


def render_event(
    event: CalendarEvent,
    *,
    base_url: str,
    include_green: bool = False,
    organizer: Organizer = DEFAULT_ORGANIZER,
) -> bytes:
    """Return one entry's VEVENT (and override) lines, DTSTAMP still a placeholder.

    A feed is its calendar shell around these bytes, so a cache may keep them per
    entry version and re-render only what changed (most of a feed's cost);
    assemble_feed puts the feed's DTSTAMP in.
    """
    components = _components(
        event, base_url=base_url, include_green=include_green, organizer=organizer
    )
    return b"".join(component.to_ical() for component in components)


def feed_stamp(ordered: Sequence[CalendarEvent]) -> datetime:
    """Return the feed's DTSTAMP: when the last of its entries changed."""
    return max((e.updated_at for e in ordered), default=_EPOCH)


def assemble_feed(
    ordered: Sequence[CalendarEvent],
    pieces: Sequence[bytes],
    *,
    name: str,
    description: str,
    refresh: timedelta = DEFAULT_REFRESH,
    page_url: str | None = None,
    source_url: str | None = None,
) -> bytes:
    """Return the calendar around `pieces` (render_event of `ordered`, in feed order).

    The bytes equal icalendar's own serialisation of the whole calendar: a
    component's lines are its properties, then each subcomponent's lines. Every
    DTSTAMP is the feed's (feed_stamp), serialised by icalendar.
    """
    calendar = _calendar(
        name=name,
        description=description,
        refresh=refresh,
        page_url=page_url,
        source_url=source_url,
    )
    _add_timezones(calendar, list(ordered))
    shell: bytes = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    if not shell.endswith(end):
        raise ValueError("unexpected calendar serialisation")
    placeholder = _stamp_line(_STAMP_PLACEHOLDER)
    stamp = _stamp_line(feed_stamp(ordered))
    body = b"".join(pieces).replace(placeholder, stamp)
    return shell[: -len(end)] + body + end


def _stamp_line(value: datetime) -> bytes:
    line: bytes = b"DTSTAMP:" + vDDDTypes(value.astimezone(UTC)).to_ical() + b"\r\n"
    return line


def render_single(
    event: CalendarEvent,
    *,
    base_url: str,
    include_green: bool = False,
    organizer: Organizer = DEFAULT_ORGANIZER,
) -> bytes:
    """Return one entry (and its overrides) as an .ics for "add to calendar"."""
    return render_feed(
        [event],
        name=event.title,
        description=type_label(event.type),
        base_url=base_url,
        include_green=include_green,
        organizer=organizer,
        page_url=event_url(base_url, event.id),
        source_url=f"{event_url(base_url, event.id)}.ics",
    )


def _calendar(
    *,
    name: str,
    description: str,
    refresh: timedelta,
    page_url: str | None,
    source_url: str | None,
) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    # NAME and X-WR-CALNAME, DESCRIPTION and X-WR-CALDESC (icalendar writes both of each).
    calendar.calendar_name = strip_forbidden(name)
    calendar.description = strip_forbidden(description)
    if page_url:
        calendar.add("URL", vUri(strip_forbidden(page_url)), parameters={"VALUE": "URI"})
    if source_url:
        calendar.add("SOURCE", vUri(strip_forbidden(source_url)), parameters={"VALUE": "URI"})
    calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    calendar.add("X-WR-TIMEZONE", LONDON_TZ)
    return calendar


def _add_timezones(calendar: Calendar, events: list[CalendarEvent]) -> None:
    tzids = sorted({LONDON_TZ} | {e.timezone for e in events if not e.all_day})
    # Never before 1900 (zoneinfo's local mean times), so an entry stored with a year
    # out of range still renders.
    first_year = max(1900, min([_TZ_FIRST_YEAR] + [e.starts_at.year - 1 for e in events]))
    for tzid in tzids:
        calendar.add_component(vtimezone(tzid, first_year))


def _local(event: CalendarEvent, value: datetime) -> datetime:
    """Return the time in the entry's zone, or in UTC if that wall-clock time is ambiguous.

    In the hour repeated when clocks go back, 01:30 Europe/London names two
    instants; RFC 5545 says the first, ical.js reads the second. A UTC value
    names one instant for every client.
    """
    local = value.astimezone(event.zone)
    naive = local.replace(tzinfo=None)
    earlier = naive.replace(tzinfo=event.zone, fold=0).utcoffset()
    later = naive.replace(tzinfo=event.zone, fold=1).utcoffset()
    return local if earlier == later else value.astimezone(UTC)


def _components(
    event: CalendarEvent, *, base_url: str, include_green: bool, organizer: Organizer
) -> list[Event]:
    master = _vevent(
        event,
        base_url=base_url,
        include_green=include_green,
        organizer=organizer,
        title=event.title,
        location=event.location,
        description=event.description,
        status=event.status,
    )
    if event.all_day:
        master.add("DTSTART", event.first_day)
        master.add("DTEND", event.end_day_exclusive)
    else:
        # A series' rule runs in local time, so its DTSTART stays local whatever the hour.
        master.add(
            "DTSTART", event.local_start if event.recurrence else _local(event, event.starts_at)
        )
        master.add("DTEND", _local(event, event.ends_at))
    if event.recurrence is None:
        return [master]
    master.add("RRULE", vRecur.from_ical(event.recurrence.rule))
    if event.recurrence.exdates:
        # One date per line: some clients read only the first value of a multi-valued line.
        for exdate in event.recurrence.exdates:
            master.add("EXDATE", _local(event, exdate))
    overrides = [
        _override(event, o, base_url=base_url, include_green=include_green, organizer=organizer)
        for o in event.recurrence.overrides
    ]
    return [master, *overrides]


def _override(
    event: CalendarEvent,
    override: OccurrenceOverride,
    *,
    base_url: str,
    include_green: bool,
    organizer: Organizer,
) -> Event:
    component = _vevent(
        event,
        base_url=base_url,
        include_green=include_green,
        organizer=organizer,
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
    organizer: Organizer,
    title: str,
    location: str | None,
    description: str,
    status: EventStatus,
) -> Event:
    # Every text is stripped of what no parser accepts (shared/text.py), even if the
    # API refused it: an entry stored before that check must not break a feed.
    component = Event()
    component.add("UID", strip_forbidden(event.uid))
    component.add("SEQUENCE", event.sequence)
    # A placeholder that assemble_feed replaces with the feed's last change: identical
    # bytes on every replica for identical data, so ETags agree across replicas.
    component.add("DTSTAMP", _STAMP_PLACEHOLDER)
    component.add("CREATED", event.created_at)
    component.add("LAST-MODIFIED", event.updated_at)
    component.add("ORGANIZER", organizer.address())
    cancelled = status is EventStatus.CANCELLED
    component.add("SUMMARY", strip_forbidden(f"CANCELLED: {title}" if cancelled else title))
    component.add(
        "DESCRIPTION",
        strip_forbidden(
            _description(event, description, base_url=base_url, include_green=include_green)
        ),
    )
    online_url = strip_forbidden(event.online_url) if event.online_url else None
    place = _place(location, online_url)
    if place:
        component.add("LOCATION", strip_forbidden(place))
    if online_url:
        # RFC 7986 for clients that show a join button; URL for those that do not.
        conference = vUri(online_url)
        conference.params.update(VALUE="URI", FEATURE=["AUDIO", "VIDEO"], LABEL="Join online")
        component.add("CONFERENCE", conference)
        component.add("URL", vUri(online_url))
    else:
        component.add("URL", vUri(event_url(base_url, event.id)))
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
