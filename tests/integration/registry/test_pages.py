"""The register's pages in a real browser, and its Atom feed, over the seed register."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from shared.settings import RegistrySettings
from tests.integration.registry.conftest import Client

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_register_pages_render_the_seed_register(seeded: Client, page: Any) -> None:
    await page.goto(str(seeded.make_url("/modifications")))
    assert await page.title() == "Modifications Register · SEC"
    assert await page.locator("#register tbody tr").count() >= 40

    await page.select_option("#status", "refinement")
    await page.click("button[type=submit]")
    await page.wait_for_url("**/modifications?status=refinement*")
    statuses = await page.locator("#register [data-status]").all_inner_texts()
    assert statuses
    assert set(statuses) == {"Refinement"}

    await page.click("text=MP192")
    await page.wait_for_url("**/modifications/MP192")
    assert "Extend Scheduled Services for SMETS1 Devices" in await page.inner_text("h1")
    consultations = await page.inner_text("#consultations")
    assert "Refinement Consultation" in consultations

    await page.goto(str(seeded.make_url("/releases/2020-11")))
    assert await page.inner_text("h1") == "November 2020 SEC Release"
    assert await page.locator("#modifications tbody tr").count() == 18
    assert await page.locator("#documents tbody tr").count() > 10


async def test_a_title_with_a_script_tag_is_shown_as_text(
    registry: Client, staff: dict[str, str], page: Any
) -> None:
    title = "<script>window.pwned = 1</script> & <b>bold</b>"
    created = await registry.post(
        "/api/v1/modifications", headers=staff, json={"ref": "MP500", "title": title}
    )
    assert created.status == 201
    await page.goto(str(registry.make_url("/modifications/MP500")))
    assert await page.inner_text("h1") == f"MP500: {title}"
    assert await page.evaluate("window.pwned") is None
    html = await (await registry.get("/modifications")).text()
    assert "&lt;script&gt;window.pwned" in html
    assert "<script>window.pwned" not in html


async def test_atom_feed_parses_and_lists_recent_changes(
    seeded: Client, staff: dict[str, str]
) -> None:
    moved = await seeded.post(
        "/api/v1/modifications/MP192/transitions",
        headers=staff,
        json={"to": "report-phase", "reason": "Refinement complete"},
    )
    assert moved.status == 201
    response = await seeded.get("/modifications/feed.atom")
    assert response.content_type == "application/atom+xml"
    feed = ET.fromstring(await response.read())  # noqa: S314 - our own feed
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 50
    first = entries[0]
    assert first.findtext(f"{ATOM}id", "").endswith("/modifications/MP192")
    assert "Report Phase" in first.findtext(f"{ATOM}title", "")


async def test_modification_page_links_its_feeds_and_follow_by_email(
    seeded: Client, page: Any
) -> None:
    await page.goto(str(seeded.make_url("/modifications/MP192?utm_source=newsletter")))
    follow = await page.locator("#follow-by-email").get_attribute("href")
    notifier = RegistrySettings.model_fields["public_base_url_notifier"].default
    assert follow == f"{notifier}/subscribe?topics=modification%3AMP192"
    calendar = RegistrySettings.model_fields["public_base_url_calendar"].default
    feed = f"{calendar}/feeds/modifications/MP192.ics"
    assert await page.locator("#modification-feed").input_value() == feed
    assert await page.locator("#follow a.webcal").get_attribute("href") == (
        "webcal://" + feed.split("://", 1)[1]
    )
    assert await page.locator("#atom-feed").get_attribute("href") == "/modifications/feed.atom"


async def test_register_ignores_unknown_parameters_and_names_a_bad_value(
    seeded: Client, page: Any
) -> None:
    ignored = await page.goto(str(seeded.make_url("/modifications?utm_source=x&fbclid=y")))
    assert ignored.status == 200
    assert await page.locator("#register tbody tr").count() >= 40

    bad = await page.goto(str(seeded.make_url("/modifications?status=sometime")))
    assert bad.status == 400
    assert bad.headers["content-type"].startswith("text/html")
    assert "sometime" in await page.locator("main").inner_text()

    missing = await page.goto(str(seeded.make_url("/modifications/MP9999")))
    assert missing.status == 404
    assert await page.locator("h1").inner_text() == "Page not found"

    program = await seeded.get("/modifications/MP9999")
    assert program.status == 404
    assert program.content_type == "application/problem+json"
    api = await seeded.get("/api/v1/modifications/MP9999", headers={"Accept": "text/html"})
    assert api.content_type == "application/problem+json"
