"""Shape catalogue payloads (docs/events.md) into the tidy values templates render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifier.domain.display import (
    format_date,
    format_datetime,
    format_span,
    one_line,
    parse_day,
    parse_instant,
)
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG, EventType


def _text(entity: Mapping[str, Any], key: str, default: str = "") -> str:
    value = entity.get(key)
    return default if value is None else str(value)


def _optional(entity: Mapping[str, Any], key: str) -> str | None:
    value = entity.get(key)
    return None if value in (None, "") else str(value)


def _url(entity: Mapping[str, Any], key: str) -> str | None:
    # Links come from our own services, but a javascript: URL must never reach an href.
    value = _optional(entity, key)
    return value if value is not None and value.startswith(("https://", "http://")) else None


# What an entry is called in a sentence ("A new Change Board vote has been added").
_KIND_WORDS = {
    EventType.MEETING: "meeting",
    EventType.WEBINAR: "webinar",
    EventType.SEMINAR: "seminar",
    EventType.WORKSHOP: "workshop",
    EventType.ENGAGEMENT_DAY: "engagement day",
    EventType.CONSULTATION_DEADLINE: "consultation deadline",
    EventType.CHANGE_BOARD_VOTE: "Change Board vote",
    EventType.RELEASE_GO_LIVE: "SEC Release go-live",
}


def kind_word(event_type: EventType, committee_name: str | None) -> str:
    """Return what to call an entry: a vote is a vote, a deadline a consultation deadline."""
    if event_type is EventType.OTHER:
        return "meeting" if committee_name else "event"
    return _KIND_WORDS[event_type]


@dataclass(frozen=True, slots=True)
class EventView:
    """A calendar entry as an email shows it."""

    id: str
    title: str
    type: EventType
    type_label: str
    kind_word: str
    committee_name: str | None
    starts_at: datetime
    ends_at: datetime | None
    when: str
    date: str
    location: str | None
    online_url: str | None
    description: str
    classification: Classification
    cancelled: bool
    modification_refs: tuple[str, ...]
    url: str | None


def event_view(event: Mapping[str, Any]) -> EventView:
    """Return the view of a catalogue `event`."""
    starts_at = parse_instant(event["starts_at"])
    ends_at = parse_instant(event["ends_at"]) if event.get("ends_at") else None
    all_day = bool(event.get("all_day"))
    try:
        event_type = EventType(_text(event, "type", "other"))
    except ValueError:
        event_type = EventType.OTHER
    committee = COMMITTEES_BY_SLUG.get(_text(event, "committee"))
    committee_name = _optional(event, "committee_name") or (committee.name if committee else None)
    return EventView(
        id=_text(event, "id"),
        title=one_line(_text(event, "title", "Untitled event")),
        type=event_type,
        type_label=event_type.value.replace("-", " "),
        kind_word=kind_word(event_type, committee_name),
        committee_name=committee_name,
        starts_at=starts_at,
        ends_at=ends_at,
        when=format_span(starts_at, ends_at, all_day=all_day),
        date=format_date(starts_at),
        location=_optional(event, "location"),
        online_url=_url(event, "online_url"),
        description=_text(event, "description").strip(),
        classification=Classification(_text(event, "classification", "red").lower()),
        cancelled=_text(event, "status") == "cancelled",
        modification_refs=tuple(str(ref) for ref in event.get("modification_refs") or ()),
        url=_url(event, "url"),
    )


@dataclass(frozen=True, slots=True)
class ConsultationView:
    """A consultation as an email shows it."""

    id: str
    title: str
    kind_label: str
    modification_ref: str | None
    opens_at: datetime | None
    closes_at: datetime
    closes: str
    closes_date: str
    respond_to: str | None
    url: str | None


def consultation_view(consultation: Mapping[str, Any]) -> ConsultationView:
    """Return the view of a catalogue `consultation`."""
    closes_at = parse_instant(consultation["closes_at"])
    opens = consultation.get("opens_at")
    return ConsultationView(
        id=_text(consultation, "id"),
        title=one_line(_text(consultation, "title", "Consultation")),
        kind_label=one_line(_text(consultation, "kind_label", "Consultation")),
        modification_ref=_optional(consultation, "modification_ref"),
        opens_at=parse_instant(opens) if opens else None,
        closes_at=closes_at,
        closes=format_datetime(closes_at),
        closes_date=format_date(closes_at),
        respond_to=_optional(consultation, "respond_to"),
        url=_url(consultation, "url"),
    )


@dataclass(frozen=True, slots=True)
class ModificationView:
    """A modification as an email shows it."""

    ref: str
    title: str
    summary: str
    status_label: str
    path_label: str | None
    proposer: str | None
    is_draft: bool
    url: str | None


def modification_view(modification: Mapping[str, Any]) -> ModificationView:
    """Return the view of a catalogue `modification`."""
    ref = _text(modification, "ref").upper()
    return ModificationView(
        ref=ref,
        title=one_line(_text(modification, "title", "Untitled")),
        summary=_text(modification, "summary").strip(),
        status_label=_text(modification, "status_label", _text(modification, "status")),
        path_label=_optional(modification, "path_label"),
        proposer=_optional(modification, "proposer"),
        is_draft=bool(modification.get("is_draft")) or ref.startswith("DP"),
        url=_url(modification, "url"),
    )


@dataclass(frozen=True, slots=True)
class ReleaseView:
    """A SEC Release as an email shows it."""

    id: str
    name: str
    sec_version: str | None
    effective_date: str
    modification_refs: tuple[str, ...]
    url: str | None


def release_view(release: Mapping[str, Any]) -> ReleaseView:
    """Return the view of a catalogue `release`."""
    return ReleaseView(
        id=_text(release, "id"),
        name=one_line(_text(release, "name", "SEC Release")),
        sec_version=_optional(release, "sec_version"),
        effective_date=format_date(parse_day(release["effective_date"])),
        modification_refs=tuple(str(ref) for ref in release.get("modification_refs") or ()),
        url=_url(release, "url"),
    )


_BODIES = {"panel": "SEC Panel", "change_board": "Change Board", "authority": "The Authority"}
# Phrased to read "<body> <outcome> <ref>", e.g. "Change Board approved MP192".
_OUTCOMES = {
    "approve": "approved",
    "reject": "rejected",
    "recommend_approve": "recommends approval of",
    "recommend_reject": "recommends rejection of",
    "determine": "made a determination on",
    "refer": "referred the decision on",
    "note": "noted",
}


@dataclass(frozen=True, slots=True)
class DecisionView:
    """A recorded decision as an email shows it."""

    body_label: str
    outcome_label: str
    vote: str | None
    decided_on: str
    summary: str


def decision_view(decision: Mapping[str, Any]) -> DecisionView:
    """Return the view of a catalogue `decision`."""
    body = _text(decision, "body")
    outcome = _text(decision, "outcome")
    decided = decision.get("decided_on")
    return DecisionView(
        body_label=_BODIES.get(body, body.replace("_", " ").title()),
        outcome_label=_OUTCOMES.get(outcome, outcome.replace("_", " ")),
        vote=_optional(decision, "vote"),
        decided_on=format_date(parse_day(decided)) if decided else "",
        summary=_text(decision, "summary").strip(),
    )
