"""Choose the template and the subject line of the alert an event deserves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.notifier.domain.display import (
    format_date,
    format_day_date,
    format_span,
    format_time,
    london,
    one_line,
    parse_instant,
)
from services.notifier.domain.views import (
    consultation_view,
    decision_view,
    event_view,
    modification_view,
    release_view,
)


class EmailKind(StrEnum):
    """One email kind per template pair `<kind>.txt` / `<kind>.html`."""

    EVENT_CREATED = "event_created"
    EVENT_UPDATED = "event_updated"
    EVENT_CANCELLED = "event_cancelled"
    CONSULTATION_OPENED = "consultation_opened"
    CONSULTATION_RESCHEDULED = "consultation_rescheduled"
    CONSULTATION_CLOSED = "consultation_closed"
    CONSULTATION_REMINDER = "consultation_reminder"
    MODIFICATION_CREATED = "modification_created"
    STATUS_CHANGED = "status_changed"
    DECISION_RECORDED = "decision_recorded"
    RELEASE_SCHEDULED = "release_scheduled"
    RELEASE_PUBLISHED = "release_published"
    MEETING_REMINDER = "meeting_reminder"
    CONFIRMATION = "confirmation"
    DIGEST = "digest"


class NotAlertable(ValueError):
    """An event type the notifier does not turn into an alert email."""


@dataclass(frozen=True, slots=True)
class AlertContent:
    """What to render: the template kind, the subject and the template variables."""

    kind: EmailKind
    subject: str
    context: Mapping[str, Any]


def _event_created(data: Mapping[str, Any]) -> AlertContent:
    event = event_view(data["event"])
    subject = f"New {event.kind_word}: {event.title}, {format_day_date(event.starts_at)}"
    return AlertContent(
        EmailKind.EVENT_CREATED, subject, {"event": event, "kind_word": event.kind_word}
    )


def _event_updated(data: Mapping[str, Any]) -> AlertContent:
    event = event_view(data["event"])
    previous: Mapping[str, Any] = data.get("previous") or {}
    changed = set(data.get("changed") or ())
    before_start = parse_instant(previous["starts_at"]) if previous.get("starts_at") else None
    moved = before_start is not None and before_start != event.starts_at
    if moved and before_start is not None:
        if london(before_start).date() != london(event.starts_at).date():
            subject = f"{event.title} moved to {format_date(event.starts_at)}"
        else:
            subject = f"{event.title} now starts at {format_time(event.starts_at)}"
    elif "location" in changed or "online_url" in changed:
        subject = f"New location for {event.title}, {format_date(event.starts_at)}"
    else:
        subject = f"Updated: {event.title}, {format_date(event.starts_at)}"
    before_end = parse_instant(previous["ends_at"]) if previous.get("ends_at") else None
    previous_when = (
        format_span(before_start, before_end, all_day=bool(data["event"].get("all_day")))
        if moved and before_start is not None
        else None
    )
    old_location = previous.get("location")
    previous_location = (
        str(old_location) if old_location and old_location != event.location else None
    )
    context = {
        "event": event,
        "previous_when": previous_when,
        "previous_location": previous_location,
        "changed": sorted(changed),
    }
    return AlertContent(EmailKind.EVENT_UPDATED, subject, context)


def _event_cancelled(data: Mapping[str, Any]) -> AlertContent:
    event = event_view(data["event"])
    subject = f"Cancelled: {event.title}, {format_day_date(event.starts_at)}"
    reason = one_line(data.get("reason") or "", 500) or None
    context = {"event": event, "reason": reason, "kind_word": event.kind_word}
    return AlertContent(EmailKind.EVENT_CANCELLED, subject, context)


def _consultation(kind: EmailKind, data: Mapping[str, Any]) -> AlertContent:
    consultation = consultation_view(data["consultation"])
    subjects = {
        EmailKind.CONSULTATION_OPENED: (
            f"Consultation open until {consultation.closes_date}: {consultation.title}"
        ),
        EmailKind.CONSULTATION_RESCHEDULED: (
            f"Consultation now closes {consultation.closes_date}: {consultation.title}"
        ),
        EmailKind.CONSULTATION_CLOSED: f"Consultation closed: {consultation.title}",
    }
    return AlertContent(kind, subjects[kind], {"consultation": consultation})


def _modification_created(data: Mapping[str, Any]) -> AlertContent:
    modification = modification_view(data["modification"])
    what = "Draft Proposal" if modification.is_draft else "Modification Proposal"
    subject = f"New {what} {modification.ref}: {modification.title}"
    return AlertContent(
        EmailKind.MODIFICATION_CREATED, subject, {"modification": modification, "what": what}
    )


def _status_changed(data: Mapping[str, Any]) -> AlertContent:
    modification = modification_view(data["modification"])
    to_label = one_line(data.get("to_label") or data.get("to_status") or "")
    from_label = one_line(data.get("from_label") or data.get("from_status") or "")
    subject = f"{modification.ref} moved to {to_label}: {modification.title}"
    changed_at = data.get("changed_at")
    context = {
        "modification": modification,
        "from_label": from_label,
        "to_label": to_label,
        "reason": (data.get("reason") or "").strip() or None,
        "changed_on": format_date(parse_instant(changed_at)) if changed_at else None,
    }
    return AlertContent(EmailKind.STATUS_CHANGED, subject, context)


def _decision_recorded(data: Mapping[str, Any]) -> AlertContent:
    modification = modification_view(data["modification"])
    decision = decision_view(data["decision"])
    vote = f" ({decision.vote})" if decision.vote else ""
    subject = (
        f"{decision.body_label} {decision.outcome_label} {modification.ref}{vote}: "
        f"{modification.title}"
    )
    return AlertContent(
        EmailKind.DECISION_RECORDED, subject, {"modification": modification, "decision": decision}
    )


def _release(kind: EmailKind, data: Mapping[str, Any]) -> AlertContent:
    release = release_view(data["release"])
    if kind is EmailKind.RELEASE_SCHEDULED:
        subject = f"SEC Release scheduled for {release.effective_date}: {release.name}"
    elif release.sec_version:
        subject = f"SEC v{release.sec_version} published for the {release.name}"
    else:
        subject = f"Published: {release.name}"
    return AlertContent(kind, subject, {"release": release})


def alert_content(event_type: str, data: Mapping[str, Any]) -> AlertContent:
    """Return the template kind, subject and variables for an event, or raise NotAlertable."""
    match event_type:
        case "calendar.event.created":
            content = _event_created(data)
        case "calendar.event.updated":
            content = _event_updated(data)
        case "calendar.event.cancelled":
            content = _event_cancelled(data)
        case "registry.consultation.opened":
            content = _consultation(EmailKind.CONSULTATION_OPENED, data)
        case "registry.consultation.closing":
            content = _consultation(EmailKind.CONSULTATION_RESCHEDULED, data)
        case "registry.consultation.closed":
            content = _consultation(EmailKind.CONSULTATION_CLOSED, data)
        case "registry.modification.created":
            content = _modification_created(data)
        case "registry.modification.status_changed":
            content = _status_changed(data)
        case "registry.decision.recorded":
            content = _decision_recorded(data)
        case "registry.release.scheduled":
            content = _release(EmailKind.RELEASE_SCHEDULED, data)
        case "registry.release.published":
            content = _release(EmailKind.RELEASE_PUBLISHED, data)
        case _:
            raise NotAlertable(f"no alert email for {event_type!r}")
    return AlertContent(content.kind, one_line(content.subject, 180), content.context)
