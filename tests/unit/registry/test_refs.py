"""Specify which modification references the register accepts and how DPs become MPs."""

from __future__ import annotations

import pytest

from services.registry.domain.errors import InvalidField
from shared.contracts.statuses import Path, Status
from shared.refs import InvalidReference, ModificationRef, RefKind
from tests.unit.registry.factories import modification


@pytest.mark.parametrize(
    ("text", "kind", "number", "alternative"),
    [
        ("SECMP0021", RefKind.LEGACY, 21, ""),
        ("MP192", RefKind.MODIFICATION, 192, ""),
        ("MP085A", RefKind.MODIFICATION, 85, "A"),
        ("DP197", RefKind.DRAFT, 197, ""),
        (" mp102a ", RefKind.MODIFICATION, 102, "A"),
    ],
)
def test_every_real_reference_form_parses_and_prints_back(
    text: str, kind: RefKind, number: int, alternative: str
) -> None:
    ref = ModificationRef.parse(text)
    assert (ref.kind, ref.number, ref.alternative) == (kind, number, alternative)
    assert str(ref) == text.strip().upper()


@pytest.mark.parametrize(
    "text", ["", "MP19", "MP1920", "SECMP021", "DP197A", "XP192", "MP 192", "192", "MP192AB"]
)
def test_anything_else_is_rejected_with_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidReference, match=r"reference|digits|alternative"):
        ModificationRef.parse(text)


def test_draft_proposal_becomes_modification_proposal_keeping_its_number() -> None:
    assert str(ModificationRef.parse("DP197").as_modification()) == "MP197"


def test_a_draft_proposal_is_only_held_in_the_development_stage_or_withdrawn() -> None:
    with pytest.raises(InvalidField, match="Draft Proposal cannot be refinement"):
        modification("DP197", Status.REFINEMENT, path=None)
    assert modification("DP197", Status.WITHDRAWN, path=None).ref.is_draft


def test_a_modification_proposal_is_never_in_the_development_stage() -> None:
    with pytest.raises(InvalidField, match="not a Draft Proposal"):
        modification("MP192", Status.DRAFT_PROPOSAL, path=Path.SELF_GOVERNANCE)
