"""Every main page fits a 375 px phone in Chromium: nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from services.calendar.web.app import create_app as calendar_app
from services.notifier.web.app import create_app as notifier_app
from services.registry.web.app import create_app as registry_app
from shared.settings import CalendarSettings, NotifierSettings, RegistrySettings, ServiceSettings

PHONE_WIDTH = 375
Client = TestClient[Any, Any]

PAGES = {
    "registry": [
        "/modifications",
        "/modifications?status=refinement",
        "/modifications/MP192",
        "/modifications/SECMP0021",
        "/releases",
        "/releases/2020-11",
        "/modifications/MP9999",  # the error page
        "/modifications?status=sometime",
    ],
    "calendar": ["/", "/?when=past", "/events/sec-panel-33", "/?when=sometime"],
    "notifier": ["/subscribe", "/subscribe?topics=modification%3AMP192"],
}
FACTORIES: dict[str, tuple[Callable[[Any], Any], type[ServiceSettings]]] = {
    "registry": (registry_app, RegistrySettings),
    "calendar": (calendar_app, CalendarSettings),
    "notifier": (notifier_app, NotifierSettings),
}


async def scroll_width(browser: Any, url: str) -> tuple[int, int]:
    """Return (status, document width) of the page at a phone's width."""
    context = await browser.new_context(viewport={"width": PHONE_WIDTH, "height": 800})
    try:
        page = await context.new_page()
        response = await page.goto(url)
        width: int = await page.evaluate("document.scrollingElement.scrollWidth")
        return response.status, width
    finally:
        await context.close()


@pytest.mark.parametrize("service", list(PAGES))
async def test_main_pages_fit_a_375px_screen(
    aiohttp_client: Any, make_settings: Callable[..., ServiceSettings], browser: Any, service: str
) -> None:
    create, settings_type = FACTORIES[service]
    client: Client = await aiohttp_client(create(make_settings(settings_type, seed=True)))
    too_wide = {}
    for path in PAGES[service]:
        status, width = await scroll_width(browser, str(client.make_url(path)))
        assert status < 500, path
        if width > PHONE_WIDTH:
            too_wide[path] = width
    assert not too_wide, f"pages wider than {PHONE_WIDTH} px: {too_wide}"
