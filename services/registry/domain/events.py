"""Define the registry's domain events; `data()` gives docs/events.md's shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from services.registry.domain.models import (
    Consultation,
    Decision,
    Modification,
    Release,
    disclosed,
)
from services.registry.domain.snapshots import (
    consultation_snapshot,
    decision_snapshot,
    modification_snapshot,
    release_snapshot,
)
from services.registry.domain.times import iso
from shared.contracts.events import EventName
from shared.contracts.statuses import Status
from shared.refs import ModificationRef

SOURCE = "/registry"


@dataclass(frozen=True, slots=True)
class ModificationCreated:
    event_type: ClassVar[str] = EventName.MODIFICATION_CREATED
    modification: Modification
    base_url: str
    # Set when history is imported: the event's time is then when it happened.
    occurred_at: datetime | None = None

    @property
    def subject(self) -> str:
        return str(self.modification.ref)

    def data(self) -> dict[str, Any]:
        return {"modification": modification_snapshot(self.modification, self.base_url)}


@dataclass(frozen=True, slots=True)
class ModificationUpdated:
    event_type: ClassVar[str] = EventName.MODIFICATION_UPDATED
    modification: Modification
    changed: tuple[str, ...]
    base_url: str

    @property
    def subject(self) -> str:
        return str(self.modification.ref)

    def data(self) -> dict[str, Any]:
        return {
            "modification": modification_snapshot(self.modification, self.base_url),
            "changed": list(self.changed),
        }


@dataclass(frozen=True, slots=True)
class ModificationStatusChanged:
    """A status move; `modification` is the state after it (a converted DP carries its MP ref)."""

    event_type: ClassVar[str] = EventName.MODIFICATION_STATUS_CHANGED
    modification: Modification
    from_status: Status
    to_status: Status
    reason: str
    actor: str
    changed_at: datetime
    base_url: str
    # The reference before the move: DP197 when the move converted it to MP197.
    previous_ref: ModificationRef | None = None
    # Set when history is imported: the event's time is then when it happened.
    occurred_at: datetime | None = None

    @property
    def subject(self) -> str:
        return str(self.modification.ref)

    def data(self) -> dict[str, Any]:
        return {
            "modification": modification_snapshot(self.modification, self.base_url),
            "previous_ref": str(self.previous_ref or self.modification.ref),
            "from_status": self.from_status.value,
            "to_status": self.to_status.value,
            "from_label": self.from_status.label,
            "to_label": self.to_status.label,
            "reason": self.reason,
            "actor": self.actor,
            "changed_at": iso(self.changed_at),
        }


@dataclass(frozen=True, slots=True)
class _ConsultationEvent:
    """What every consultation event carries: the consultation as it now stands."""

    event_type: ClassVar[str]
    consultation: Consultation
    # The modification it is about (None for a standalone one): it bounds the mark.
    modification: Modification | None
    base_url: str

    @property
    def subject(self) -> str:
        return self.consultation.id

    def data(self) -> dict[str, Any]:
        mark = disclosed(self.consultation.classification, self.modification)
        return {"consultation": consultation_snapshot(self.consultation, self.base_url, mark)}


@dataclass(frozen=True, slots=True)
class ConsultationOpened(_ConsultationEvent):
    event_type: ClassVar[str] = EventName.CONSULTATION_OPENED


@dataclass(frozen=True, slots=True)
class ConsultationClosing(_ConsultationEvent):
    """The closing date and time of an open consultation moved."""

    event_type: ClassVar[str] = EventName.CONSULTATION_CLOSING


@dataclass(frozen=True, slots=True)
class ConsultationClosed(_ConsultationEvent):
    event_type: ClassVar[str] = EventName.CONSULTATION_CLOSED


@dataclass(frozen=True, slots=True)
class ConsultationReclassified(_ConsultationEvent):
    """Its mark, or its modification's, changed: derived entries follow it."""

    event_type: ClassVar[str] = EventName.CONSULTATION_RECLASSIFIED


@dataclass(frozen=True, slots=True)
class _DecisionEvent:
    event_type: ClassVar[str]
    decision: Decision
    modification: Modification
    base_url: str
    # Set when history is imported: the event's time is then when it happened.
    occurred_at: datetime | None = None

    @property
    def subject(self) -> str:
        return str(self.decision.modification_ref)

    def data(self) -> dict[str, Any]:
        mark = disclosed(self.decision.classification, self.modification)
        return {
            "decision": decision_snapshot(self.decision, mark),
            "modification": modification_snapshot(self.modification, self.base_url),
        }


@dataclass(frozen=True, slots=True)
class DecisionRecorded(_DecisionEvent):
    event_type: ClassVar[str] = EventName.DECISION_RECORDED


@dataclass(frozen=True, slots=True)
class DecisionReclassified(_DecisionEvent):
    """Its mark, or its modification's, changed: derived entries follow it."""

    event_type: ClassVar[str] = EventName.DECISION_RECLASSIFIED


@dataclass(frozen=True, slots=True)
class _ReleaseEvent:
    """What every release event carries: the release as it now stands.

    `public_refs` are the release's modifications that are White: a release is public,
    and the others are not named outside the secretariat.
    """

    event_type: ClassVar[str]
    release: Release
    public_refs: tuple[ModificationRef, ...]
    base_url: str

    @property
    def subject(self) -> str:
        return self.release.id

    def data(self) -> dict[str, Any]:
        return {"release": release_snapshot(self.release, self.base_url, self.public_refs)}


@dataclass(frozen=True, slots=True)
class ReleaseScheduled(_ReleaseEvent):
    event_type: ClassVar[str] = EventName.RELEASE_SCHEDULED


@dataclass(frozen=True, slots=True)
class ReleaseUpdated(_ReleaseEvent):
    """What it discloses changed (one of its modifications was reclassified)."""

    event_type: ClassVar[str] = EventName.RELEASE_UPDATED


@dataclass(frozen=True, slots=True)
class ReleasePublished(_ReleaseEvent):
    event_type: ClassVar[str] = EventName.RELEASE_PUBLISHED


RegistryEvent = (
    ModificationCreated
    | ModificationUpdated
    | ModificationStatusChanged
    | ConsultationOpened
    | ConsultationClosing
    | ConsultationClosed
    | ConsultationReclassified
    | DecisionRecorded
    | DecisionReclassified
    | ReleaseScheduled
    | ReleaseUpdated
    | ReleasePublished
)
