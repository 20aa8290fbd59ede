"""Map the registry's domain dataclasses to MongoDB documents and back."""

from __future__ import annotations

import re
from datetime import date, datetime

from services.registry.domain.models import (
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Decision,
    DecisionBody,
    DocumentChange,
    Modification,
    Outcome,
    Release,
    ReleaseKind,
    ReleaseStatus,
    Vote,
)
from services.registry.domain.workflow import HistoryEntry
from shared.contracts.classification import fail_closed
from shared.contracts.statuses import Path, Status
from shared.db import Document
from shared.refs import ModificationRef

_WORD = re.compile(r"[a-z0-9]+")


def search_tokens(*texts: str) -> list[str]:
    """Return the distinct lower-case words of `texts`: the free-text index's keys."""
    return sorted({word for text in texts for word in _WORD.findall(text.lower())})


def _day(value: date) -> str:
    # BSON has no date-only type; ISO strings sort and compare correctly.
    return value.isoformat()


def modification_document(mod: Modification, aliases: list[str] | None = None) -> Document:
    """Return the stored form of a modification; `_id` is its reference."""
    return {
        "_id": str(mod.ref),
        "aliases": aliases or [],
        "title": mod.title,
        "summary": mod.summary,
        "status": mod.status.value,
        "created_at": mod.created_at,
        "updated_at": mod.updated_at,
        "proposer": mod.proposer,
        "path": None if mod.path is None else mod.path.value,
        "working_group": mod.working_group,
        "high_impact": mod.high_impact,
        "affected_documents": list(mod.affected_documents),
        "linked_irps": list(mod.linked_irps),
        "target_release": mod.target_release,
        "classification": mod.classification.value,
        "version": mod.version,
        "tokens": search_tokens(str(mod.ref), mod.title, mod.summary),
    }


def modification_from(doc: Document) -> Modification:
    return Modification(
        ref=ModificationRef.parse(doc["_id"]),
        title=doc["title"],
        status=Status(doc["status"]),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        summary=doc["summary"],
        proposer=doc["proposer"],
        path=None if doc["path"] is None else Path(doc["path"]),
        working_group=doc["working_group"],
        high_impact=doc["high_impact"],
        affected_documents=tuple(doc["affected_documents"]),
        linked_irps=tuple(doc["linked_irps"]),
        target_release=doc["target_release"],
        classification=fail_closed(doc.get("classification")),
        version=doc["version"],
    )


def history_document(entry: HistoryEntry) -> Document:
    return {
        "ref": str(entry.ref),
        "previous_ref": str(entry.previous_ref),
        "from_status": entry.from_status.value,
        "to_status": entry.to_status.value,
        "actor": entry.actor,
        "reason": entry.reason,
        "at": entry.at,
        "version": entry.version,
    }


def history_from(doc: Document) -> HistoryEntry:
    return HistoryEntry(
        ref=ModificationRef.parse(doc["ref"]),
        previous_ref=ModificationRef.parse(doc["previous_ref"]),
        from_status=Status(doc["from_status"]),
        to_status=Status(doc["to_status"]),
        actor=doc["actor"],
        reason=doc["reason"],
        at=doc["at"],
        version=doc["version"],
    )


def consultation_document(consultation: Consultation) -> Document:
    ref = consultation.modification_ref
    return {
        "_id": consultation.id,
        "title": consultation.title,
        "kind": consultation.kind.value,
        "opens_at": consultation.opens_at,
        "closes_at": consultation.closes_at,
        "respond_to": consultation.respond_to,
        "modification_ref": None if ref is None else str(ref),
        "status": consultation.status.value,
        "classification": consultation.classification.value,
    }


def consultation_from(doc: Document) -> Consultation:
    ref = doc["modification_ref"]
    return Consultation(
        id=doc["_id"],
        title=doc["title"],
        kind=ConsultationKind(doc["kind"]),
        opens_at=doc["opens_at"],
        closes_at=doc["closes_at"],
        respond_to=doc["respond_to"],
        modification_ref=None if ref is None else ModificationRef.parse(ref),
        status=ConsultationStatus(doc["status"]),
        classification=fail_closed(doc.get("classification")),
    )


def decision_document(decision: Decision) -> Document:
    return {
        "_id": decision.id,
        "modification_ref": str(decision.modification_ref),
        "body": decision.body.value,
        "outcome": decision.outcome.value,
        "decided_on": _day(decision.decided_on),
        "summary": decision.summary,
        "vote": None if decision.vote is None else decision.vote.value,
        "classification": decision.classification.value,
    }


def decision_from(doc: Document) -> Decision:
    return Decision(
        id=doc["_id"],
        modification_ref=ModificationRef.parse(doc["modification_ref"]),
        body=DecisionBody(doc["body"]),
        outcome=Outcome(doc["outcome"]),
        decided_on=date.fromisoformat(doc["decided_on"]),
        # Decisions stored before they had a mark of their own fail closed.
        classification=fail_closed(doc.get("classification")),
        summary=doc["summary"],
        vote=None if doc["vote"] is None else Vote(doc["vote"]),
    )


def release_document(release: Release) -> Document:
    return {
        "_id": release.id,
        "name": release.name,
        "effective_date": _day(release.effective_date),
        "kind": release.kind.value,
        "sec_version": release.sec_version,
        "modification_refs": [str(ref) for ref in release.modification_refs],
        "documents": [
            {
                "document": row.document,
                "available_on_codeworks": row.available_on_codeworks,
                "sec_modification": row.sec_modification,
                "beis_designation": row.beis_designation,
            }
            for row in release.documents
        ],
        "status": release.status.value,
        "published_at": release.published_at,
        "summary": release.summary,
        "version": release.version,
    }


def release_from(doc: Document) -> Release:
    published_at: datetime | None = doc["published_at"]
    return Release(
        id=doc["_id"],
        name=doc["name"],
        effective_date=date.fromisoformat(doc["effective_date"]),
        kind=ReleaseKind(doc["kind"]),
        sec_version=doc["sec_version"],
        modification_refs=tuple(ModificationRef.parse(ref) for ref in doc["modification_refs"]),
        documents=tuple(DocumentChange(**row) for row in doc["documents"]),
        status=ReleaseStatus(doc["status"]),
        published_at=published_at,
        summary=doc["summary"],
        version=doc["version"],
    )
