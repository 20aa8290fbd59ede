"""Check that every registry event's data has exactly the shape docs/events.md documents."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from pathlib import Path as FilePath
from typing import Any

import pytest

from services.registry.domain import events as ev
from services.registry.domain.models import (
    Consultation,
    ConsultationKind,
    Decision,
    DecisionBody,
    Outcome,
    Release,
    ReleaseKind,
    Vote,
)
from shared.contracts.classification import Classification
from shared.contracts.events import EventName, parse_payload
from shared.contracts.statuses import Status
from shared.events import CloudEvent, DomainEvent
from shared.refs import ModificationRef
from tests.unit.registry.factories import BASE_URL, T0, modification

CATALOGUE = FilePath(__file__).parents[3] / "docs" / "events.md"


def _keys(braced: str) -> set[str]:
    """Return the field names of a `{a, b|null, c: [...]}` shape."""
    inner, depth, parts, current = braced.strip()[1:-1], 0, [], ""
    for char in inner:
        depth += char in "[{"
        depth -= char in "]}"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return {re.split(r"[:|]", part)[0].strip() for part in parts if part.strip()}


def _registry_section() -> str:
    text = CATALOGUE.read_text(encoding="utf-8")
    return text.split("## Registry", 1)[1].split("\n## ", 1)[0]


def documented_shapes() -> dict[str, set[str]]:
    section = _registry_section()
    return {
        name: _keys(shape)
        for name, shape in re.findall(r"^\* `(\w+)`: `(\{[^`]*\})`", section, re.MULTILINE)
    }


def documented_events() -> dict[str, set[str]]:
    rows = re.findall(
        r"^\| `(registry\.[\w.]+)` \| [^|]+ \| `(\{[^`]*\})`", _registry_section(), re.MULTILINE
    )
    return {event_type: _keys(shape) for event_type, shape in rows}


MOD = modification("MP192", Status.REFINEMENT, target_release="2022-06")
CONSULTATION = Consultation(
    id="mp192-refinement-consultation",
    title="MP192 Refinement Consultation",
    kind=ConsultationKind.REFINEMENT,
    opens_at=T0,
    closes_at=datetime(2022, 2, 4, 17, tzinfo=UTC),
    respond_to="SECAS Change Team",
    classification=Classification.WHITE,
    modification_ref=MOD.ref,
)
DECISION = Decision(
    id="mp192-change-board-2022-03-23",
    modification_ref=MOD.ref,
    body=DecisionBody.CHANGE_BOARD,
    outcome=Outcome.APPROVE,
    decided_on=date(2022, 3, 23),
    classification=Classification.WHITE,
    vote=Vote.UNANIMOUS,
)
RELEASE = Release(
    id="2022-06",
    name="June 2022 SEC Release",
    effective_date=date(2022, 6, 30),
    kind=ReleaseKind.SCHEDULED,
    modification_refs=(ModificationRef.parse("MP104"),),
)

EXAMPLES: list[DomainEvent] = [
    ev.ModificationCreated(MOD, BASE_URL),
    ev.ModificationUpdated(MOD, ("title",), BASE_URL),
    ev.ModificationStatusChanged(
        MOD, Status.INITIAL_CONSIDERATION, Status.REFINEMENT, "IMR agreed", "panel", T0, BASE_URL
    ),
    ev.ConsultationOpened(CONSULTATION, MOD, BASE_URL),
    ev.ConsultationClosing(CONSULTATION, MOD, BASE_URL),
    ev.ConsultationClosed(CONSULTATION, MOD, BASE_URL),
    ev.DecisionRecorded(DECISION, MOD, BASE_URL),
    ev.ReleaseScheduled(RELEASE, RELEASE.modification_refs, BASE_URL),
    ev.ReleasePublished(RELEASE, RELEASE.modification_refs, BASE_URL),
    ev.ConsultationReclassified(CONSULTATION, MOD, BASE_URL),
    ev.DecisionReclassified(DECISION, MOD, BASE_URL),
    ev.ReleaseUpdated(RELEASE, RELEASE.modification_refs, BASE_URL),
]
REGISTRY_EVENTS = {name.value for name in EventName if name.value.startswith("registry.")}


def test_every_registry_event_in_the_catalogue_is_documented_and_has_a_domain_event() -> None:
    assert set(documented_events()) == {e.event_type for e in EXAMPLES} == REGISTRY_EVENTS


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
def test_event_data_fits_the_contract_and_names_its_classification(event: DomainEvent) -> None:
    payload = parse_payload(event.event_type, event.data())
    assert payload.classification is Classification.WHITE


def test_a_consultation_discloses_the_stricter_of_its_mark_and_its_modifications() -> None:
    red = dataclasses.replace(MOD, classification=Classification.RED)
    data = ev.ConsultationOpened(CONSULTATION, red, BASE_URL).data()
    assert data["consultation"]["classification"] == "red"
    decision = ev.DecisionRecorded(DECISION, red, BASE_URL).data()
    assert decision["decision"]["classification"] == "red"


def test_a_release_names_only_the_modifications_it_is_told_are_public() -> None:
    data = ev.ReleaseScheduled(RELEASE, (), BASE_URL).data()
    assert data["release"]["modification_refs"] == []


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
def test_event_data_has_exactly_the_documented_fields(event: DomainEvent) -> None:
    shapes = documented_shapes()
    data = event.data()
    assert set(data) == documented_events()[event.event_type]
    for name, value in data.items():
        if name in shapes:
            assert set(value) == shapes[name], name


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
def test_event_wraps_in_a_cloudevent_and_survives_json(event: DomainEvent) -> None:
    envelope = CloudEvent.from_domain(ev.SOURCE, event)
    assert CloudEvent.model_validate_json(envelope.model_dump_json()).data == event.data()


def test_modification_snapshot_carries_labels_and_the_page_url() -> None:
    data: dict[str, Any] = ev.ModificationCreated(MOD, BASE_URL + "/").data()["modification"]
    assert data["ref"] == "MP192"
    assert data["status_label"] == "Refinement"
    assert data["path_label"] == "Path 3: Self-Governance"
    assert data["url"] == "http://127.0.0.1:8081/modifications/MP192"
    assert data["is_draft"] is False


def test_status_change_data_names_both_statuses_and_when() -> None:
    data = EXAMPLES[2].data()
    assert (data["from_status"], data["to_status"]) == ("initial-consideration", "refinement")
    assert (data["from_label"], data["to_label"]) == ("Initial Consideration", "Refinement")
    assert data["changed_at"] == "2022-01-20T09:00:00+00:00"


def test_times_are_iso_utc_strings_and_dates_iso_dates() -> None:
    consultation = EXAMPLES[3].data()["consultation"]
    assert consultation["closes_at"] == "2022-02-04T17:00:00+00:00"
    assert consultation["kind_label"] == "Refinement Consultation"
    assert EXAMPLES[6].data()["decision"]["decided_on"] == "2022-03-23"
    assert EXAMPLES[7].data()["release"]["effective_date"] == "2022-06-30"
    assert EXAMPLES[7].data()["release"]["modification_refs"] == ["MP104"]
