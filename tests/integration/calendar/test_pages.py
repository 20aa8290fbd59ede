"""The calendar pages in headless Chromium: months, subscribe boxes, add to calendar."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from shared.settings import CalendarSettings
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


async def test_calendar_opens_on_what_is_coming_and_what_just_happened(
    calendar: Client, staff: dict[str, str], page: Any
) -> None:
    await page.goto(str(calendar.make_url("/")))
    # The seed is history: nothing upcoming, but the latest entries are shown, not nothing.
    assert await page.locator("#nothing-upcoming").count() == 1
    recent = await page.locator("#recent ~ table tr.entry").all_inner_texts()
    assert recent
    assert any("2022" in row for row in recent)

    await create(calendar, staff, id="next-cb", title="Change Board Meeting 100")
    await page.goto(str(calendar.make_url("/?utm_source=newsletter")))
    assert await page.locator("#nothing-upcoming").count() == 0
    assert "Change Board Meeting 100" in await page.locator("h3.month + table").first.inner_text()


async def test_bad_filter_value_is_a_400_page_naming_it_and_a_problem_for_programs(
    calendar: Client, page: Any
) -> None:
    response = await page.goto(str(calendar.make_url("/?when=sometime")))
    assert response.status == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "when='sometime'" in await page.locator("main").inner_text()
    assert await page.locator("link[rel=stylesheet]").count() == 1

    program = await calendar.get("/?when=sometime")
    assert program.status == 400
    assert program.content_type == "application/problem+json"
    missing = await page.goto(str(calendar.make_url("/events/no-such-entry")))
    assert missing.status == 404
    assert await page.locator("h1").inner_text() == "Page not found"
    api = await calendar.get("/api/v1/events/no-such-entry", headers={"Accept": "text/html"})
    assert api.content_type == "application/problem+json"


async def test_event_page_shows_place_link_agenda_papers_by_entitlement_and_add_links(
    calendar: Client, staff: dict[str, str], page: Any, browser: Any
) -> None:
    await create(
        calendar,
        staff,
        id="cb-agenda",
        title="Change Board Meeting 101 & friends",
        location="Fora, 3 Mitchell Court",
        online_url="https://teams.example.org/join?meeting=1&x=y",
        description="Bring the papers.",
        documents=[
            {"title": "Agenda pack", "url": "https://sec.example.org/pack.pdf"},
            {"title": "Party-only costs", "url": "https://x.example/g", "classification": "green"},
            {"title": "Red minutes", "classification": "red"},
        ],
        agenda=[{"title": "MP192 decision", "modification_refs": ["MP192"]}],
        related_refs=["DP197"],
    )
    await page.goto(str(calendar.make_url("/events/cb-agenda")))
    assert await page.locator("#place").inner_text() == "Fora, 3 Mitchell Court"
    assert await page.locator("#joining-link").get_attribute("href") == (
        "https://teams.example.org/join?meeting=1&x=y"
    )
    assert "MP192 decision" in await page.locator("ol.agenda").inner_text()
    papers = await page.locator("ul.papers").inner_text()
    assert "Agenda pack" in papers
    # Fail closed: no token, no paper above White, and no hint that one exists.
    assert "Party-only" not in await page.content()
    assert "Red minutes" not in await page.content()
    refs = await page.locator("ul.modifications a").evaluate_all("els => els.map(e => e.href)")
    registry = CalendarSettings.model_fields["public_base_url_registry"].default
    assert refs == [f"{registry}/modifications/DP197", f"{registry}/modifications/MP192"]

    google = urlsplit(await page.locator("#add-google").get_attribute("href"))
    assert (google.scheme, google.netloc) == ("https", "calendar.google.com")
    asked = parse_qs(google.query)
    assert asked["action"] == ["TEMPLATE"]
    assert asked["text"] == ["Change Board Meeting 101 & friends"]
    assert asked["dates"] == ["20300126T100000Z/20300126T120000Z"]
    assert asked["location"] == ["Fora, 3 Mitchell Court"]
    assert asked["details"][0].endswith(f"{BASE_URL}/events/cb-agenda")
    outlook = parse_qs(urlsplit(await page.locator("#add-outlook").get_attribute("href")).query)
    assert outlook["subject"] == ["Change Board Meeting 101 & friends"]
    assert outlook["startdt"] == ["2030-01-26T10:00:00Z"]
    assert outlook["enddt"] == ["2030-01-26T12:00:00Z"]

    staff_view = await browser.new_context(extra_http_headers=staff)
    try:
        staff_page = await staff_view.new_page()
        await staff_page.goto(str(calendar.make_url("/events/cb-agenda")))
        marked = await staff_page.locator("ul.papers").inner_text()
        assert "Party-only costs GREEN" in marked
        assert "Red minutes RED" in marked
    finally:
        await staff_view.close()


async def test_event_agenda_prints_without_navigation_or_forms(calendar: Client, page: Any) -> None:
    await page.goto(str(calendar.make_url("/events/sec-panel-33")))
    await page.emulate_media(media="print")
    assert await page.locator(".site-header").is_hidden()
    assert await page.locator("#add-google").is_hidden()
    assert await page.locator("h1").is_visible()
    await page.emulate_media(media="screen")
    assert await page.locator(".site-header").is_visible()
