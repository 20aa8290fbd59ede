"""The subscribe page works in a real browser, without JavaScript."""

from __future__ import annotations

from typing import Any

from services.notifier.adapters import names
from tests.integration.notifier.rig import Rig


async def test_subscribe_page_works_in_headless_chromium_without_javascript(
    rig: Rig, browser: Any
) -> None:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    try:
        await page.goto(str(rig.client.make_url("/subscribe")))
        await page.get_by_label("Email address").fill("browser@example.org")
        await page.get_by_label("Change Board meetings").check()
        await page.get_by_label("One weekly digest (Mondays)").check()
        await page.get_by_role("button", name="Subscribe").click()
        await page.get_by_role("heading", name="Check your inbox").wait_for()
    finally:
        await context.close()
    [confirmation] = await rig.wait_mail(1)
    assert "browser@example.org" in str(confirmation["To"])
    document = await rig.mongo.collection(names.SUBSCRIPTIONS).find_one({})
    assert document is not None
    assert document["topics"] == ["committee:change-board"]
    assert document["digest"] == "weekly"


async def test_subscribe_page_shows_errors_in_the_page(rig: Rig) -> None:
    response = await rig.client.post(
        "/subscribe", data={"email": "a@b.example\r\nBcc: x@y.example", "topics": "all"}
    )
    assert response.status == 422
    assert "line breaks" in await response.text()
    assert await rig.mongo.collection(names.SUBSCRIPTIONS).count_documents({}) == 0
