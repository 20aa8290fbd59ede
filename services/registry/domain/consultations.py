"""Open, move and close consultations, on a modification or standalone."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from services.registry.domain.errors import InvalidField, InvalidState
from services.registry.domain.events import (
    ConsultationClosed,
    ConsultationClosing,
    ConsultationOpened,
    ConsultationReclassified,
)
from services.registry.domain.models import (
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Modification,
    disclosed,
)
from services.registry.domain.times import LONDON, require_utc
from shared.contracts.classification import Classification
from shared.events import DomainEvent


def consultation_id(title: str, closes_at: datetime) -> str:
    """Return a stable slug for a consultation: its title and UK closing date."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    closing_day = require_utc("closes_at", closes_at).astimezone(LONDON).date()
    return f"{words}-{closing_day.isoformat()}"


def open_consultation(
    title: str,
    kind: ConsultationKind,
    opens_at: datetime,
    closes_at: datetime,
    respond_to: str,
    *,
    base_url: str,
    classification: Classification,
    modification: Modification | None = None,
    slug: str | None = None,
) -> tuple[Consultation, list[DomainEvent]]:
    """Open a consultation, on `modification` or standalone; `closes_at` after `opens_at`."""
    consultation = Consultation(
        id=slug or consultation_id(title, closes_at),
        title=title,
        kind=kind,
        opens_at=opens_at,
        closes_at=closes_at,
        respond_to=respond_to,
        modification_ref=None if modification is None else modification.ref,
        classification=classification,
    )
    opened = ConsultationOpened(consultation, modification, base_url)
    return consultation, [opened]


def move_consultation(
    consultation: Consultation,
    modification: Modification | None,
    closes_at: datetime,
    *,
    base_url: str,
) -> tuple[Consultation, list[DomainEvent]]:
    """Move the closing date and time of an open consultation."""
    if consultation.status is not ConsultationStatus.OPEN:
        raise InvalidState(f"consultation {consultation.id} is closed; its closing date is final")
    closes_at = require_utc("closes_at", closes_at)
    if closes_at == consultation.closes_at:
        return consultation, []
    moved = dataclasses.replace(consultation, closes_at=closes_at)
    return moved, [ConsultationClosing(moved, modification, base_url)]


def close_consultation(
    consultation: Consultation,
    modification: Modification | None,
    at: datetime,
    *,
    base_url: str,
) -> tuple[Consultation, list[DomainEvent]]:
    """Close an open consultation at `at` (its deadline, or earlier if ended early)."""
    if consultation.status is not ConsultationStatus.OPEN:
        raise InvalidState(f"consultation {consultation.id} is already closed")
    at = require_utc("at", at)
    if consultation.opens_at is not None and at <= consultation.opens_at:
        raise InvalidField("at", "a consultation closes after it opens")
    # Closing early records the real end; a late close keeps the published deadline.
    closed = dataclasses.replace(
        consultation,
        status=ConsultationStatus.CLOSED,
        closes_at=min(at, consultation.closes_at),
    )
    return closed, [ConsultationClosed(closed, modification, base_url)]


def reclassify_consultation(
    consultation: Consultation,
    modification: Modification | None,
    classification: Classification,
    *,
    base_url: str,
) -> tuple[Consultation, list[DomainEvent]]:
    """Give a consultation a new mark; an event only when what it discloses changes."""
    after = dataclasses.replace(consultation, classification=classification)
    if after == consultation:
        return consultation, []
    events: list[DomainEvent] = []
    if disclosed(classification, modification) != disclosed(
        consultation.classification, modification
    ):
        events.append(ConsultationReclassified(after, modification, base_url))
    return after, events
