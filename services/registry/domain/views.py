"""Render entities as the registry API's JSON views."""

from __future__ import annotations

from typing import Any

from services.registry.domain.models import Consultation, DocumentChange, Modification, Release
from services.registry.domain.snapshots import consultation_snapshot, release_snapshot
from services.registry.domain.times import iso
from services.registry.domain.workflow import HistoryEntry, allowed_transitions
from shared.contracts.classification import Classification


def modification_view(mod: Modification) -> dict[str, Any]:
    """Return the API's JSON for one modification, with the moves it may make next."""
    return {
        "ref": str(mod.ref),
        "is_draft": mod.ref.is_draft,
        "title": mod.title,
        "summary": mod.summary,
        "proposer": mod.proposer,
        "status": mod.status.value,
        "status_label": mod.status.label,
        "allowed_transitions": [status.value for status in allowed_transitions(mod)],
        "path": None if mod.path is None else mod.path.value,
        "path_label": None if mod.path is None else mod.path.label,
        "working_group": mod.working_group,
        "high_impact": mod.high_impact,
        "affected_documents": list(mod.affected_documents),
        "linked_irps": list(mod.linked_irps),
        "target_release": mod.target_release,
        "classification": mod.classification.value,
        "created_at": iso(mod.created_at),
        "updated_at": iso(mod.updated_at),
        "version": mod.version,
    }


def consultation_view(
    consultation: Consultation, base_url: str, disclosed: Classification
) -> dict[str, Any]:
    """Return the API's JSON for one consultation: its own mark and what it discloses."""
    return {
        **consultation_snapshot(consultation, base_url, disclosed),
        "classification": consultation.classification.value,
        "disclosed_classification": disclosed.value,
    }


def document_change_view(row: DocumentChange) -> dict[str, Any]:
    """Return one row of a release's document table."""
    return {
        "document": row.document,
        "available_on_codeworks": row.available_on_codeworks,
        "sec_modification": row.sec_modification,
        "beis_designation": row.beis_designation,
    }


def release_view(release: Release, base_url: str) -> dict[str, Any]:
    """Return the API's JSON for one release, with its document table."""
    return {
        **release_snapshot(release, base_url, release.modification_refs),
        "status": release.status.value,
        "published_at": iso(release.published_at),
        "summary": release.summary,
        "documents": [document_change_view(row) for row in release.documents],
        "version": release.version,
    }


def history_entry_view(entry: HistoryEntry) -> dict[str, Any]:
    """Return the API's JSON for one recorded status move."""
    return {
        "ref": str(entry.ref),
        "previous_ref": str(entry.previous_ref),
        "from_status": entry.from_status.value,
        "from_label": entry.from_status.label,
        "to_status": entry.to_status.value,
        "to_label": entry.to_status.label,
        "actor": entry.actor,
        "reason": entry.reason,
        "at": iso(entry.at),
        "version": entry.version,
    }
