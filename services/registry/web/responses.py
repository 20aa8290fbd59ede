"""Response bodies of the registry API, as the OpenAPI document describes them."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.registry.domain.models import (
    ConsultationKind,
    ConsultationStatus,
    DecisionBody,
    Outcome,
    ReleaseKind,
    ReleaseStatus,
    Vote,
)
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path, Status


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModificationOut(_Out):
    """A Draft or Modification Proposal, with the statuses it may move to next."""

    ref: str
    is_draft: bool
    title: str
    summary: str
    proposer: str | None
    status: Status
    status_label: str
    allowed_transitions: list[Status]
    path: Path | None
    path_label: str | None
    working_group: str | None
    high_impact: bool
    affected_documents: list[str]
    linked_irps: list[str]
    target_release: str | None
    classification: Classification
    created_at: AwareDatetime
    updated_at: AwareDatetime
    version: int
    url: str


class ModificationPage(_Out):
    items: list[ModificationOut]
    next_cursor: str | None
    limit: int
    # Present when there is a next page: this query with its cursor.
    next: str | None = None


class HistoryEntryOut(_Out):
    """One recorded status move: who, when, from, to and why."""

    ref: str
    previous_ref: str
    from_status: Status
    from_label: str
    to_status: Status
    to_label: str
    actor: str
    reason: str
    at: AwareDatetime
    version: int


class HistoryList(_Out):
    ref: str
    items: list[HistoryEntryOut]


class TransitionResult(_Out):
    modification: ModificationOut
    history_entry: HistoryEntryOut


class DecisionOut(_Out):
    """A Panel, Change Board or Authority decision, marked with what it discloses."""

    id: str
    modification_ref: str
    body: DecisionBody
    outcome: Outcome
    vote: Vote | None
    decided_on: date
    summary: str
    classification: Classification


class DecisionList(_Out):
    items: list[DecisionOut]


class DecisionResult(_Out):
    decision: DecisionOut
    modification: ModificationOut


class ConsultationOut(_Out):
    """A consultation: its own mark and the one it discloses (raised to its modification's)."""

    id: str
    title: str
    kind: ConsultationKind
    kind_label: str
    modification_ref: str | None
    opens_at: AwareDatetime | None
    closes_at: AwareDatetime
    respond_to: str
    url: str
    status: ConsultationStatus
    classification: Classification
    disclosed_classification: Classification


class ConsultationList(_Out):
    items: list[ConsultationOut]


class DocumentRowOut(_Out):
    document: str
    available_on_codeworks: bool | None
    sec_modification: bool | None
    beis_designation: bool | None


class ReleaseOut(_Out):
    """A SEC Release with its document table; without a token it names White modifications."""

    id: str
    name: str
    sec_version: str | None
    effective_date: date
    kind: ReleaseKind
    modification_refs: list[str]
    url: str
    status: ReleaseStatus
    published_at: AwareDatetime | None
    summary: str
    documents: list[DocumentRowOut]
    version: int


class ReleaseList(_Out):
    items: list[ReleaseOut]
