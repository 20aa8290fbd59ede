"""Name the committees and calendar entry types every service shares."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventType(StrEnum):
    """Kinds of calendar entry; `type:<value>` is the notifier topic."""

    MEETING = "meeting"
    WEBINAR = "webinar"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    ENGAGEMENT_DAY = "engagement-day"
    CONSULTATION_DEADLINE = "consultation-deadline"
    CHANGE_BOARD_VOTE = "change-board-vote"
    RELEASE_GO_LIVE = "release-go-live"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Committee:
    slug: str
    name: str
    short_name: str


COMMITTEES: tuple[Committee, ...] = (
    Committee("sec-panel", "SEC Panel", "Panel"),
    Committee("change-board", "Change Board", "CB"),
    Committee("change-sub-committee", "Change Sub-Committee", "CSC"),
    Committee("security-sub-committee", "Security Sub-Committee", "SSC"),
    Committee("testing-advisory-group", "Testing Advisory Group", "TAG"),
    Committee("tabasc", "Technical Architecture and Business Architecture Sub-Committee", "TABASC"),
    Committee("smki-pma", "SMKI Policy Management Authority", "SMKI PMA"),
    Committee("operations-group", "Operations Group", "OPSG"),
    Committee("strategic-working-group", "Strategic Working Group", "SWG"),
    Committee("sec-monthly-working-group", "SEC Monthly Working Group", "MWG"),
    Committee("working-group", "Modification Working Group", "WG"),
    Committee("secco-board", "SECCo Board", "SECCo"),
    Committee("implementation-managers-forum", "Implementation Managers Forum", "IMF"),
)

COMMITTEES_BY_SLUG: dict[str, Committee] = {c.slug: c for c in COMMITTEES}

LONDON_TZ = "Europe/London"
