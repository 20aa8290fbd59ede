"""The calendar's demonstration set: the next SEC Panel and Change Board, marked "[Demo]".

Dated relative to today and sent through the calendar's API (agenda references are
checked against the registry, so the register's demo items go first).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts.vocabulary import LONDON_TZ
from shared.dev.demo import DEMO_PREFIX, DemoCall

LONDON = ZoneInfo(LONDON_TZ)
WEDNESDAY, FRIDAY = 2, 4


def next_weekday(now: datetime, weekday: int, at_least_days: int) -> date:
    """Return the first `weekday` at least `at_least_days` after today (UK)."""
    earliest = now.astimezone(LONDON).date() + timedelta(days=at_least_days)
    return earliest + timedelta(days=(weekday - earliest.weekday()) % 7)


def _meeting(
    committee: str, title: str, day: date, hours: tuple[int, int], agenda: list[dict[str, Any]]
) -> DemoCall:
    start, end = (datetime.combine(day, time(hour), LONDON) for hour in hours)
    return DemoCall(
        "calendar",
        "POST",
        "/api/v1/events",
        {
            "id": f"demo-{committee}-{day:%Y-%m-%d}",
            "title": f"{DEMO_PREFIX}{title}",
            "type": "meeting",
            "committee": committee,
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "location": "Demo venue, 1 Example Street, London",
            "online_url": "https://meet.example.org/demo",
            "description": "A demonstration meeting: it exists only in the demonstration set.",
            "classification": "white",
            "documents": [
                {"title": "Agenda and papers (demo)", "url": "https://example.org/demo.pdf"},
                {
                    "title": "Costs for SEC Parties (demo, Green)",
                    "url": "https://example.org/demo-green.pdf",
                    "classification": "green",
                },
            ],
            "agenda": agenda,
        },
    )


def demo_calls(now: datetime) -> list[DemoCall]:
    """Return the requests that create the next Panel and Change Board meetings."""
    return [
        _meeting(
            "sec-panel",
            "SEC Panel Meeting",
            next_weekday(now, FRIDAY, 2),
            (10, 13),
            [
                {"title": "Minutes and actions", "modification_refs": []},
                {"title": "MP901: refinement consultation", "modification_refs": ["MP901"]},
                {"title": "DP903: initial assessment", "modification_refs": ["DP903"]},
            ],
        ),
        _meeting(
            "change-board",
            "Change Board Meeting",
            next_weekday(now, WEDNESDAY, 1),
            (10, 12),
            [{"title": "MP902: Modification Report", "modification_refs": ["MP902"]}],
        ),
    ]
