"""Build the registry's seed entities from the records of the seed documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from services.registry.domain.decisions import check_decision, decision_id
from services.registry.domain.models import (
    Consultation,
    ConsultationKind,
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
from services.registry.domain.times import london
from services.registry.seed.modifications import MODIFICATIONS
from services.registry.seed.proceedings import CONSULTATIONS, DECISIONS
from services.registry.seed.records import (
    SOURCES,
    ConsultationRecord,
    DecisionRecord,
    ModificationRecord,
    ReleaseRecord,
    Source,
)
from services.registry.seed.releases import RELEASES
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path, Status
from shared.refs import ModificationRef

_START_OF_DAY = time(0, 0)


class SeedError(ValueError):
    """The seed records contradict themselves (a bug in the seed, not in user input)."""


@dataclass(frozen=True, slots=True)
class StatusObservation:
    """A status a seed document gives a modification on a date."""

    ref: ModificationRef
    status: Status
    as_of: date
    source: str


@dataclass(frozen=True, slots=True)
class SeedData:
    """Every entity of the seed documents, each with its latest known state."""

    modifications: list[Modification]
    consultations: list[Consultation]
    decisions: list[Decision]
    releases: list[Release]
    observations: list[StatusObservation]
    sources: list[Source]


def _day(day: date) -> datetime:
    return london(day, _START_OF_DAY)


def _modification(record: ModificationRecord) -> Modification:
    if not record.seen:
        raise SeedError(f"{record.ref} has no status")
    days = [seen.on for seen in record.seen]
    if days != sorted(days):
        raise SeedError(f"{record.ref}: observations are not in date order")
    return Modification(
        ref=ModificationRef.parse(record.ref),
        title=record.title,
        status=Status(record.seen[-1].status),
        created_at=_day(days[0]),
        updated_at=_day(days[-1]),
        # The seed documents are SECAS's public website.
        classification=Classification.WHITE,
        summary=record.summary,
        path=None if record.path is None else Path(record.path),
        working_group=record.working_group,
        high_impact=record.high_impact,
        affected_documents=record.documents,
        linked_irps=record.irps,
        target_release=record.release,
    )


def _observations(record: ModificationRecord) -> list[StatusObservation]:
    ref = ModificationRef.parse(record.ref)
    return [
        StatusObservation(ref, Status(seen.status), seen.on, seen.source.key)
        for seen in record.seen
    ]


def _consultation(record: ConsultationRecord) -> Consultation:
    return Consultation(
        id=record.id,
        title=record.title,
        kind=ConsultationKind(record.kind),
        opens_at=None if record.opens_on is None else _day(record.opens_on),
        closes_at=london(record.closes_on, record.closes_at_time),
        respond_to=record.respond_to,
        classification=Classification.WHITE,
        modification_ref=(
            None
            if record.modification_ref is None
            else ModificationRef.parse(record.modification_ref)
        ),
    )


def _decision(record: DecisionRecord, mods: dict[ModificationRef, Modification]) -> Decision:
    ref = ModificationRef.parse(record.ref)
    body = DecisionBody(record.body)
    decision = Decision(
        id=decision_id(str(ref), body, record.decided_on),
        modification_ref=ref,
        body=body,
        outcome=Outcome(record.outcome),
        decided_on=record.decided_on,
        classification=Classification.WHITE,
        summary=record.summary,
        vote=None if record.vote is None else Vote(record.vote),
    )
    check_decision(_known(mods, ref, "decision"), decision)
    return decision


def _release(record: ReleaseRecord) -> Release:
    published = record.published_on is not None
    return Release(
        id=record.id,
        name=record.name,
        effective_date=record.effective_date,
        kind=ReleaseKind(record.kind),
        sec_version=record.sec_version,
        modification_refs=tuple(ModificationRef.parse(ref) for ref in record.refs),
        documents=tuple(
            DocumentChange(row.document, row.codeworks, row.sec_modification, row.beis_designation)
            for row in record.documents
        ),
        status=ReleaseStatus.PUBLISHED if published else ReleaseStatus.PLANNED,
        published_at=None if record.published_on is None else _day(record.published_on),
        summary=record.summary,
    )


def _known(
    mods: dict[ModificationRef, Modification], ref: ModificationRef, where: str
) -> Modification:
    if ref not in mods:
        raise SeedError(f"{where} names {ref}, which the seed does not hold")
    return mods[ref]


def load_seed() -> SeedData:
    """Return the seed's entities, validated and cross-checked."""
    modifications = [_modification(record) for record in MODIFICATIONS]
    by_ref = {mod.ref: mod for mod in modifications}
    if len(by_ref) != len(modifications):
        raise SeedError("a modification reference appears twice")
    consultations = [_consultation(record) for record in CONSULTATIONS]
    releases = [_release(record) for record in RELEASES]
    release_ids = {release.id for release in releases}
    for consultation in consultations:
        if consultation.modification_ref is not None:
            _known(by_ref, consultation.modification_ref, f"consultation {consultation.id}")
    for release in releases:
        for ref in release.modification_refs:
            _known(by_ref, ref, f"release {release.id}")
    for mod in modifications:
        if mod.target_release is not None and mod.target_release not in release_ids:
            raise SeedError(f"{mod.ref} targets release {mod.target_release}, which is unknown")
    return SeedData(
        modifications=modifications,
        consultations=consultations,
        decisions=[_decision(record, by_ref) for record in DECISIONS],
        releases=releases,
        observations=[obs for record in MODIFICATIONS for obs in _observations(record)],
        sources=list(SOURCES),
    )
