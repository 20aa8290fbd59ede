"""The subscribe page works in a real browser, without JavaScript."""

from __future__ import annotations

from typing import Any

from services.notifier.adapters import names
from tests.integration.notifier.rig import CONFIRM_LINK, Rig, link


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


async def test_a_follow_link_preselects_its_topics(rig: Rig, page: Any) -> None:
    query = "topics=modification%3AMP192&topics=committee%3Achange-board&topics=bogus&utm_source=x"
    response = await page.goto(str(rig.client.make_url(f"/subscribe?{query}")))
    assert response.status == 200
    assert await page.locator("#modifications").input_value() == "MP192"
    assert await page.locator("input[value='committee:change-board']").is_checked()
    assert not await page.locator("input[value='all']").is_checked()


async def test_manage_keeps_every_other_edit_when_one_reference_is_bad(rig: Rig, page: Any) -> None:
    token = await rig.subscribe_confirmed("edits@example.org", ["committee:change-board"])
    await page.goto(str(rig.client.make_url(f"/subscriptions/manage?token={token}")))
    await page.locator("input[value='committee:change-board']").uncheck()
    await page.locator("input[value='consultations']").check()
    await page.locator("#modifications").fill("MP192 NOT-A-REF")
    await page.locator("input[name=digest][value=weekly]").check()
    await page.get_by_role("button", name="Save my choices").click()

    field = page.locator("#modifications")
    await field.wait_for()
    assert await field.get_attribute("aria-invalid") == "true"
    assert await page.evaluate("document.activeElement.id") == "modifications"
    assert await field.input_value() == "MP192 NOT-A-REF"
    assert "NOT-A-REF" in await page.locator("#modifications-error").inner_text()
    assert await field.get_attribute("aria-describedby") == "modifications-error"
    assert await page.locator("input[value='consultations']").is_checked()
    assert not await page.locator("input[value='committee:change-board']").is_checked()
    assert await page.locator("input[name=digest][value=weekly]").is_checked()
    stored = await rig.mongo.collection(names.SUBSCRIPTIONS).find_one({})
    assert stored is not None
    assert stored["topics"] == ["committee:change-board"]
    assert stored["digest"] == "none"

    await field.fill("MP192")
    await page.get_by_role("button", name="Save my choices").click()
    await page.get_by_text("Your choices were saved.").wait_for()
    stored = await rig.mongo.collection(names.SUBSCRIPTIONS).find_one({})
    assert stored is not None
    assert sorted(stored["topics"]) == ["consultations", "modification:MP192"]
    assert stored["digest"] == "weekly"


async def test_private_feed_has_a_webcal_link_and_a_copy_button(rig: Rig, browser: Any) -> None:
    token = await rig.subscribe_confirmed("copy@example.org", ["all"])
    url = str(rig.client.make_url(f"/subscriptions/manage?token={token}"))
    context = await browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = await context.new_page()
        await page.goto(url)
        feed_url = await page.locator("#private-feed-url").input_value()
        assert "/feeds/private/" in feed_url
        webcal = await page.locator("#private-webcal").get_attribute("href")
        assert webcal == "webcal://" + feed_url.split("://", 1)[1]
        await page.get_by_role("button", name="Copy the private feed URL").click()
        await (
            page.get_by_role("button", name="Copy the private feed URL")
            .filter(has_text="Copied")
            .wait_for()
        )
        assert await page.evaluate("navigator.clipboard.readText()") == feed_url
    finally:
        await context.close()

    without_script = await browser.new_context(java_script_enabled=False)
    try:
        page = await without_script.new_page()
        await page.goto(url)
        # Without JavaScript the URL is still there to select and copy; no dead button.
        assert await page.locator("#private-feed-url").input_value() == feed_url
        assert await page.locator("button.copy").count() == 0
    finally:
        await without_script.close()


async def test_link_errors_are_pages_for_browsers(rig: Rig, page: Any) -> None:
    response = await page.goto(str(rig.client.make_url("/subscriptions/manage?token=nonsense")))
    assert response.status == 400
    assert await page.locator("h1").inner_text() == "Invalid link"
    assert await page.locator("link[rel=stylesheet]").count() == 1


async def test_the_confirm_button_of_an_emailed_link_works_in_a_browser(
    rig: Rig, page: Any
) -> None:
    # Token pages keep their URL from other sites (Referrer-Policy same-origin), yet their
    # own form posts carry the page's Origin, which the CSRF check accepts.
    assert (await rig.subscribe("button@example.org", ["all"])).status == 202
    [confirmation] = await rig.wait_mail(1)
    token = link(confirmation, CONFIRM_LINK)
    response = await page.goto(str(rig.client.make_url(f"/subscriptions/confirm?token={token}")))
    assert response.headers["referrer-policy"] == "same-origin"
    await page.get_by_role("button", name="Confirm my subscription").click()
    await page.get_by_role("heading", name="Subscription confirmed").wait_for()
    stored = await rig.mongo.collection(names.SUBSCRIPTIONS).find_one({})
    assert stored is not None
    assert stored["status"] == "confirmed"
