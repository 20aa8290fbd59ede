"""The calendar pages in headless Chromium: months, subscribe boxes, add to calendar."""

from __future__ import annotations

from typing import Any

from tests.integration.calendar.conftest import BASE_URL, Client
from tests.integration.calendar.test_feeds import create


async def test_calendar_page_groups_seed_meetings_by_month_and_offers_feeds(
    calendar: Client, staff: dict[str, str], page: Any
) -> None:
    await create(calendar, staff, id="amber-x", classification="amber", title="Amber briefing")
    await page.goto(str(calendar.make_url("/?when=past")))
    months = await page.locator("h3.month").all_inner_texts()
    assert "January 2022" in months
    assert "June 2016" in months
    january = page.locator("h3.month", has_text="January 2022").locator(
        "xpath=following-sibling::table[1]"
    )
    assert "Change Board" in await january.inner_text()

    url = await page.locator("input.feed-url").first.input_value()
    assert url == f"{BASE_URL}/feeds/all.ics"
    assert await page.locator("input.feed-url").first.get_attribute("readonly") is not None
    webcal = await page.locator("a", has_text="Subscribe in your calendar app").first.get_attribute(
        "href"
    )
    assert webcal == "webcal://calendar.sec.example.org/feeds/all.ics"

    # Filters work without JavaScript: a plain GET form.
    await page.select_option("select[name=committee]", "change-board")
    await page.click("button[type=submit]")
    rows = await page.locator("tr.entry").all_inner_texts()
    assert rows
    assert all("Change Board" in row or "Change board" in row for row in rows)
    assert await page.locator("input.feed-url").nth(1).input_value() == (
        f"{BASE_URL}/feeds/committees/change-board.ics"
    )

    await page.goto(str(calendar.make_url("/")))
    assert "Amber briefing" not in await page.content()

    await page.goto(str(calendar.make_url("/events/sec-panel-33")))
    assert "Panel Meeting 33" in await page.locator("h1").inner_text()
    link = page.locator("a.add-to-calendar")
    assert await link.get_attribute("href") == "/events/sec-panel-33.ics"
    response = await calendar.get("/events/sec-panel-33.ics")
    assert response.status == 200
    assert b"BEGIN:VEVENT" in await response.read()
