"""Request bodies and queries of the registry API: strict, closed pydantic models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.registry.domain.models import (
    ConsultationKind,
    DecisionBody,
    Outcome,
    ReleaseKind,
    Vote,
)
from services.registry.service.register import SORTS
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path
from shared.text import CleanText, SaneDate, SaneInstant

# JSON has no date or enum types: these fields parse strings (and only strings
# that name a member); everything else stays strict, so {"$gt": ""} is refused.
# Days and instants lie in 1990-2100 and no string carries a control character
# (shared/text.py): one bad entry must not break a feed or a page.
Day = SaneDate
Instant = SaneInstant
Text = Annotated[CleanText, Field(max_length=300)]
LongText = Annotated[CleanText, Field(max_length=20_000)]
SortName = Literal[SORTS]  # type: ignore[valid-type]
# Imported history (admins only): when it happened, not in the future nor before the
# modification was raised; its events say so, and alert nobody.
OccurredAt = Annotated[
    Instant | None,
    Field(
        description="Admins importing history: when this happened (not in the future, not "
        "before the modification was raised, not before its last change). Alerts nobody."
    ),
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ModificationFields(Body):
    """The editable fields; PATCH sends any subset, POST adds `ref` and `title`."""

    summary: LongText | None = None
    proposer: Text | None = None
    path: Annotated[Path, Field(strict=False)] | None = None
    working_group: Text | None = None
    high_impact: bool | None = None
    affected_documents: list[Text] | None = None
    linked_irps: list[Text] | None = None
    target_release: Text | None = None
    classification: Annotated[Classification, Field(strict=False)] | None = None


class ModificationPatch(ModificationFields):
    title: Text | None = None


class ModificationIn(ModificationFields):
    ref: Annotated[CleanText, Field(max_length=12)]
    title: Text
    # The API's default (docs/decisions); the domain type has none.
    classification: Annotated[Classification, Field(strict=False)] = Classification.WHITE
    occurred_at: OccurredAt = None


class TransitionIn(Body):
    to: Annotated[CleanText, Field(max_length=80, description="A status (its name or its label).")]
    reason: Annotated[CleanText, Field(max_length=2000)]
    occurred_at: OccurredAt = None


class DecisionIn(Body):
    body: Annotated[DecisionBody, Field(strict=False)]
    outcome: Annotated[Outcome, Field(strict=False)]
    decided_on: Day
    summary: LongText = ""
    vote: Annotated[Vote, Field(strict=False)] | None = None
    # Bounded by its modification's mark whatever is sent here.
    classification: Annotated[Classification, Field(strict=False)] = Classification.WHITE
    occurred_at: OccurredAt = None


class Reclassification(Body):
    classification: Annotated[Classification, Field(strict=False)]


class ConsultationIn(Body):
    title: Text
    kind: Annotated[ConsultationKind, Field(strict=False)]
    closes_at: Instant
    respond_to: Text
    opens_at: Instant | None = None
    modification_ref: Annotated[CleanText, Field(max_length=12)] | None = None
    classification: Annotated[Classification, Field(strict=False)] = Classification.WHITE
    id: Annotated[CleanText, Field(max_length=120)] | None = None


class ConsultationMove(Body):
    closes_at: Instant


class ConsultationClose(Body):
    at: Instant | None = None


class DocumentRowIn(Body):
    document: Text
    available_on_codeworks: bool | None = None
    sec_modification: bool | None = None
    beis_designation: bool | None = None


class ReleaseIn(Body):
    effective_date: Day
    kind: Annotated[ReleaseKind, Field(strict=False)]
    id: Annotated[CleanText, Field(max_length=80)] | None = None
    name: Text | None = None
    sec_version: Annotated[CleanText, Field(max_length=20)] | None = None
    modification_refs: Annotated[
        list[Annotated[CleanText, Field(max_length=12)]], Field(max_length=500)
    ] = []
    documents: Annotated[list[DocumentRowIn], Field(max_length=200)] = []
    summary: LongText = ""


class ReleasePublish(Body):
    sec_version: Annotated[CleanText, Field(max_length=20)] | None = None


class ModificationListQuery(BaseModel):
    """The register's query string; values arrive as strings, so this model is lax."""

    model_config = ConfigDict(extra="forbid")

    status: Annotated[CleanText, Field(max_length=80)] | None = None
    path: Annotated[CleanText, Field(max_length=40)] | None = None
    working_group: Annotated[CleanText, Field(max_length=120)] | None = None
    release: Annotated[CleanText, Field(max_length=80)] | None = None
    q: Annotated[CleanText, Field(max_length=200)] | None = None
    sort: SortName = "ref"
    cursor: Annotated[CleanText, Field(max_length=400)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50

    @model_validator(mode="before")
    @classmethod
    def _empty_means_any(cls, data: Any) -> Any:
        # An HTML form sends every field; an empty filter means "any".
        if isinstance(data, dict):
            return {
                key: value
                for key, value in data.items()
                if not (value == "" and key in cls.model_fields)
            }
        return data
