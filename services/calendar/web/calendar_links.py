"""Links that put one entry into Google Calendar or Outlook.com, built with urllib.parse."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from services.calendar.domain.model import CalendarEvent

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _details(event: CalendarEvent, page_url: str) -> str:
    # The page goes last: it is where papers and changes are, and the entry may move.
    return "\n\n".join(part for part in (event.description.strip(), page_url) if part)


def _place(event: CalendarEvent) -> str:
    return event.location or event.online_url or ""


def google_calendar_url(event: CalendarEvent, page_url: str) -> str:
    """Return Google Calendar's "add event" link (its TEMPLATE action) for the first occurrence."""
    if event.all_day:
        # Dates only, the end exclusive, as in iCalendar.
        dates = f"{event.first_day:%Y%m%d}/{event.end_day_exclusive:%Y%m%d}"
    else:
        dates = f"{_utc(event.starts_at):%Y%m%dT%H%M%SZ}/{_utc(event.ends_at):%Y%m%dT%H%M%SZ}"
    query = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": _details(event, page_url),
        "location": _place(event),
    }
    return f"{GOOGLE}?{urlencode(query)}"


def outlook_url(event: CalendarEvent, page_url: str) -> str:
    """Return Outlook.com's compose-event deep link for the first occurrence."""
    if event.all_day:
        start, end = event.first_day.isoformat(), event.end_day_exclusive.isoformat()
    else:
        start = _utc(event.starts_at).strftime("%Y-%m-%dT%H:%M:%SZ")
        end = _utc(event.ends_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": start,
        "enddt": end,
        "allday": "true" if event.all_day else "false",
        "body": _details(event, page_url),
        "location": _place(event),
    }
    return f"{OUTLOOK}?{urlencode(query)}"
