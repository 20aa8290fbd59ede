"""Console screens of the calendar: meetings are changed through the calendar's API as the user."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from services.calendar.web.app import create_app as calendar_app
from services.registry.web.app import create_app as registry_app
from shared.app import PLATFORM
from shared.auth import ROLE_SECRETARIAT, ROLE_SERVICE, SigningKey, issue_token
from shared.dev.embedded_mongo import free_port
from shared.settings import CalendarSettings, RegistrySettings
from tests.conftest import TEST_SIGNER
from tests.integration.test_console_support import (
    Client,
    MovableClock,
    add_account,
    clock,
    post_form,
    signed_in,
)

__all__ = ["clock"]  # fixtures

# The console's own key: the calendar trusts its public half, nothing else of it.
CONSOLE_KEY = SigningKey.generate()
NEW = "/console/meetings/new"
MEETING = {
    "title": "SEC Panel meeting 130",
    "type": "meeting",
    "committee": "sec-panel",
    "meeting_number": "130",
    "starts_at": "2027-03-12T10:00",
    "ends_at": "2027-03-12T13:00",
    "location": "8 Fenchurch Place, London",
    "classification": "white",
    "papers-0-title": "Panel paper 130/01",
    "papers-0-url": "https://example.org/130-01.pdf",
    "papers-0-classification": "green",
    "agenda-0-title": "MP192 Final Modification Report",
    "agenda-0-refs": "MP192",
}


@dataclass
class Rig:
    console: Client
    calendar: web.Application

    async def meetings(self) -> int:
        """Count the entries made from MEETING (the calendar adds registry deadlines meanwhile)."""
        events = self.calendar[PLATFORM].mongo.collection("calendar_events")
        return await events.count_documents({"title": MEETING["title"]})

    async def event(self, event_id: str) -> dict[str, Any]:
        doc = (
            await self.calendar[PLATFORM]
            .mongo.collection("calendar_events")
            .find_one({"_id": event_id})
        )
        assert doc is not None
        return doc


@pytest.fixture
async def rig(
    aiohttp_server: Callable[..., Any],
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., Any],
    clock: MovableClock,
) -> Rig:
    """A registry with the console and a calendar trusting the console's key."""
    registry_port, calendar_port = free_port(), free_port()
    # The API only: a worker would start on the registry events other tests left in the
    # shared vhost (hundreds), and its teardown was seen to hang behind them.
    calendar = calendar_app(
        make_settings(
            CalendarSettings,
            roles=["api"],
            token_public_keys=[CONSOLE_KEY.public_pem()],
            registry_url=f"http://127.0.0.1:{registry_port}",
        )
    )
    registry = registry_app(
        make_settings(
            RegistrySettings,
            roles=["api"],
            console_signing_key=CONSOLE_KEY.private_pem(),
            calendar_url=f"http://127.0.0.1:{calendar_port}",
        ),
        clock=clock,
    )
    await aiohttp_server(calendar, port=calendar_port)
    client: Client = await aiohttp_client(await aiohttp_server(registry, port=registry_port))
    await add_account(client, "alice", {ROLE_SECRETARIAT}, "Alice Example")
    await signed_in(client)
    # Unseeded (the seed's hundreds of events would keep the calendar busy): one modification.
    raised = await post_form(
        client,
        "/console/modifications",
        "/console/modifications/new",
        ref="MP192",
        title="Agenda item's modification",
        summary="",
        classification="white",
    )
    assert raised.status == 303
    return Rig(client, calendar)


async def test_a_meeting_with_a_green_paper_and_an_agenda_item_is_created_moved_and_cancelled(
    rig: Rig,
) -> None:
    created = await post_form(rig.console, "/console/meetings", NEW, **MEETING)
    assert created.status == 303, await created.text()
    page = created.headers["Location"]
    event_id = page.rsplit("/", 1)[1]
    stored = await rig.event(event_id)
    assert stored["title"] == "SEC Panel meeting 130"
    assert [d["classification"] for d in stored["documents"]] == ["green"]
    assert stored["agenda"][0]["modification_refs"] == ["MP192"]
    shown = await (await rig.console.get(page)).text()
    assert "Panel paper 130/01" in shown
    assert 'value="2027-03-12T10:00"' in shown  # London wall time, as typed
    moved = await post_form(
        rig.console,
        f"{page}/move",
        page,
        starts_at="2027-03-19T10:00",
        ends_at="2027-03-19T13:00",
        version=str(stored["version"]),
    )
    assert moved.status == 303, await moved.text()
    stored = await rig.event(event_id)
    assert stored["starts_at"].isoformat().startswith("2027-03-19T10:00")  # GMT in March
    cancelled = await post_form(
        rig.console,
        f"{page}/cancel",
        page,
        reason="The Panel meets with the Change Board instead",
        version=str(stored["version"]),
    )
    assert cancelled.status == 303, await cancelled.text()
    assert (await rig.event(event_id))["status"] == "cancelled"


async def test_an_agenda_item_naming_an_unknown_modification_is_refused_by_its_field(
    rig: Rig,
) -> None:
    before = await rig.meetings()
    response = await post_form(
        rig.console, "/console/meetings", NEW, **{**MEETING, "agenda-0-refs": "MP192 MP998"}
    )
    assert response.status == 422
    text = html.unescape(await response.text())
    assert 'id="e-agenda"' in text
    assert "MP998" in text.split('id="e-agenda"')[1][:300]
    assert 'value="Panel paper 130/01"' in text  # everything typed is kept
    assert 'value="8 Fenchurch Place, London"' in text
    assert await rig.meetings() == before


async def test_a_time_the_clocks_skip_is_refused_next_to_the_start(rig: Rig) -> None:
    before = await rig.meetings()
    response = await post_form(
        rig.console,
        "/console/meetings",
        NEW,
        **{**MEETING, "starts_at": "2027-03-28T01:30", "ends_at": "2027-03-28T03:00"},
    )
    assert response.status == 422
    text = await response.text()
    assert 'id="f-starts_at" name="starts_at" aria-invalid="true"' in text
    assert await rig.meetings() == before


async def test_without_a_console_key_the_meeting_screens_say_so(
    aiohttp_client: Callable[..., Any], make_settings: Callable[..., Any]
) -> None:
    # As in production: public keys and a service token, no signing key to fall back on.
    settings = make_settings(
        RegistrySettings,
        token_signing_key=None,
        token_public_keys=[TEST_SIGNER.public_pem()],
        service_token=issue_token(TEST_SIGNER, "registry", {ROLE_SERVICE}),
    )
    client: Client = await aiohttp_client(registry_app(settings))
    await add_account(client, "alice", {ROLE_SECRETARIAT})
    await signed_in(client)
    response = await client.get("/console/meetings")
    assert response.status == 503
    assert "CONSOLE_SIGNING_KEY" in await response.text()
