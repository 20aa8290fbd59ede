"""The register's demonstration set, dated relative to today and marked "[Demo]".

Two proposals in the workflow, a Draft Proposal, a refinement consultation closing this
week and the coming release, sent through the registry's API like real changes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from services.registry.domain.times import LONDON
from shared.dev.demo import DEMO_PREFIX, DemoCall

FRIDAY = 4


def closing_this_week(now: datetime) -> datetime:
    """Return 17:00 UK time on this week's Friday, or next week's once that has passed."""
    local = now.astimezone(LONDON)
    friday = local.date() + timedelta(days=(FRIDAY - local.weekday()) % 7)
    closes = datetime.combine(friday, time(17), LONDON)
    return closes if closes > local + timedelta(hours=1) else closes + timedelta(days=7)


def coming_release(now: datetime) -> date:
    """Return the first Thursday of the month after next: far enough to be "coming"."""
    local = now.astimezone(LONDON).date()
    year, month = divmod(local.month + 1, 12)
    first = date(local.year + year, month + 1, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7)


def demo_calls(now: datetime) -> list[DemoCall]:
    """Return the requests that build the set; re-sending them changes nothing (409s)."""
    closes = closing_this_week(now)
    release_day = coming_release(now)
    mods = "/api/v1/modifications"
    return [
        DemoCall(
            "registry",
            "POST",
            mods,
            {
                "ref": "MP901",
                "title": f"{DEMO_PREFIX}Faster switching for prepayment customers",
                "summary": "A demonstration proposal: it exists only in the demonstration set.",
                "proposer": "Demo Energy Ltd",
                "working_group": "Operations Group",
            },
        ),
        DemoCall(
            "registry",
            "POST",
            f"{mods}/MP901/transitions",
            {"to": "refinement", "reason": "Demo: the Panel sent it to the Refinement Process."},
        ),
        DemoCall(
            "registry",
            "POST",
            mods,
            {
                "ref": "MP902",
                "title": f"{DEMO_PREFIX}Clearer error codes for DCC service requests",
                "summary": "A demonstration proposal: it exists only in the demonstration set.",
                "proposer": "Demo Networks plc",
                "working_group": "Technical Architecture and Business Architecture Sub-Committee",
            },
        ),
        DemoCall(
            "registry",
            "POST",
            f"{mods}/MP902/transitions",
            {"to": "report-phase", "reason": "Demo: refinement finished, report being written."},
        ),
        DemoCall(
            "registry",
            "POST",
            mods,
            {
                "ref": "DP903",
                "title": f"{DEMO_PREFIX}Publish Panel papers as accessible web pages",
                "summary": "A demonstration Draft Proposal.",
                "proposer": "Demo Supplier Ltd",
            },
        ),
        DemoCall(
            "registry",
            "POST",
            "/api/v1/consultations",
            {
                "id": f"demo-mp901-refinement-{closes:%Y-%m-%d}",
                "title": f"{DEMO_PREFIX}MP901 Refinement Consultation",
                "kind": "refinement",
                "modification_ref": "MP901",
                "closes_at": closes.isoformat(),
                "respond_to": "sec.change@example.org",
            },
        ),
        DemoCall(
            "registry",
            "POST",
            "/api/v1/releases",
            {
                "id": f"demo-{release_day:%Y-%m}",
                "name": f"{DEMO_PREFIX}{release_day:%B %Y} SEC Release",
                "effective_date": release_day.isoformat(),
                "kind": "scheduled",
                "modification_refs": ["MP902"],
                "summary": "A demonstration release.",
            },
        ),
    ]
