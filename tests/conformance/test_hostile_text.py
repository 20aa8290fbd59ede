"""Nothing one entry contains can break a feed: refused at the API, stripped when rendered.

Control characters (C0 but TAB/LF/CR, DEL, C1, U+2028/2029, lone surrogates,
U+FFFE/FFFF) are refused with a problem+json naming the field in the calendar's,
the registry's and the notifier's request models, and so are dates outside
1990-2100. What the API lets through, however hostile, and what was stored
before the check, renders feeds the strict parsers accept: `ical` (strict),
icalendar and vobject, ical.js and libical for iCalendar, expat for Atom.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from services.calendar.domain.errors import InvalidTimeRange
from services.calendar.domain.model import (
    AgendaItem,
    Document,
    OccurrenceOverride,
    Recurrence,
)
from services.calendar.domain.rendering import render_feed
from services.notifier.web.models import SubscribeBody, TokenQuery
from services.registry.web import schemas as registry
from services.registry.web.feed import atom_feed
from shared.refs import ModificationRef
from shared.text import forbidden_characters, strip_forbidden
from tests.conformance.clients import assert_clients_agree, parse_strictly
from tests.conformance.scenario import API, Client, create, stored
from tests.integration.calendar.conftest import eventually
from tests.integration.calendar.test_registry_events import CONSULTATION, entry, publish
from tests.unit.calendar.factories import BASE_URL, event
from tests.unit.registry.factories import modification

# One of each kind the API refuses.
FORBIDDEN = ("\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\ud800")
# Allowed through, and still not allowed to break anything.
NASTY = (
    'Panel\tmeeting\r\nEND:VEVENT\r\nBEGIN:VEVENT\nSUMMARY:x; a, b \\ c: "q" <b>&amp;</b>'
    " \u200b\u202e\U0001f600 ]]> <!-- \\n"
)


def test_every_kind_of_control_character_is_named_and_stripped() -> None:
    text = "a" + "".join(FORBIDDEN) + "\ufffe\uffff\t\n\r b"
    assert forbidden_characters(text) == [
        "U+0000", "U+000B", "U+000C", "U+001B", "U+007F", "U+0085", "U+009F",
        "U+2028", "U+2029", "U+D800", "U+FFFE", "U+FFFF",
    ]  # fmt: skip
    assert strip_forbidden(text) == "a\t\n\r b"


# --- the calendar's API --------------------------------------------------------------

GOOD_EVENT: dict[str, Any] = {
    "id": "hostile",
    "title": "Change Board",
    "type": "meeting",
    "committee": "change-board",
    "meeting_number": "62",
    "reference": "SECP_33_1706",
    "location": "8 Fenchurch Place",
    "online_url": "https://meet.example.org/j/1",
    "description": "Papers",
    "timezone": "Europe/London",
    "starts_at": "2027-03-11T10:00:00+00:00",
    "ends_at": "2027-03-11T11:00:00+00:00",
    "documents": [{"title": "Agenda", "url": "https://sec.example.org/a.pdf"}],
    "agenda": [{"title": "MP192 report", "modification_refs": ["MP192"]}],
    "related_refs": ["MP192"],
    "recurrence": {
        "rule": "FREQ=WEEKLY;COUNT=3",
        "exdates": ["2027-03-18T10:00:00+00:00"],
        "overrides": [
            {
                "recurrence_id": "2027-03-25T10:00:00+00:00",
                "starts_at": "2027-03-25T12:00:00+00:00",
                "ends_at": "2027-03-25T13:00:00+00:00",
                "title": "Moved",
                "location": "Online",
                "description": "Moved to the afternoon",
            }
        ],
    },
}
# Every string the create body takes, as a path into GOOD_EVENT.
TEXT_FIELDS: tuple[tuple[str | int, ...], ...] = (
    ("id",),
    ("title",),
    ("committee",),
    ("meeting_number",),
    ("reference",),
    ("location",),
    ("online_url",),
    ("description",),
    ("timezone",),
    ("documents", 0, "title"),
    ("documents", 0, "url"),
    ("agenda", 0, "title"),
    ("agenda", 0, "modification_refs", 0),
    ("related_refs", 0),
    ("recurrence", "rule"),
    ("recurrence", "overrides", 0, "title"),
    ("recurrence", "overrides", 0, "location"),
    ("recurrence", "overrides", 0, "description"),
)
TIME_FIELDS: tuple[tuple[str | int, ...], ...] = (
    ("starts_at",),
    ("ends_at",),
    ("recurrence", "exdates", 0),
    ("recurrence", "overrides", 0, "recurrence_id"),
    ("recurrence", "overrides", 0, "starts_at"),
    ("recurrence", "overrides", 0, "ends_at"),
)


def with_value(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target: Any = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


def named(problem: dict[str, Any], path: tuple[str | int, ...]) -> bool:
    wanted = [str(part) for part in path]
    return any(error["location"][1 : 1 + len(wanted)] == wanted for error in problem["errors"])


async def test_the_calendar_refuses_control_characters_in_every_field_naming_it(
    calendar: Client, staff: dict[str, str]
) -> None:
    for path in TEXT_FIELDS:
        for character in FORBIDDEN:
            body = with_value(GOOD_EVENT, path, f"x{character}y")
            response = await calendar.post(API, json=body, headers=staff)
            assert response.status == 422, (path, character, await response.text())
            assert response.content_type == "application/problem+json"
            assert named(await response.json(), path), (path, await response.text())
    assert not [e for e in await stored(calendar) if e.id == "hostile" or e.id[0] == "x"]


async def test_the_calendar_refuses_times_outside_1990_to_2100_naming_the_field(
    calendar: Client, staff: dict[str, str]
) -> None:
    for path in TIME_FIELDS:
        for value in ("9999-03-11T10:00:00+00:00", "1989-12-31T23:59:59+00:00"):
            response = await calendar.post(
                API, json=with_value(GOOD_EVENT, path, value), headers=staff
            )
            assert response.status == 422, (path, value)
            assert named(await response.json(), path), (path, await response.text())
    listing = await calendar.get(f"{API}?from=9999-01-01")
    assert listing.status == 422
    assert not [e for e in await stored(calendar) if e.id == "hostile" or e.id[0] == "x"]


async def test_cancel_reason_and_patches_are_checked_too(
    calendar: Client, staff: dict[str, str]
) -> None:
    await create(
        calendar,
        staff,
        id="plain",
        title="Plain",
        **{k: GOOD_EVENT[k] for k in ("starts_at", "ends_at")},
    )
    cancel = await calendar.post(
        f"{API}/plain/cancel", json={"reason": "no\u2028quorum"}, headers=staff
    )
    assert cancel.status == 422
    assert named(await cancel.json(), ("reason",))
    patch = await calendar.patch(
        f"{API}/plain", json={"title": "a\x1bb"}, headers={**staff, "If-Match": '"1"'}
    )
    assert patch.status == 422
    assert named(await patch.json(), ("title",))


async def test_hostile_text_the_api_accepts_in_every_field_leaves_every_feed_readable(
    calendar: Client, staff: dict[str, str]
) -> None:
    body = copy.deepcopy(GOOD_EVENT)
    for path in TEXT_FIELDS:
        if path[-1] in {"title", "location", "description"}:
            body = with_value(body, path, NASTY)
    body["online_url"] = "https://meet.example.org/j/1?a=b;c,d&e=\\f"
    created = await calendar.post(API, json=body, headers=staff)
    assert created.status == 201, await created.text()
    for path in ("/feeds/all.ics", "/feeds/committees/change-board.ics", "/events/hostile.ics"):
        response = await calendar.get(path, headers=staff)
        assert response.status == 200
        assert_clients_agree(await response.read(), await stored(calendar))


def test_an_entry_stored_with_bad_text_before_the_check_still_renders_a_valid_feed() -> None:
    bad = "Bad\x0b\x00\x1b\x7f\x85\u2028\u2029\ud800\ufffe text"
    start = datetime(2027, 3, 11, 10, tzinfo=UTC)
    entry = event(recurrence=None)
    stored_badly = replace(
        entry,
        title=bad,
        location=bad,
        description=bad,
        online_url="https://meet.example.org/\x0bj",
        reference=bad,
        cancel_reason=bad,
        documents=(Document(bad, f"https://x.example/{bad}"),),
        agenda=(AgendaItem(bad, (ModificationRef.parse("MP192"),)),),
    )
    series = event(
        id="series",
        starts_at=start,
        ends_at=start.replace(hour=11),
        recurrence=Recurrence(rule="FREQ=WEEKLY;COUNT=2"),
    )
    assert series.recurrence is not None
    override = OccurrenceOverride(
        recurrence_id=start.replace(day=18),
        starts_at=start.replace(day=18, hour=12),
        ends_at=start.replace(day=18, hour=13),
        title=bad,
        location=bad,
        description=bad,
    )
    series = replace(series, recurrence=replace(series.recurrence, overrides=(override,)))
    ics = render_feed([stored_badly, series], name=bad, description=bad, base_url=BASE_URL)
    assert not forbidden_characters(ics.decode("utf-8"))
    assert_clients_agree(ics, [stored_badly, series])


# --- the registry's and the notifier's request models ----------------------------------

REGISTRY_BODIES: tuple[tuple[type[BaseModel], dict[str, Any]], ...] = (
    (
        registry.ModificationIn,
        {
            "ref": "MP900",
            "title": "Title",
            "summary": "Summary",
            "proposer": "Proposer",
            "working_group": "WG",
            "affected_documents": ["Section A"],
            "linked_irps": ["IRP1"],
            "target_release": "2027-11",
        },
    ),
    (registry.ModificationPatch, {"title": "Title", "summary": "Summary"}),
    (registry.TransitionIn, {"to": "refinement", "reason": "Panel agreed"}),
    (
        registry.DecisionIn,
        {"body": "panel", "outcome": "approve", "decided_on": "2022-02-23", "summary": "Yes"},
    ),
    (
        registry.ConsultationIn,
        {
            "title": "Consultation",
            "kind": "refinement",
            "closes_at": "2022-02-04T17:00:00Z",
            "opens_at": "2022-01-10T09:00:00Z",
            "respond_to": "SECAS",
            "modification_ref": "MP192",
            "id": "c-1",
        },
    ),
    (registry.ConsultationMove, {"closes_at": "2022-02-04T17:00:00Z"}),
    (registry.ConsultationClose, {"at": "2022-02-04T17:00:00Z"}),
    (
        registry.ReleaseIn,
        {
            "effective_date": "2026-11-05",
            "kind": "scheduled",
            "id": "2026-11",
            "name": "November 2026",
            "sec_version": "1.2",
            "modification_refs": ["MP192"],
            "documents": [{"document": "Section A"}],
            "summary": "Release",
        },
    ),
    (registry.ReleasePublish, {"sec_version": "1.2"}),
    (registry.ModificationListQuery, {"q": "smets", "working_group": "WG", "status": "x"}),
    (
        SubscribeBody,
        {"email": "a@party.example", "topics": ["all"], "party_category": "supplier"},
    ),
    (TokenQuery, {"token": "abc"}),
)


def string_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in string_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in string_paths(item, (*path, index))]
    return []


@pytest.mark.parametrize(
    ("model", "body"), REGISTRY_BODIES, ids=lambda v: getattr(v, "__name__", "")
)
def test_registry_and_notifier_models_refuse_control_characters_naming_the_field(
    model: type[BaseModel], body: dict[str, Any]
) -> None:
    model.model_validate(body)
    dates = {"decided_on", "closes_at", "opens_at", "at", "effective_date"}
    for path in string_paths(body):
        if path[-1] in dates or path[-1] in {"kind", "body", "outcome"}:
            continue
        for character in FORBIDDEN:
            with pytest.raises(ValidationError) as refused:
                model.model_validate(with_value(body, path, f"x{character}y"))
            locations = [error["loc"][: len(path)] for error in refused.value.errors()]
            assert tuple(path) in locations, (model.__name__, path, locations)


@pytest.mark.parametrize(
    ("model", "body"), REGISTRY_BODIES, ids=lambda v: getattr(v, "__name__", "")
)
def test_registry_dates_outside_1990_to_2100_are_refused_naming_the_field(
    model: type[BaseModel], body: dict[str, Any]
) -> None:
    for name in {"decided_on", "closes_at", "opens_at", "at", "effective_date"} & body.keys():
        for year in ("9999", "1989"):
            value = year + body[name][4:]
            with pytest.raises(ValidationError) as refused:
                model.model_validate({**body, name: value})
            assert (name,) in [error["loc"][:1] for error in refused.value.errors()]


async def test_the_registry_answers_a_control_character_with_a_problem_naming_the_field(
    registry_app: Client, staff: dict[str, str]
) -> None:
    response = await registry_app.post(
        "/api/v1/modifications", json={"ref": "MP900", "title": "a\u2028b"}, headers=staff
    )
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    assert named(await response.json(), ("title",))
    assert (await registry_app.get("/api/v1/modifications/MP900")).status == 404


def test_the_atom_feed_of_a_modification_stored_with_bad_text_is_well_formed_xml() -> None:
    bad = "Bad\x0b\x00\x1b\x7f\x85\u2028\u2029\ud800\ufffe & <b>text</b> ]]>"
    stored_badly = modification(title=bad, summary=bad)
    document = atom_feed([stored_badly], "https://registry.example.org", "https://r/\x0bfeed")
    root = ET.fromstring(document)  # noqa: S314 (our own bytes; expat is the strict check)
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(t and "& <b>text</b>" in t for t in titles)


async def test_a_consultation_from_the_registry_with_bad_text_leaves_the_feed_readable(
    calendar: Client,
) -> None:
    """The issue's case: a vertical tab or U+2028 in `respond_to` or a title."""
    # An id of its own: copies of other tests' registry events may reach this calendar.
    consultation = {
        **CONSULTATION,
        "id": "HOSTILE-RC",
        "title": "MP192 Refinement\x0bConsultation\u2028",
        "respond_to": "sec.change@example.org\x0b\u2028\x85 or the Panel",
    }
    await publish(
        calendar, "registry.consultation.opened", "HOSTILE-RC", {"consultation": consultation}
    )
    await eventually(lambda: entry(calendar, "consultation-hostile-rc"))
    response = await calendar.get("/feeds/all.ics")
    ics = await response.read()
    assert not forbidden_characters(ics.decode("utf-8"))
    assert_clients_agree(ics, await stored(calendar))


def test_an_entry_stored_with_a_year_out_of_range_still_renders() -> None:
    entry_ = event()
    far = replace(
        entry_,
        id="far",
        uid="far@calendar.sec.example.org",
        starts_at=datetime(9999, 1, 1, 9, tzinfo=UTC),
        ends_at=datetime(9999, 1, 1, 10, tzinfo=UTC),
    )
    early = replace(
        entry_,
        id="early",
        uid="early@calendar.sec.example.org",
        starts_at=datetime(1, 1, 2, 9, tzinfo=UTC),
        ends_at=datetime(1, 1, 2, 10, tzinfo=UTC),
    )
    ics = render_feed([entry_, far, early], name="n", description="d", base_url=BASE_URL)
    assert parse_strictly(ics) == {entry_.uid, far.uid, early.uid}


def test_the_domain_refuses_a_year_out_of_range_for_entries_not_made_through_the_api() -> None:
    with pytest.raises(InvalidTimeRange):
        event(
            starts_at=datetime(9999, 1, 1, 9, tzinfo=UTC),
            ends_at=datetime(9999, 1, 1, 10, tzinfo=UTC),
        )
