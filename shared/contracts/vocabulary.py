"""Name the committees and calendar entry types every service shares, with their aliases."""

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

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]

    @property
    def aliases(self) -> tuple[str, ...]:
        """Other names the API accepts for this type (a person's first guess)."""
        return _TYPE_ALIASES.get(self, ())


_TYPE_LABELS: dict[EventType, str] = {
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
_TYPE_ALIASES: dict[EventType, tuple[str, ...]] = {
    EventType.ENGAGEMENT_DAY: ("engagement",),
    EventType.CONSULTATION_DEADLINE: ("deadline", "consultation"),
    EventType.CHANGE_BOARD_VOTE: ("vote", "cb-vote"),
    EventType.RELEASE_GO_LIVE: ("go-live", "release"),
}


@dataclass(frozen=True, slots=True)
class Committee:
    slug: str
    name: str
    short_name: str
    # Other names the API accepts for the slug: what the secretariat calls it day to day.
    aliases: tuple[str, ...] = ()


COMMITTEES: tuple[Committee, ...] = (
    Committee("sec-panel", "SEC Panel", "Panel", ("panel",)),
    Committee("change-board", "Change Board", "CB", ("cb",)),
    Committee("change-sub-committee", "Change Sub-Committee", "CSC", ("csc",)),
    Committee("security-sub-committee", "Security Sub-Committee", "SSC", ("ssc",)),
    Committee("testing-advisory-group", "Testing Advisory Group", "TAG", ("tag",)),
    Committee("tabasc", "Technical Architecture and Business Architecture Sub-Committee", "TABASC"),
    Committee("smki-pma", "SMKI Policy Management Authority", "SMKI PMA", ("pma",)),
    Committee("operations-group", "Operations Group", "OPSG", ("opsg",)),
    Committee("strategic-working-group", "Strategic Working Group", "SWG", ("swg",)),
    Committee(
        "sec-monthly-working-group",
        "SEC Monthly Working Group",
        "MWG",
        ("mwg", "monthly-working-group"),
    ),
    Committee("working-group", "Modification Working Group", "WG", ("wg",)),
    Committee("secco-board", "SECCo Board", "SECCo", ("secco",)),
    Committee("implementation-managers-forum", "Implementation Managers Forum", "IMF", ("imf",)),
)

COMMITTEES_BY_SLUG: dict[str, Committee] = {c.slug: c for c in COMMITTEES}

LONDON_TZ = "Europe/London"


def _key(text: str) -> str:
    # "SEC Panel", "sec_panel" and "Sec-Panel" are the same guess.
    return "-".join(text.strip().lower().replace("_", " ").split())


_COMMITTEE_NAMES: dict[str, str] = {
    _key(name): committee.slug
    for committee in COMMITTEES
    for name in (committee.slug, committee.name, committee.short_name, *committee.aliases)
}
_TYPE_NAMES: dict[str, EventType] = {
    _key(name): event_type
    for event_type in EventType
    for name in (event_type.value, event_type.label, *event_type.aliases)
}


def committee_slug(text: str) -> str | None:
    """Return the slug `text` names (slug, alias, name or short name, any case), or None."""
    return _COMMITTEE_NAMES.get(_key(text))


def known_committees() -> str:
    """Return the slugs with their aliases, as an error message lists them."""
    return "; ".join(
        committee.slug + (f" ({', '.join(committee.aliases)})" if committee.aliases else "")
        for committee in COMMITTEES
    )


def event_type_named(text: str) -> EventType:
    """Return the entry type `text` names (value, alias or label, any case).

    Raise ValueError listing the types and their aliases for anything else.
    """
    found = _TYPE_NAMES.get(_key(text))
    if found is None:
        known = "; ".join(
            event_type.value + (f" ({', '.join(event_type.aliases)})" if event_type.aliases else "")
            for event_type in EventType
        )
        raise ValueError(f"unknown type {text[:64]!r}; use one of: {known}")
    return found
