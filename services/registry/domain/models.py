"""Define the registry's entities: modifications, consultations, decisions and releases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from services.registry.domain.errors import InvalidField
from services.registry.domain.times import require_utc
from shared.contracts.classification import Classification, most_restricted
from shared.contracts.statuses import Path, Status
from shared.refs import ModificationRef

# Section A-Z (and X1-style transitional sections are written "Section X"),
# Appendix A-AZ, Schedule 1-99: the SEC's document numbering.
_DOCUMENT = re.compile(r"^(Section [A-Z]|Appendix [A-Z]{1,2}|Schedule \d{1,2})$")
_IRP = re.compile(r"^(IRP|CRP)\d{2,4}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TITLE_MAX = 300


class ConsultationKind(StrEnum):
    REFINEMENT = "refinement"
    MODIFICATION_REPORT = "modification-report"
    INDUSTRY = "industry"
    BUDGET = "budget"
    JIP_CHANGE_REQUEST = "jip-change-request"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS: dict[ConsultationKind, str] = {
    ConsultationKind.REFINEMENT: "Refinement Consultation",
    ConsultationKind.MODIFICATION_REPORT: "Modification Report Consultation",
    ConsultationKind.INDUSTRY: "Industry Consultation",
    ConsultationKind.BUDGET: "Budget Consultation",
    ConsultationKind.JIP_CHANGE_REQUEST: "JIP Change Request",
    ConsultationKind.OTHER: "Consultation",
}


class ConsultationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class DecisionBody(StrEnum):
    PANEL = "panel"
    CHANGE_BOARD = "change_board"
    AUTHORITY = "authority"


class Outcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RECOMMEND_APPROVE = "recommend_approve"
    RECOMMEND_REJECT = "recommend_reject"
    DETERMINE = "determine"
    REFER = "refer"
    NOTE = "note"


class Vote(StrEnum):
    UNANIMOUS = "unanimous"
    MAJORITY = "majority"


class ReleaseKind(StrEnum):
    SCHEDULED = "scheduled"
    AD_HOC = "ad-hoc"


class ReleaseStatus(StrEnum):
    PLANNED = "planned"
    PUBLISHED = "published"


def require_text(name: str, value: str, *, max_length: int = TITLE_MAX) -> str:
    """Return `value` stripped, refusing an empty or over-long string."""
    if not isinstance(value, str):
        raise InvalidField(name, f"expected text, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InvalidField(name, "must not be empty")
    if len(text) > max_length:
        raise InvalidField(name, f"must be at most {max_length} characters")
    return text


def require_slug(name: str, value: str) -> str:
    """Return `value` if it is a lower-case slug such as ``2020-11``."""
    if not isinstance(value, str) or not _SLUG.match(value):
        raise InvalidField(name, f"{value!r} is not a slug (lower-case letters, digits, hyphens)")
    return value


def require_documents(name: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Return SEC document names such as ``Section G``, ``Appendix AB``, ``Schedule 11``."""
    for value in values:
        if not isinstance(value, str) or not _DOCUMENT.match(value):
            raise InvalidField(
                name, f"{value!r} is not a SEC document (Section X, Appendix XX or Schedule N)"
            )
    return tuple(values)


def require_irps(name: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Return Issue Resolution Proposal references such as ``IRP550``."""
    for value in values:
        if not isinstance(value, str) or not _IRP.match(value):
            raise InvalidField(name, f"{value!r} is not an IRP reference (IRPnnn or CRPnnn)")
    return tuple(values)


@dataclass(frozen=True, slots=True)
class Modification:
    """A Draft or Modification Proposal as held in the register."""

    ref: ModificationRef
    title: str
    status: Status
    created_at: datetime
    updated_at: datetime
    # No default: who may see a proposal is decided when it is raised, never assumed.
    classification: Classification
    summary: str = ""
    proposer: str | None = None
    # None until the Panel determines the path (Draft Proposals, older records).
    path: Path | None = None
    working_group: str | None = None
    high_impact: bool = False
    affected_documents: tuple[str, ...] = ()
    linked_irps: tuple[str, ...] = ()
    target_release: str | None = None
    version: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", require_text("title", self.title))
        object.__setattr__(self, "created_at", require_utc("created_at", self.created_at))
        object.__setattr__(self, "updated_at", require_utc("updated_at", self.updated_at))
        require_documents("affected_documents", self.affected_documents)
        require_irps("linked_irps", self.linked_irps)
        if self.target_release is not None:
            require_slug("target_release", self.target_release)
        if self.updated_at < self.created_at:
            raise InvalidField("updated_at", "must not be before created_at")
        if self.version < 1:
            raise InvalidField("version", "must be 1 or more")
        # A DP is a problem statement: it only exists before conversion (or
        # withdrawn as a DP); an MP never goes back to the Development Stage.
        if self.ref.is_draft and self.status not in (Status.DRAFT_PROPOSAL, Status.WITHDRAWN):
            raise InvalidField("status", f"a Draft Proposal cannot be {self.status.value}")
        if not self.ref.is_draft and self.status is Status.DRAFT_PROPOSAL:
            raise InvalidField("status", f"{self.ref} is not a Draft Proposal")


@dataclass(frozen=True, slots=True)
class Consultation:
    """A consultation on a modification, or a standalone one (budget, JIP change request)."""

    id: str
    title: str
    kind: ConsultationKind
    closes_at: datetime
    respond_to: str
    # Its own mark; what it discloses is also bounded by its modification's (`disclosed`).
    classification: Classification
    # None when the source gives no opening date.
    opens_at: datetime | None = None
    modification_ref: ModificationRef | None = None
    status: ConsultationStatus = ConsultationStatus.OPEN

    def __post_init__(self) -> None:
        require_slug("id", self.id)
        object.__setattr__(self, "title", require_text("title", self.title))
        object.__setattr__(self, "respond_to", require_text("respond_to", self.respond_to))
        object.__setattr__(self, "closes_at", require_utc("closes_at", self.closes_at))
        if self.opens_at is not None:
            opens_at = require_utc("opens_at", self.opens_at)
            object.__setattr__(self, "opens_at", opens_at)
            if self.closes_at <= opens_at:
                raise InvalidField(
                    "closes_at",
                    f"must be after opens_at ({opens_at.isoformat()}), "
                    f"got {self.closes_at.isoformat()}",
                )


@dataclass(frozen=True, slots=True)
class Decision:
    """A Panel determination, a Change Board vote or an Authority decision on a modification."""

    id: str
    modification_ref: ModificationRef
    body: DecisionBody
    outcome: Outcome
    decided_on: date
    # Its own mark; what it discloses is also bounded by its modification's (`disclosed`).
    classification: Classification
    summary: str = ""
    vote: Vote | None = None

    def __post_init__(self) -> None:
        require_slug("id", self.id)
        if self.vote is not None and self.body is not DecisionBody.CHANGE_BOARD:
            raise InvalidField("vote", "only a Change Board decision records a vote")


@dataclass(frozen=True, slots=True)
class DocumentChange:
    """One row of a release's "What parts of the SEC were affected?" table.

    The three columns are the release page's yes/no columns; None where a
    source lists the document without saying.
    """

    document: str
    available_on_codeworks: bool | None = None
    sec_modification: bool | None = None
    beis_designation: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "document", require_text("document", self.document))


@dataclass(frozen=True, slots=True)
class Release:
    """A SEC Release: scheduled (February, June, November) or ad hoc."""

    id: str
    name: str
    effective_date: date
    kind: ReleaseKind
    sec_version: str | None = None
    modification_refs: tuple[ModificationRef, ...] = ()
    documents: tuple[DocumentChange, ...] = ()
    status: ReleaseStatus = ReleaseStatus.PLANNED
    published_at: datetime | None = None
    summary: str = ""
    version: int = 1

    def __post_init__(self) -> None:
        require_slug("id", self.id)
        object.__setattr__(self, "name", require_text("name", self.name))
        if len(set(self.modification_refs)) != len(self.modification_refs):
            raise InvalidField("modification_refs", "lists a modification twice")
        if any(ref.is_draft for ref in self.modification_refs):
            raise InvalidField("modification_refs", "a Draft Proposal cannot be released")
        if self.published_at is not None:
            object.__setattr__(self, "published_at", require_utc("published_at", self.published_at))
        if (self.status is ReleaseStatus.PUBLISHED) != (self.published_at is not None):
            raise InvalidField("published_at", "is set exactly when the release is published")


def disclosed(own: Classification, modification: Modification | None) -> Classification:
    """Return the mark of a consultation or decision: its own, or its modification's if stricter.

    A White consultation on a Red modification would otherwise publish the Red title.
    """
    return own if modification is None else most_restricted(own, modification.classification)
