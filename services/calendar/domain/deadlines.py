"""Turn registry events into the calendar entries they imply: closings, votes, go-lives."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.calendar.domain.changes import Change, cancel, reconcile
from services.calendar.domain.errors import InvalidRegistryEvent
from services.calendar.domain.model import CalendarEvent, EventDraft, EventStatus, whole_days
from shared.contracts.classification import Classification, most_restricted
from shared.contracts.events import (
    ConsultationData,
    ConsultationShape,
    DecisionData,
    DecisionShape,
    EventName,
    InvalidPayload,
    ModificationShape,
    ReleaseData,
    ReleaseShape,
    StatusChangedData,
    parse_payload,
)
from shared.contracts.statuses import Status
from shared.contracts.vocabulary import LONDON_TZ, EventType
from shared.refs import InvalidReference, ModificationRef

# A closing time is an instant; clients draw zero-length entries badly (Outlook
# hides them, Google shows a sliver), so the entry is a 30-minute block that
# ends exactly at the closing time.
CLOSING_BLOCK = timedelta(minutes=30)

_OUTCOME_LABEL = {
    "approve": "approved",
    "reject": "rejected",
    "recommend_approve": "recommended for approval",
    "recommend_reject": "recommended for rejection",
    "determine": "determined",
    "refer": "referred",
    "note": "noted",
}
_ENDED_STATUSES = frozenset({Status.WITHDRAWN, Status.REJECTED})


@dataclass(frozen=True, slots=True)
class UpsertDeadline:
    """Create the entry or bring it in line with the registry."""

    draft: EventDraft


@dataclass(frozen=True, slots=True)
class CancelDeadline:
    """Cancel one derived entry, if it exists."""

    event_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CancelModificationDeadlines:
    """Cancel the upcoming consultation closings of a modification that ended."""

    ref: ModificationRef
    reason: str

    def applies_to(self, event: CalendarEvent, now: datetime) -> bool:
        """Return whether the service should cancel this stored entry."""
        return (
            event.source.startswith("registry:consultation:")
            and not event.is_cancelled
            and event.ends_at > now
            and self.ref.as_modification() in {r.as_modification() for r in event.related_refs}
        )


DeadlineAction = UpsertDeadline | CancelDeadline | CancelModificationDeadlines


def deadline_action(event_type: str, data: Mapping[str, Any]) -> DeadlineAction | None:
    """Return what a registry CloudEvent (its `type` and `data`) means for the calendar.

    None means the event has no dated consequence: a status change carries no
    date for the Change Board vote, so votes come only from recorded decisions.
    A derived entry carries the mark of its source and follows its reclassification.
    """
    try:
        payload = parse_payload(event_type, data)
        match payload:
            case ConsultationData():
                return UpsertDeadline(_consultation(payload.consultation))
            case ReleaseData():
                published = event_type == EventName.RELEASE_PUBLISHED
                status = EventStatus.CONFIRMED if published else EventStatus.TENTATIVE
                return _release(payload.release, status)
            case DecisionData():
                return _decision(payload.decision, payload.modification)
            case StatusChangedData():
                return _status_changed(payload)
            case _:
                return None
    except (InvalidPayload, ValueError, InvalidReference) as exc:
        raise InvalidRegistryEvent(f"{event_type}: unusable data ({exc})") from exc


def apply_deadline(
    action: UpsertDeadline | CancelDeadline,
    existing: CalendarEvent | None,
    now: datetime,
    *,
    base_url: str,
) -> Change | None:
    """Return the change to store and publish, or None when there is nothing to do.

    Applying the same action twice yields no change the second time, so a
    redelivered registry event neither duplicates nor re-announces an entry.
    """
    if isinstance(action, CancelDeadline):
        if existing is None or existing.is_cancelled:
            return None
        return cancel(existing, action.reason, now, base_url=base_url)
    draft = action.draft
    # A late redelivery of "scheduled" must not undo "published".
    if (
        existing is not None
        and existing.status is EventStatus.CONFIRMED
        and draft.status is EventStatus.TENTATIVE
    ):
        draft = replace(draft, status=EventStatus.CONFIRMED)
    change = reconcile(existing, draft, now, base_url=base_url)
    return change if change.events else None


def derived_id(kind: str, registry_id: str) -> str:
    """Return the calendar id for a registry entity, e.g. ``consultation-mp192-rc``."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", registry_id.lower()).strip("-")
    return f"{kind}-{slug}"


def _consultation(c: ConsultationShape) -> EventDraft:
    local = c.closes_at.astimezone(ZoneInfo(LONDON_TZ))
    lines = [f"Responses by {local:%H:%M} on {local.day} {local:%B %Y} (UK time)."]
    if c.respond_to:
        lines.append(f"Respond to: {c.respond_to}")
    if c.url:
        lines.append(f"Consultation: {c.url}")
    ref = None if c.modification_ref is None else ModificationRef.parse(c.modification_ref)
    return EventDraft(
        id=derived_id("consultation", c.id),
        title=f"{c.kind_label} closes: {c.title}",
        type=EventType.CONSULTATION_DEADLINE,
        starts_at=c.closes_at.astimezone(UTC) - CLOSING_BLOCK,
        ends_at=c.closes_at.astimezone(UTC),
        description="\n".join(lines),
        related_refs=(ref,) if ref else (),
        classification=c.classification,
        source=f"registry:consultation:{c.id}",
    )


def _release(r: ReleaseShape, status: EventStatus) -> UpsertDeadline:
    starts_at, ends_at = whole_days(r.effective_date, r.effective_date)
    # The registry names only a release's White modifications, so the entry is White.
    refs = tuple(ModificationRef.parse(text) for text in r.modification_refs)
    version = f" (SEC v{r.sec_version})" if r.sec_version else ""
    lines = [f"{r.name} comes into effect{version}."]
    if refs:
        lines.append("Modifications: " + ", ".join(str(ref) for ref in refs))
    if r.url:
        lines.append(f"Release: {r.url}")
    return UpsertDeadline(
        EventDraft(
            id=derived_id("release", r.id),
            title=f"{r.name} goes live",
            type=EventType.RELEASE_GO_LIVE,
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=True,
            description="\n".join(lines),
            related_refs=refs,
            status=status,
            classification=Classification.WHITE,
            source=f"registry:release:{r.id}",
        )
    )


def _decision(d: DecisionShape, modification: ModificationShape) -> UpsertDeadline | None:
    if d.body != "change_board":
        return None
    starts_at, ends_at = whole_days(d.decided_on, d.decided_on)
    ref = ModificationRef.parse(d.modification_ref)
    outcome = _OUTCOME_LABEL.get(d.outcome, d.outcome)
    vote = f" ({d.vote})" if d.vote else ""
    lines = [f"Change Board vote on {ref}: {outcome}{vote}."]
    if d.summary:
        lines.append(d.summary)
    if modification.url:
        lines.append(f"Modification: {modification.url}")
    return UpsertDeadline(
        EventDraft(
            id=derived_id("decision", d.id),
            title=f"Change Board vote: {ref} {modification.title}",
            type=EventType.CHANGE_BOARD_VOTE,
            committee="change-board",
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=True,
            description="\n".join(lines),
            related_refs=(ref,),
            # The decision's mark is already raised to its modification's; the
            # modification's own is taken too, so neither can make the vote public.
            classification=most_restricted(d.classification, modification.classification),
            source=f"registry:decision:{d.id}",
        )
    )


def _status_changed(data: StatusChangedData) -> CancelModificationDeadlines | None:
    if data.to_status not in _ENDED_STATUSES:
        return None
    ref = ModificationRef.parse(data.modification.ref)
    label = data.to_label or data.to_status.label
    return CancelModificationDeadlines(ref, f"{ref} is {label.lower()}; its consultation ended")
