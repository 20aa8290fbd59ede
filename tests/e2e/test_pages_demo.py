"""The demonstration set of `make run` goes through the services' APIs and is clearly marked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from services.calendar.seed import demo as calendar_demo
from services.notifier.seed import demo as notifier_demo
from services.registry.seed import demo as registry_demo
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, issue_token
from shared.dev.demo import DemoReport, load_demo
from shared.dev.run import seed_choice
from tests.conftest import TEST_SIGNER
from tests.support.rabbit import amqp_url_of_own
from tests.support.system import SERVICES, System, messages_to, running_system

PHONE_WIDTH = 375


@pytest.fixture
def demo_system(mongo_url: str, tmp_path: Path) -> Iterator[System]:
    """A system of its own (history seeded), so the demo reaches no other test's world."""
    with (
        amqp_url_of_own() as amqp_url,
        running_system(mongo_url, amqp_url, tmp_path, "e2e_demo") as system,
    ):
        yield system


def _load(system: System, now: datetime) -> DemoReport:
    return load_demo(
        (notifier_demo.DEMO_SUBSCRIBER, notifier_demo.demo_calls()),
        registry_demo.demo_calls(now) + calendar_demo.demo_calls(now),
        {name: system.url(name) for name in SERVICES},
        issue_token(TEST_SIGNER, "dev-admin", {ROLE_SECRETARIAT, ROLE_ADMIN}),
        f"http://127.0.0.1:{system.mail_http_port}",
        print,
    )


async def _eventually(check: Any, seconds: float = 30) -> Any:
    async with asyncio.timeout(seconds):
        while not (found := await check()):
            await asyncio.sleep(0.3)
        return found


async def test_demo_set_is_dated_around_today_marked_and_mailed_to_its_subscriber(
    demo_system: System, browser: Any
) -> None:
    now = datetime.now(UTC)
    first = await asyncio.to_thread(_load, demo_system, now)
    assert first.failed == []
    assert first.created == 1 + len(registry_demo.demo_calls(now)) + 2

    async with aiohttp.ClientSession() as http:

        async def calendar_page() -> str | None:
            async with http.get(demo_system.url("calendar", "/")) as response:
                html = await response.text()
            # The consultation's closing reaches the calendar as a registry event.
            return html if "[Demo] MP901 Refinement Consultation" in html else None

        html = await _eventually(calendar_page)
        upcoming = html.split('id="upcoming"')[1].split('id="recent"')[0]
        assert "[Demo] SEC Panel Meeting" in upcoming
        assert "[Demo] Change Board Meeting" in upcoming
        closes = registry_demo.closing_this_week(now)
        assert now < closes <= now + timedelta(days=7)

        async with http.get(demo_system.url("registry", "/modifications?q=Demo")) as response:
            register = await response.text()
        assert "[Demo] Faster switching" in register

        async def alerts() -> list[Any]:
            mail = await messages_to(http, demo_system, notifier_demo.DEMO_SUBSCRIBER)
            # The confirmation, then alerts about what the demo did after it confirmed.
            return [m for m in mail if "Confirm" not in str(m["Subject"])]

        assert any("MP901" in str(m["Subject"]) for m in await _eventually(alerts))

    context = await browser.new_context(viewport={"width": PHONE_WIDTH, "height": 800})
    try:
        page = await context.new_page()
        panel_day = calendar_demo.next_weekday(now, calendar_demo.FRIDAY, 2)
        await page.goto(demo_system.url("calendar", f"/events/demo-sec-panel-{panel_day:%Y-%m-%d}"))
        assert (await page.locator("h1").inner_text()).startswith("[Demo]")
        # Green papers are for SEC Parties: the public page does not show them.
        assert "Green" not in await page.locator("ul.papers").inner_text()
        assert await page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH
    finally:
        await context.close()

    again = await asyncio.to_thread(_load, demo_system, now)
    assert again.failed == []
    # Only the subscribe request is taken again (it changes nothing for a confirmed address).
    assert again.already == first.created - 1


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("history+demo", {"history", "demo"}),
        ("history", {"history"}),
        ("demo", {"demo"}),
        ("none", set()),
        ("true", {"history"}),  # SEED's older yes/no meaning
        ("false", set()),
    ],
)
def test_make_run_reads_seed_as_history_demo_or_none(value: str, parts: set[str]) -> None:
    assert seed_choice(value) == parts


def test_make_run_refuses_a_seed_it_does_not_know() -> None:
    with pytest.raises(SystemExit, match="history, demo, none"):
        seed_choice("everything")
