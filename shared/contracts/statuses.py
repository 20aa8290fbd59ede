"""Name the modification statuses and paths, with machine names and human labels."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a modification stands in the SEC Section D process (docs/workflow.md)."""

    DRAFT_PROPOSAL = "draft-proposal"
    INITIAL_CONSIDERATION = "initial-consideration"
    REFINEMENT = "refinement"
    REPORT_PHASE = "report-phase"
    MODIFICATION_REPORT_CONSULTATION = "modification-report-consultation"
    CHANGE_BOARD_VOTE = "change-board-vote"
    AWAITING_AUTHORITY_DECISION = "awaiting-authority-decision"
    APPROVED = "approved"
    REJECTED = "rejected"
    REFERRED = "referred"
    AWAITING_IMPLEMENTATION = "awaiting-implementation"
    IMPLEMENTED = "implemented"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Status:
        """Return the status named by a machine name or a human label."""
        wanted = text.strip().lower()
        for status in cls:
            if wanted in (status.value, status.label.lower()):
                return status
        names = ", ".join(s.value for s in cls)
        raise ValueError(f"{text!r} is not a status (expected one of: {names})")


_STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT_PROPOSAL: "Draft Proposal (Development Stage)",
    Status.INITIAL_CONSIDERATION: "Initial Consideration",
    Status.REFINEMENT: "Refinement",
    Status.REPORT_PHASE: "Report Phase",
    Status.MODIFICATION_REPORT_CONSULTATION: "Modification Report Consultation",
    Status.CHANGE_BOARD_VOTE: "Change Board Vote",
    Status.AWAITING_AUTHORITY_DECISION: "Awaiting Authority Decision",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
    Status.REFERRED: "Referred",
    Status.AWAITING_IMPLEMENTATION: "Awaiting Implementation",
    Status.IMPLEMENTED: "Implemented",
    Status.WITHDRAWN: "Withdrawn",
}


class Path(StrEnum):
    """Who decides a modification: the Authority (paths 1 and 2) or the SEC bodies."""

    AUTHORITY_TRIGGERED = "path-1"
    AUTHORITY_DETERMINATION = "path-2"
    SELF_GOVERNANCE = "path-3"
    FAST_TRACK = "fast-track"

    @property
    def label(self) -> str:
        return _PATH_LABELS[self]

    @property
    def authority_decides(self) -> bool:
        return self in (Path.AUTHORITY_TRIGGERED, Path.AUTHORITY_DETERMINATION)


_PATH_LABELS: dict[Path, str] = {
    Path.AUTHORITY_TRIGGERED: "Path 1: Authority-triggered",
    Path.AUTHORITY_DETERMINATION: "Path 2: Authority Determination",
    Path.SELF_GOVERNANCE: "Path 3: Self-Governance",
    Path.FAST_TRACK: "Fast-Track Self-Governance",
}
