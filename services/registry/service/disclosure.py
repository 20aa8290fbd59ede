"""Decide what a reader outside the secretariat may see of consultations, decisions, releases.

A consultation or decision shows its own mark raised to its modification's; a release is
public but names only its White modifications. Anything not found reads as restricted.
"""

from __future__ import annotations

import dataclasses

from services.registry.domain.models import Consultation, Decision, Modification, Release
from services.registry.service.register import Register
from shared.contracts.classification import Classification, most_restricted
from shared.refs import ModificationRef


def _modification(register: Register, ref: ModificationRef) -> Modification | None:
    found = register.get(str(ref))
    if found is None:
        current = register.moved_to(str(ref))
        found = None if current is None else register.get(current)
    return found


def consultation_mark(register: Register, consultation: Consultation) -> Classification:
    """Return what a consultation discloses: its mark, or its modification's if stricter."""
    ref = consultation.modification_ref
    if ref is None:
        return consultation.classification
    mod = _modification(register, ref)
    return most_restricted(consultation.classification, None if mod is None else mod.classification)


def decision_mark(register: Register, decision: Decision) -> Classification:
    """Return what a decision discloses: its mark, or its modification's if stricter."""
    mod = _modification(register, decision.modification_ref)
    return most_restricted(decision.classification, None if mod is None else mod.classification)


def is_public_ref(register: Register, ref: ModificationRef) -> bool:
    mod = _modification(register, ref)
    return mod is not None and mod.classification.is_public


def public_release(register: Register, release: Release) -> Release:
    """Return the release as the public sees it: only its White modifications named."""
    refs = tuple(ref for ref in release.modification_refs if is_public_ref(register, ref))
    return dataclasses.replace(release, modification_refs=refs)
