"""A party's staff member subscribes, confirms, manages topics, takes the private feed and leaves.

In Debian's Chromium against the system `make run` starts; the alert emails are read
from its mail sink and the one-click unsubscribe is the POST a mailbox provider sends
(RFC 8058).
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from tests.journeys.conftest import Product, Visit
from tests.journeys.mail import mails_to, wait_for_mail
from tests.journeys.people import mail_api, move_modification, subscribe

pytestmark = pytest.mark.timeout(300)

ADDRESS = "journey.party@example.org"
WATCHER = "journey.watcher@example.org"


async def test_party_subscribes_manages_takes_feed_and_leaves(
    product: Product, visit: Visit
) -> None:
    page = visit.page
    manage_url = await subscribe(visit, product, ADDRESS, modifications="MP192")

    # The private feed: a webcal link and a copy button that puts its https URL on the clipboard.
    await page.get_by_role("button", name=re.compile("Copy", re.I)).click()
    copied = await page.evaluate("navigator.clipboard.readText()")
    assert "/feeds/private/" in copied
    webcal = page.locator("a[href^='webcal:']")
    assert await webcal.count() >= 1
    async with aiohttp.ClientSession() as session, session.get(copied) as feed:
        assert feed.status == 200
        assert feed.headers["Content-Type"].startswith("text/calendar")
        assert b"BEGIN:VCALENDAR" in await feed.read()

    # One bad reference among good edits: the error is at the field, the edits are kept.
    await page.get_by_label("Consultations").check()
    field = page.get_by_label(re.compile("Particular modifications"))
    await field.fill("MP192 NOT-A-REF")
    await page.get_by_role("button", name=re.compile("Save")).click()
    await visit.look("manage page with an error")
    assert await field.get_attribute("aria-invalid") == "true"
    assert await field.input_value() == "MP192 NOT-A-REF"
    assert await page.get_by_label("Consultations").is_checked()
    await field.fill("MP192")
    await page.get_by_role("button", name=re.compile("Save")).click()
    await visit.look("manage page saved")
    await page.goto(manage_url)
    assert await page.get_by_label("Consultations").is_checked()

    # A second follower is the control: when it has mail, the party would have had it too.
    await subscribe(visit, product, WATCHER, modifications="MP192")
    moved_to = await move_modification(product, "MP192", "Journey: the Panel agreed the move")
    mails = await wait_for_mail(mail_api(product), ADDRESS, 2)
    alert = mails[-1]
    assert "MP192" in alert.subject
    assert moved_to.replace("-", " ") in alert.text.lower()
    [unsubscribe] = alert.headers["List-Unsubscribe"]
    assert alert.headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    one_click = re.search(r"<(https?://[^>]+)>", unsubscribe)
    assert one_click is not None
    async with (
        aiohttp.ClientSession() as session,
        session.post(one_click.group(1), data={"List-Unsubscribe": "One-Click"}) as left,
    ):
        assert left.status == 200

    await move_modification(product, "MP192", "Journey: a move after the party left")
    await wait_for_mail(mail_api(product), WATCHER, 3)
    assert len(await mails_to(mail_api(product), ADDRESS)) == 2


async def test_alert_pages_survive_odd_queries(product: Product, visit: Visit) -> None:
    """Unknown and bad query values on pages: an HTML page, never a 500 or raw JSON."""
    page = visit.page
    for part, path in (
        ("registry", "/modifications?utm_source=newsletter"),
        ("calendar", "/?when=sometime"),
        ("calendar", "/?utm_source=x"),
    ):
        response: Any = await page.goto(product.url(part, path))
        assert response.status < 500, path
        assert response.headers["content-type"].startswith("text/html"), path
        await visit.look(f"{part} {path}")
