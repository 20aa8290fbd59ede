"""Console screens of the register: each writes through the registry's use case, as its user."""

from __future__ import annotations

import html
from datetime import timedelta

from shared.app import PLATFORM
from shared.auth import ROLE_SECRETARIAT, issue_token
from tests.conftest import TEST_SIGNER
from tests.integration.test_console_support import (
    Client,
    MovableClock,
    clock,
    console,
    post_form,
    signed_in,
)

__all__ = ["clock", "console"]  # fixtures

NEW = "/console/modifications/new"


async def _api(client: Client, path: str) -> dict[str, object]:
    # The registry's JSON API is where a change made through the console must show.
    token = issue_token(TEST_SIGNER, "reader", {ROLE_SECRETARIAT})
    response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200, (path, await response.text())
    body: dict[str, object] = await response.json()
    return body


async def _raise(client: Client, ref: str, **fields: str) -> None:
    response = await post_form(
        client,
        "/console/modifications",
        NEW,
        ref=ref,
        title=fields.pop("title", f"Console test {ref}"),
        summary="",
        classification=fields.pop("classification", "white"),
        **fields,
    )
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == f"/console/modifications/{ref}"


async def test_raising_a_modification_writes_it_to_the_register(console: Client) -> None:
    await signed_in(console)
    await _raise(
        console,
        "MP901",
        title="Smarter meters",
        proposer="Energy Co",
        affected_documents="Section G\nAppendix AB",
        high_impact="on",
        classification="amber",
    )
    mod = await _api(console, "/api/v1/modifications/MP901")
    assert mod["title"] == "Smarter meters"
    assert mod["affected_documents"] == ["Section G", "Appendix AB"]
    assert mod["high_impact"] is True
    assert mod["classification"] == "amber"
    page = await console.get("/console/modifications/MP901")
    assert "Smarter meters" in await page.text()


async def test_a_bad_form_shows_the_error_by_its_field_keeps_the_input_and_writes_nothing(
    console: Client,
) -> None:
    await signed_in(console)
    collection = console.app[PLATFORM].mongo.collection("registry_modifications")
    outbox = console.app[PLATFORM].mongo.collection("registry_outbox")
    before = (await collection.count_documents({}), await outbox.count_documents({}))
    response = await post_form(
        console,
        "/console/modifications",
        NEW,
        ref="MP902",
        title="Keep this title <b>",
        summary="Keep this summary",
        affected_documents="Section G\nChapter Nine",
        classification="white",
    )
    assert response.status == 422
    text = await response.text()
    assert 'id="f-affected_documents" name="affected_documents" aria-invalid="true"' in text
    assert "autofocus" in text.split('id="f-affected_documents"')[1].split(">")[0]
    assert "Chapter Nine" in html.unescape(text.split('id="e-affected_documents"')[1][:200])
    assert html.escape("Keep this title <b>") in text  # kept, and escaped
    assert "Keep this summary" in text
    assert 'aria-invalid="true"' not in text.split('id="f-title"')[1].split(">")[0]
    after = (await collection.count_documents({}), await outbox.count_documents({}))
    assert after == before
    # A reference that is not one: refused by its field too.
    bad_ref = await post_form(
        console, "/console/modifications", NEW, ref="XX1", title="T", classification="white"
    )
    assert bad_ref.status == 422
    assert 'id="e-ref"' in await bad_ref.text()


async def test_a_move_is_recorded_in_the_history_with_the_signed_in_person_as_actor(
    console: Client, clock: MovableClock
) -> None:
    await signed_in(console)
    await _raise(console, "MP903", path="path-3")
    clock.advance(timedelta(minutes=1))
    page = "/console/modifications/MP903"
    moved = await post_form(
        console,
        "/console/modifications/MP903/transitions",
        page,
        to="refinement",
        reason="Panel agreed at its meeting",
        version="1",
    )
    assert moved.status == 303, await moved.text()
    history = await _api(console, "/api/v1/modifications/MP903/history")
    items = history["items"]
    assert isinstance(items, list)
    assert [(e["to_status"], e["actor"], e["reason"]) for e in items] == [
        ("refinement", "alice", "Panel agreed at its meeting")
    ]
    # An illegal move: refused next to the status field, the reason kept, nothing recorded.
    refused = await post_form(
        console,
        "/console/modifications/MP903/transitions",
        page,
        to="implemented",
        reason="Too soon",
        version="2",
    )
    assert refused.status == 422
    text = await refused.text()
    assert 'id="e-move-to"' in text
    assert "Too soon" in text
    assert len((await _api(console, "/api/v1/modifications/MP903/history"))["items"]) == 1  # type: ignore[arg-type]


async def test_editing_changes_the_fields_and_a_stale_form_is_refused(
    console: Client, clock: MovableClock
) -> None:
    await signed_in(console)
    await _raise(console, "MP904")
    clock.advance(timedelta(minutes=1))
    page = "/console/modifications/MP904"
    fields = {"title": "Renamed", "summary": "Now with a summary", "classification": "green"}
    edited = await post_form(console, page, page, version="1", **fields)
    assert edited.status == 303, await edited.text()
    mod = await _api(console, "/api/v1/modifications/MP904")
    assert (mod["title"], mod["summary"], mod["classification"], mod["version"]) == (
        "Renamed",
        "Now with a summary",
        "green",
        2,
    )
    stale = await post_form(console, page, page, version="1", **{**fields, "title": "Again"})
    assert stale.status == 422
    assert "version 2, not 1" in await stale.text()
    assert (await _api(console, "/api/v1/modifications/MP904"))["title"] == "Renamed"


async def test_recording_a_decision_moves_the_modification_as_the_api_does(
    console: Client, clock: MovableClock
) -> None:
    await signed_in(console)
    await _raise(console, "MP905", path="path-3")
    page = "/console/modifications/MP905"
    for to, version in (
        ("refinement", 1),
        ("report-phase", 2),
        ("modification-report-consultation", 3),
        ("change-board-vote", 4),
    ):
        clock.advance(timedelta(minutes=1))
        moved = await post_form(
            console, f"{page}/transitions", page, to=to, reason="next", version=str(version)
        )
        assert moved.status == 303, await moved.text()
    decided = await post_form(
        console,
        f"{page}/decisions",
        page,
        body="change_board",
        outcome="approve",
        decided_on="2026-11-25",
        vote="unanimous",
        summary="Approved by the Change Board",
        classification="white",
    )
    assert decided.status == 303, await decided.text()
    mod = await _api(console, "/api/v1/modifications/MP905")
    assert mod["status"] == "approved"
    history = (await _api(console, "/api/v1/modifications/MP905/history"))["items"]
    assert isinstance(history, list)
    assert history[-1]["actor"] == "alice"


async def test_a_consultation_is_opened_moved_and_closed_from_the_console(
    console: Client, clock: MovableClock
) -> None:
    await signed_in(console)
    await _raise(console, "MP906")
    opened = await post_form(
        console,
        "/console/consultations",
        "/console/consultations/new",
        title="MP906 Refinement Consultation",
        kind="refinement",
        modification_ref="MP906",
        closes_at="2027-01-15T17:00",
        respond_to="secas@sec.example.org",
        classification="white",
        id="mp906-refinement",
    )
    assert opened.status == 303, await opened.text()
    page = opened.headers["Location"]
    assert page == "/console/consultations/mp906-refinement"
    made = await _api(console, "/api/v1/consultations/mp906-refinement")
    assert made["closes_at"] == "2027-01-15T17:00:00+00:00"  # 17:00 in London in January is UTC
    moved = await post_form(console, f"{page}/move", page, closes_at="2027-07-15T17:00")
    assert moved.status == 303, await moved.text()
    made = await _api(console, "/api/v1/consultations/mp906-refinement")
    assert made["closes_at"] == "2027-07-15T16:00:00+00:00"  # British Summer Time
    clock.advance(timedelta(minutes=1))
    closed = await post_form(console, f"{page}/close", page, at="")
    assert closed.status == 303, await closed.text()
    assert (await _api(console, "/api/v1/consultations/mp906-refinement"))["status"] == "closed"
    # A consultation on a modification that does not exist: said next to its field.
    missing = await post_form(
        console,
        "/console/consultations",
        "/console/consultations/new",
        title="On nothing",
        kind="refinement",
        modification_ref="MP999",
        closes_at="2027-01-15T17:00",
        respond_to="secas@sec.example.org",
        classification="white",
    )
    assert missing.status == 422
    assert 'id="e-modification_ref"' in await missing.text()


async def test_a_release_is_scheduled_with_its_document_table_and_published(
    console: Client, clock: MovableClock
) -> None:
    await signed_in(console)
    await _raise(console, "MP907")
    scheduled = await post_form(
        console,
        "/console/releases",
        "/console/releases/new",
        effective_date="2027-02-25",
        kind="scheduled",
        modification_refs="MP907",
        summary="",
        **{
            "documents-0-document": "Section G",
            "documents-0-available_on_codeworks": "yes",
            "documents-0-sec_modification": "no",
        },
    )
    assert scheduled.status == 303, await scheduled.text()
    page = scheduled.headers["Location"]
    release_id = page.rsplit("/", 1)[1]
    release = await _api(console, f"/api/v1/releases/{release_id}")
    assert release["documents"] == [
        {
            "document": "Section G",
            "available_on_codeworks": True,
            "sec_modification": False,
            "beis_designation": None,
        }
    ]
    assert release["modification_refs"] == ["MP907"]
    clock.advance(timedelta(minutes=1))
    published = await post_form(
        console, f"{page}/publish", page, sec_version="9.1", version=str(release["version"])
    )
    assert published.status == 303, await published.text()
    assert (await _api(console, f"/api/v1/releases/{release_id}"))["status"] == "published"
