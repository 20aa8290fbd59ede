"""Define the registry's domain events; `data()` gives docs/events.md's shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from services.registry.domain.models import Consultation, Decision, Modification, Release
from services.registry.domain.snapshots import (
    consultation_snapshot,
    decision_snapshot,
    modification_snapshot,
    release_snapshot,
)
from services.registry.domain.times import iso
from shared.contracts.statuses import Status
from shared.refs import ModificationRef

SOURCE = "/registry"


@dataclass(frozen=True, slots=True)
class ModificationCreated:
    event_type: ClassVar[str] = "registry.modification.created"
    modification: Modification
    base_url: str

    @property
    def subject(self) -> str:
        return str(self.modification.ref)

    def data(self) -> dict[str, Any]:
        return {"modification": modification_snapshot(self.modification, self.base_url)}


@dataclass(frozen=True, slots=True)
class ModificationUpdated:
    event_type: ClassVar[str] = "registry.modification.updated"
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

    event_type: ClassVar[str] = "registry.modification.status_changed"
    modification: Modification
    from_status: Status
    to_status: Status
    reason: str
    actor: str
    changed_at: datetime
    base_url: str
    # The reference before the move: DP197 when the move converted it to MP197.
    previous_ref: ModificationRef | None = None

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
    base_url: str

    @property
    def subject(self) -> str:
        return self.consultation.id

    def data(self) -> dict[str, Any]:
        return {"consultation": consultation_snapshot(self.consultation, self.base_url)}


@dataclass(frozen=True, slots=True)
class ConsultationOpened(_ConsultationEvent):
    event_type: ClassVar[str] = "registry.consultation.opened"


@dataclass(frozen=True, slots=True)
class ConsultationClosing(_ConsultationEvent):
    """The closing date and time of an open consultation moved."""

    event_type: ClassVar[str] = "registry.consultation.closing"


@dataclass(frozen=True, slots=True)
class ConsultationClosed(_ConsultationEvent):
    event_type: ClassVar[str] = "registry.consultation.closed"


@dataclass(frozen=True, slots=True)
class DecisionRecorded:
    event_type: ClassVar[str] = "registry.decision.recorded"
    decision: Decision
    modification: Modification
    base_url: str

    @property
    def subject(self) -> str:
        return str(self.decision.modification_ref)

    def data(self) -> dict[str, Any]:
        return {
            "decision": decision_snapshot(self.decision),
            "modification": modification_snapshot(self.modification, self.base_url),
        }


@dataclass(frozen=True, slots=True)
class _ReleaseEvent:
    """What every release event carries: the release as it now stands."""

    event_type: ClassVar[str]
    release: Release
    base_url: str

    @property
    def subject(self) -> str:
        return self.release.id

    def data(self) -> dict[str, Any]:
        return {"release": release_snapshot(self.release, self.base_url)}


@dataclass(frozen=True, slots=True)
class ReleaseScheduled(_ReleaseEvent):
    event_type: ClassVar[str] = "registry.release.scheduled"


@dataclass(frozen=True, slots=True)
class ReleasePublished(_ReleaseEvent):
    event_type: ClassVar[str] = "registry.release.published"


RegistryEvent = (
    ModificationCreated
    | ModificationUpdated
    | ModificationStatusChanged
    | ConsultationOpened
    | ConsultationClosing
    | ConsultationClosed
    | DecisionRecorded
    | ReleaseScheduled
    | ReleasePublished
)

EVENT_TYPES: tuple[str, ...] = (
    ModificationCreated.event_type,
    ModificationUpdated.event_type,
    ModificationStatusChanged.event_type,
    ConsultationOpened.event_type,
    ConsultationClosing.event_type,
    ConsultationClosed.event_type,
    DecisionRecorded.event_type,
    ReleaseScheduled.event_type,
    ReleasePublished.event_type,
)
