"""Calendar apps on the real servers, a registry to check agenda references, and helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from ical.calendar_stream import IcsCalendarStream

from services.calendar.web.app import create_app
from shared.auth import ROLE_SECRETARIAT, issue_token
from shared.settings import CalendarSettings
from tests.conftest import TEST_SIGNER
from tests.support.service_server import ServiceTestServer

Client = TestClient[Any, Any]
BASE_URL = "https://calendar.sec.example.org"
CALLS = web.AppKey("calls", list[str])


@pytest.fixture
def staff() -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT})}


# What the registry's seed register holds, as far as these tests ask.
KNOWN_REFS = frozenset({"MP192", "DP197", "MP140", "SECMP0021", "MP085A"})


@pytest.fixture
async def registry_server(aiohttp_server: Callable[..., Any]) -> TestServer:
    """A stand-in for the registry's GET /api/v1/modifications/{ref} (200 or 404 problem).

    The registry app is developed in parallel; a stand-in keeps these tests about
    the calendar. It counts the calls so tests can tell nothing else was asked.
    """

    async def modification(request: web.Request) -> web.Response:
        ref = request.match_info["ref"]
        request.app[CALLS].append(ref)
        if ref in KNOWN_REFS:
            return web.json_response({"ref": ref, "status": "proposed"})
        return web.json_response(
            {"title": "Not Found", "status": 404},
            status=404,
            content_type="application/problem+json",
        )

    app = web.Application()
    app[CALLS] = []
    app.router.add_get("/api/v1/modifications/{ref}", modification)
    server: TestServer = await aiohttp_server(app)
    return server


@pytest.fixture
def calendar_settings(
    make_settings: Callable[..., Any], registry_server: TestServer
) -> Callable[..., CalendarSettings]:
    def build(**overrides: Any) -> CalendarSettings:
        values: dict[str, Any] = {
            "seed": True,
            "public_base_url_calendar": BASE_URL,
            "registry_url": str(registry_server.make_url("")).rstrip("/"),
        }
        values.update(overrides)
        settings: CalendarSettings = make_settings(CalendarSettings, **values)
        return settings

    return build


@pytest.fixture
async def calendar(
    aiohttp_client: Callable[..., Any], calendar_settings: Callable[..., CalendarSettings]
) -> Client:
    """The calendar with its seed entries, checking references against the real registry.

    Served as run_service serves it: public feeds through the fast path.
    """
    client: Client = await aiohttp_client(ServiceTestServer(create_app(calendar_settings())))
    return client


def parse_both(ics: bytes) -> icalendar.Calendar:
    """Parse with icalendar and with the stricter `ical` package; return icalendar's tree."""
    IcsCalendarStream.calendar_from_ics(ics.decode("utf-8"))
    return icalendar.Calendar.from_ical(ics)


def vevents_by_uid(ics: bytes) -> dict[str, icalendar.Event]:
    """Return the master VEVENTs (no RECURRENCE-ID) by UID."""
    return {str(e["UID"]): e for e in parse_both(ics).walk("VEVENT") if "RECURRENCE-ID" not in e}


async def eventually(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Call the async `check` until it returns something truthy."""
    async with asyncio.timeout(seconds):
        while not (result := await check()):
            await asyncio.sleep(0.05)
        return result
