"""Render entities as the JSON shapes of the event catalogue (docs/events.md)."""

from __future__ import annotations

from typing import Any

from services.registry.domain.models import (
    Consultation,
    Decision,
    Modification,
    Release,
)
from services.registry.domain.times import iso
from shared.contracts.classification import Classification
from shared.refs import ModificationRef


def modification_url(base_url: str, ref: object) -> str:
    """Return the HTML page of a modification, e.g. ``{base}/modifications/MP192``."""
    return f"{base_url.rstrip('/')}/modifications/{ref}"


def consultation_url(base_url: str, consultation_id: str) -> str:
    """Return the HTML page of a consultation."""
    return f"{base_url.rstrip('/')}/consultations/{consultation_id}"


def release_url(base_url: str, release_id: str) -> str:
    """Return the HTML page of a release."""
    return f"{base_url.rstrip('/')}/releases/{release_id}"


def modification_snapshot(mod: Modification, base_url: str) -> dict[str, Any]:
    """Return the event catalogue's `modification` shape."""
    return {
        "ref": str(mod.ref),
        "title": mod.title,
        "summary": mod.summary,
        "status": mod.status.value,
        "status_label": mod.status.label,
        "path": None if mod.path is None else mod.path.value,
        "path_label": None if mod.path is None else mod.path.label,
        "working_group": mod.working_group,
        "high_impact": mod.high_impact,
        "proposer": mod.proposer,
        "target_release": mod.target_release,
        "is_draft": mod.ref.is_draft,
        "url": modification_url(base_url, mod.ref),
        "classification": mod.classification.value,
    }


def consultation_snapshot(
    consultation: Consultation, base_url: str, classification: Classification
) -> dict[str, Any]:
    """Return the event catalogue's `consultation` shape, marked `classification`."""
    ref = consultation.modification_ref
    return {
        "id": consultation.id,
        "title": consultation.title,
        "kind": consultation.kind.value,
        "kind_label": consultation.kind.label,
        "modification_ref": None if ref is None else str(ref),
        "opens_at": iso(consultation.opens_at),
        "closes_at": iso(consultation.closes_at),
        "respond_to": consultation.respond_to,
        "url": consultation_url(base_url, consultation.id),
        "status": consultation.status.value,
        "classification": classification.value,
    }


def decision_snapshot(decision: Decision, classification: Classification) -> dict[str, Any]:
    """Return the event catalogue's `decision` shape, marked `classification`."""
    return {
        "id": decision.id,
        "modification_ref": str(decision.modification_ref),
        "body": decision.body.value,
        "outcome": decision.outcome.value,
        "vote": None if decision.vote is None else decision.vote.value,
        "decided_on": decision.decided_on.isoformat(),
        "summary": decision.summary,
        "classification": classification.value,
    }


def release_snapshot(
    release: Release, base_url: str, public_refs: tuple[ModificationRef, ...]
) -> dict[str, Any]:
    """Return the event catalogue's `release` shape, naming only its `public_refs`."""
    return {
        "id": release.id,
        "name": release.name,
        "sec_version": release.sec_version,
        "effective_date": release.effective_date.isoformat(),
        "kind": release.kind.value,
        "modification_refs": [str(ref) for ref in release.modification_refs if ref in public_refs],
        "url": release_url(base_url, release.id),
    }
