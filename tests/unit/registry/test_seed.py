"""Check that the seed holds the register of the seed documents, consistently."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time

from services.registry.domain.models import ConsultationKind, ReleaseStatus
from services.registry.domain.times import london
from services.registry.seed import load_seed
from shared.contracts.statuses import Path, Status
from shared.refs import ModificationRef

SEED = load_seed()
MODS = {str(mod.ref): mod for mod in SEED.modifications}
RELEASES = {release.id: release for release in SEED.releases}
CONSULTATIONS = {c.id: c for c in SEED.consultations}


def test_seed_loads_the_same_every_time() -> None:
    assert load_seed() == SEED


def test_every_reference_in_the_seed_parses() -> None:
    refs = [*MODS, *(str(r) for rel in SEED.releases for r in rel.modification_refs)]
    refs += [str(d.modification_ref) for d in SEED.decisions]
    assert all(str(ModificationRef.parse(ref)) == ref for ref in refs)


def test_november_2020_release_has_its_18_modifications_and_document_table() -> None:
    release = RELEASES["2020-11"]
    assert release.name == "November 2020 SEC Release"
    assert release.sec_version == "27.0"
    assert release.status is ReleaseStatus.PUBLISHED
    assert len(release.modification_refs) == 18
    assert all(MODS[str(ref)].status is Status.IMPLEMENTED for ref in release.modification_refs)
    assert len(release.documents) == 22
    schedule_10 = next(d for d in release.documents if d.document.startswith("Schedule 10"))
    assert (
        schedule_10.available_on_codeworks,
        schedule_10.sec_modification,
        schedule_10.beis_designation,
    ) == (False, False, True)


def test_may_2017_table_holds_secmp0002_to_secmp0035_with_their_statuses() -> None:
    in_table = [ref for ref in MODS if ref.startswith("SECMP00") and "0002" <= ref[5:] <= "0035"]
    assert len(in_table) == 31  # the 27 open in May 2017 plus 0003, 0014, 0016, 0017 from 2016
    assert MODS["SECMP0004"].status is Status.AWAITING_AUTHORITY_DECISION
    assert MODS["SECMP0021"].status is Status.REFERRED
    assert MODS["SECMP0033"].status is Status.AWAITING_IMPLEMENTATION
    assert MODS["SECMP0035"].status is Status.INITIAL_CONSIDERATION
    assert MODS["SECMP0009"].title == "Centralised Firmware Library"


def test_january_2022_newsletter_modifications_have_their_statuses() -> None:
    for ref in ("DP197", "DP198", "DP199"):
        assert MODS[ref].status is Status.DRAFT_PROPOSAL
        assert MODS[ref].ref.is_draft
    assert MODS["MP192"].status is Status.REFINEMENT
    assert MODS["MP078"].status is Status.MODIFICATION_REPORT_CONSULTATION
    assert MODS["MP078"].linked_irps == ("IRP550", "IRP603", "IRP604")
    assert MODS["MP085A"].ref.alternative == "A"
    assert MODS["SECMP0015"].target_release == "2022-06"


def test_april_2017_change_board_outcomes_are_recorded() -> None:
    outcomes = {
        str(d.modification_ref): (d.outcome.value, d.vote and d.vote.value)
        for d in SEED.decisions
        if d.body.value == "change_board"
    }
    assert outcomes == {
        "SECMP0004": ("recommend_approve", None),
        "SECMP0008": ("recommend_approve", None),
        "SECMP0011": ("recommend_reject", None),
        "SECMP0021": ("reject", "majority"),
        "SECMP0033": ("approve", "unanimous"),
    }
    panel = {str(d.modification_ref) for d in SEED.decisions if d.body.value == "panel"}
    assert panel == {"SECMP0014", "SECMP0015", "SECMP0016", "SECMP0017"}
    assert MODS["SECMP0016"].high_impact
    assert MODS["SECMP0017"].path is Path.SELF_GOVERNANCE


def test_standalone_consultations_close_at_5pm_uk_time_stored_in_utc() -> None:
    budget = CONSULTATIONS["sec-panel-draft-budget-2022-2025"]
    assert budget.kind is ConsultationKind.BUDGET
    assert budget.modification_ref is None
    assert budget.closes_at == datetime(2022, 1, 28, 17, tzinfo=UTC)
    jip = CONSULTATIONS["ecos-jip-change-request-2022-01"]
    assert jip.kind is ConsultationKind.JIP_CHANGE_REQUEST
    assert jip.closes_at == datetime(2022, 2, 4, 17, tzinfo=UTC)
    assert all(c.closes_at.tzinfo is UTC for c in SEED.consultations)


def test_statuses_are_the_latest_each_document_gives() -> None:
    seen = Counter(str(o.ref) for o in SEED.observations)
    assert seen["SECMP0015"] == 3
    for mod in SEED.modifications:
        latest = [o for o in SEED.observations if o.ref == mod.ref][-1]
        assert latest.status is mod.status
        assert mod.updated_at == london(latest.as_of, time(0, 0))


def test_seed_counts() -> None:
    assert (len(SEED.modifications), len(SEED.consultations)) == (62, 6)
    assert (len(SEED.decisions), len(SEED.releases)) == (9, 11)
