"""Gather a subscriber's collected events into a newsletter-style daily or weekly digest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifier.domain.display import format_date, parse_day, parse_instant
from services.notifier.domain.matching import held_back_to, topics_of, wants_topics
from services.notifier.domain.subscriptions import DigestFrequency, Subscription
from services.notifier.domain.views import (
    consultation_view,
    decision_view,
    event_view,
    modification_view,
    release_view,
)
from shared.contracts.classification import Classification, most_restricted
from shared.contracts.events import (
    CALENDAR_EVENTS,
    CONSULTATION_EVENTS,
    RELEASE_EVENTS,
    disclosed_classification,
    subject_keys,
)
from shared.events import CloudEvent


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One collected event; `key` (the event id) is recorded so it is digested only once."""

    key: str
    event_type: str
    data: Mapping[str, Any]
    occurred_at: datetime


def digest_item(event: CloudEvent) -> DigestItem:
    """Return the digest item of a consumed CloudEvent."""
    return DigestItem(event.id, event.type, event.data, parse_instant(event.time))


@dataclass(frozen=True, slots=True)
class MeetingRow:
    """A row of the Key Meeting Dates table."""

    date: str
    title: str
    when: str
    cancelled: bool
    url: str | None


@dataclass(frozen=True, slots=True)
class DraftProposalRow:
    """A new Draft Proposal."""

    ref: str
    title: str
    summary: str
    url: str | None


@dataclass(frozen=True, slots=True)
class ConsultationRow:
    """An open consultation and when it closes."""

    title: str
    kind_label: str
    closes: str
    url: str | None


@dataclass(frozen=True, slots=True)
class StatusChangeRow:
    """A status change or decision on a followed modification."""

    ref: str
    title: str
    change: str
    on: str
    url: str | None


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    """An upcoming (or just published) SEC Release."""

    name: str
    sec_version: str | None
    effective_date: str
    live: bool
    url: str | None


@dataclass(frozen=True, slots=True)
class Digest:
    """A digest ready to render; `item_keys` are every item it consumed."""

    key: str
    subscription_id: str
    frequency: DigestFrequency
    period_start: datetime
    period_end: datetime
    meetings: tuple[MeetingRow, ...]
    draft_proposals: tuple[DraftProposalRow, ...]
    consultations: tuple[ConsultationRow, ...]
    status_changes: tuple[StatusChangeRow, ...]
    releases: tuple[ReleaseRow, ...]
    classification: Classification
    item_keys: frozenset[str]

    @property
    def item_count(self) -> int:
        return (
            len(self.meetings)
            + len(self.draft_proposals)
            + len(self.consultations)
            + len(self.status_changes)
            + len(self.releases)
        )


def _latest_by(items: Iterable[DigestItem], entity: str) -> list[DigestItem]:
    # Several events about one meeting in a period show as one row, its last state.
    latest: dict[str, DigestItem] = {}
    for item in sorted(items, key=lambda i: (i.occurred_at, i.key)):
        latest[str(item.data[entity].get("id") or item.key)] = item
    return list(latest.values())


def _meetings(items: list[DigestItem], period_end: datetime) -> tuple[MeetingRow, ...]:
    rows = []
    calendar = [i for i in items if i.event_type in CALENDAR_EVENTS]
    for item in _latest_by(calendar, "event"):
        event = event_view(item.data["event"])
        if (event.ends_at or event.starts_at) < period_end:
            continue  # already over when the digest goes out
        rows.append(
            (
                event.starts_at,
                MeetingRow(event.date, event.title, event.when, event.cancelled, event.url),
            )
        )
    return tuple(row for _, row in sorted(rows, key=lambda pair: (pair[0], pair[1].title)))


def _draft_proposals(items: list[DigestItem]) -> tuple[DraftProposalRow, ...]:
    rows: dict[str, DraftProposalRow] = {}
    for item in items:
        if item.event_type != "registry.modification.created":
            continue
        modification = modification_view(item.data["modification"])
        if modification.is_draft:
            rows[modification.ref] = DraftProposalRow(
                modification.ref, modification.title, modification.summary, modification.url
            )
    return tuple(rows[ref] for ref in sorted(rows))


def _consultations(items: list[DigestItem], period_end: datetime) -> tuple[ConsultationRow, ...]:
    rows = []
    found = [i for i in items if i.event_type in CONSULTATION_EVENTS]
    for item in _latest_by(found, "consultation"):
        consultation = consultation_view(item.data["consultation"])
        closed = item.event_type == "registry.consultation.closed"
        if closed or consultation.closes_at <= period_end:
            continue
        row = ConsultationRow(
            consultation.title, consultation.kind_label, consultation.closes, consultation.url
        )
        rows.append((consultation.closes_at, row))
    return tuple(row for _, row in sorted(rows, key=lambda pair: (pair[0], pair[1].title)))


def _status_changes(items: list[DigestItem]) -> tuple[StatusChangeRow, ...]:
    rows = []
    for item in sorted(items, key=lambda i: (i.occurred_at, i.key)):
        on = format_date(item.occurred_at)
        if item.event_type == "registry.modification.status_changed":
            modification = modification_view(item.data["modification"])
            before = item.data.get("from_label") or item.data.get("from_status") or ""
            after = item.data.get("to_label") or item.data.get("to_status") or ""
            change = f"{before} → {after}" if before else str(after)
        elif item.event_type == "registry.decision.recorded":
            modification = modification_view(item.data["modification"])
            decision = decision_view(item.data["decision"])
            change = f"{decision.body_label} {decision.outcome_label} it"
            on = decision.decided_on or on
        else:
            continue
        rows.append(
            StatusChangeRow(modification.ref, modification.title, change, on, modification.url)
        )
    return tuple(rows)


def _releases(items: list[DigestItem], period_end: datetime) -> tuple[ReleaseRow, ...]:
    rows = []
    found = [i for i in items if i.event_type in RELEASE_EVENTS]
    for item in _latest_by(found, "release"):
        release = release_view(item.data["release"])
        live = item.event_type == "registry.release.published"
        effective = parse_day(item.data["release"]["effective_date"])
        if not live and effective < parse_day(period_end):
            continue
        row = ReleaseRow(
            release.name, release.sec_version, release.effective_date, live, release.url
        )
        rows.append((effective, row))
    return tuple(row for _, row in sorted(rows, key=lambda pair: (pair[0], pair[1].name)))


def digest_key(subscription_id: str, frequency: DigestFrequency, period_end: datetime) -> str:
    """Return the identity of one digest email (its delivery and Message-ID key)."""
    return f"digest:{subscription_id}:{frequency.value}:{period_end.isoformat()}"


def build_digest(
    subscription: Subscription,
    items: Iterable[DigestItem],
    period_start: datetime,
    period_end: datetime,
    current: Mapping[str, Classification],
) -> Digest | None:
    """Return the digest of the items up to `period_end`, or None when nothing is worth sending.

    Items are those collected for this subscriber since the last digest; `current` holds
    the latest marks of their subjects (a line about something reclassified since is
    left out). Every item
    before `period_end` is consumed (listed in `item_keys`), shown or not; the caller
    records them so that no item appears in two digests of the same person.
    """
    if period_start.tzinfo is None or period_end.tzinfo is None:
        raise ValueError("digest periods must be timezone-aware")
    if subscription.digest is DigestFrequency.NONE:
        raise ValueError("this subscriber takes immediate alerts, not digests")
    unique: dict[str, DigestItem] = {}
    for item in items:
        if item.occurred_at < period_end:
            unique.setdefault(item.key, item)
    considered = list(unique.values())
    allowed = [
        item
        for item in considered
        if wants_topics(
            subscription,
            topics_of(item.event_type, item.data),
            _mark(item, current),
        )
    ]
    level = most_restricted(*(_mark(i, current) for i in allowed)) if allowed else WHITE
    digest = Digest(
        key=digest_key(subscription.id, subscription.digest, period_end),
        subscription_id=subscription.id,
        frequency=subscription.digest,
        period_start=period_start,
        period_end=period_end,
        meetings=_meetings(allowed, period_end),
        draft_proposals=_draft_proposals(allowed),
        consultations=_consultations(allowed, period_end),
        status_changes=_status_changes(allowed),
        releases=_releases(allowed, period_end),
        classification=level,
        item_keys=frozenset(unique),
    )
    return digest if digest.item_count else None


WHITE = Classification.WHITE


def _mark(item: DigestItem, current: Mapping[str, Classification]) -> Classification:
    return held_back_to(disclosed_classification(item.event_type, item.data), item.data, current)


def digest_subject_keys(items: Iterable[DigestItem]) -> set[str]:
    """Return the subjects whose current marks `build_digest` needs."""
    return {key for item in items for key in subject_keys(item.data)}
