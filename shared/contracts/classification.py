"""Name the information classifications and read them failing closed.

A rule that protects people defaults to the safe side: anything missing, unknown or
misspelt is read as the most restricted mark, never as White.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator


class Classification(StrEnum):
    """Panel Information Policy: who may see an item (least to most restricted)."""

    WHITE = "white"  # public
    GREEN = "green"  # SEC Parties only
    AMBER = "amber"  # named recipients only
    RED = "red"  # named recipients only

    @property
    def is_public(self) -> bool:
        return self is Classification.WHITE

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {mark: rank for rank, mark in enumerate(Classification)}
MOST_RESTRICTED = Classification.RED


def fail_closed(value: Any) -> Classification:
    """Return the classification `value` names, or the most restricted one for anything else."""
    if isinstance(value, Classification):
        return value
    if isinstance(value, str):
        try:
            return Classification(value.strip().lower())
        except ValueError:
            return MOST_RESTRICTED
    return MOST_RESTRICTED


def most_restricted(*marks: Classification | None) -> Classification:
    """Return the strictest of `marks`; None (not known) counts as the most restricted."""
    if not marks:
        return MOST_RESTRICTED
    return max((MOST_RESTRICTED if m is None else m for m in marks), key=lambda m: m.rank)


def may_see(mark: Classification, *, verified_party: bool) -> bool:
    """Tell whether a reader outside the secretariat may see an item with this mark.

    White is public; Green goes to verified SEC Parties; Amber and Red never leave the
    secretariat (named recipients are reached by the secretariat itself, not by us).
    """
    if mark is Classification.WHITE:
        return True
    return mark is Classification.GREEN and verified_party


FailClosedClassification = Annotated[Classification, BeforeValidator(fail_closed)]
"""A pydantic field type: a present but unknown value reads as the most restricted mark."""
