"""Every email is readable on a 375 px phone: rendered in Chromium, nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from services.notifier.domain.mail import render_alert, render_confirmation, wire_bytes
from services.notifier.domain.subscriptions import new_subscription, subscription_request
from tests.integration.notifier.rig import Rig
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change
from tests.unit.notifier.samples import DOMAIN, ICS, NOW, SECRET, SENDER, confirmed, meeting
from tests.unit.notifier.test_golden import CASES
from tests.unit.notifier.test_wire import LONG_LINKS, TOKEN
from tests.unit.notifier.wire import decoded, parts

PHONE_WIDTH = 375
LONG_URL = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA4ZGM5YjMtYzQ2Ni00ZTJhLWI4ZjYt"
    "ZDQ5MmE1NzQ0ZWY2%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011"
    "db47%22%2c%22Oid%22%3a%22a1b2c3d4-e5f6-7890-abcd-ef1234567890%22%7d"
)


def _long_meeting() -> EmailMessage:
    return render_alert(
        "calendar.event.created",
        {
            "event": meeting(
                online_url=LONG_URL,
                url=LONG_URL,
                location="Room_" + "Fenchurch" * 12,
                title="Change Board Meeting 62 " + "Supercalifragilistic" * 4,
            )
        },
        confirmed(["all"]),
        LONG_LINKS,
        ICS,
        event_id="evt-1",
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )


def _long_confirmation() -> EmailMessage:
    pending = new_subscription(
        subscription_request("a" * 40 + "@example.org", ["all"]), now=NOW, feed_secret=SECRET
    )
    return render_confirmation(
        pending,
        f"https://secas-alerts.notifications.example.co.uk/subscriptions/confirm?token={TOKEN}",
        datetime(2022, 1, 31, 9, 0, tzinfo=UTC),
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )


EMAILS: dict[str, Callable[[], EmailMessage]] = {
    **CASES,
    "meeting_with_long_urls": _long_meeting,
    "confirmation_with_long_link": _long_confirmation,
}


def html_of(raw: bytes) -> str:
    return decoded(parts(raw)["text/html"])


async def scroll_width(browser: Any, html: str) -> int:
    context = await browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 800}, java_script_enabled=True
    )
    try:
        page = await context.new_page()
        await page.set_content(html)
        width: int = await page.evaluate("document.scrollingElement.scrollWidth")
        return width
    finally:
        await context.close()


@pytest.mark.parametrize("name", sorted(EMAILS))
async def test_email_fits_a_375px_screen(browser: Any, name: str) -> None:
    html = html_of(wire_bytes(EMAILS[name]()))
    assert await scroll_width(browser, html) <= PHONE_WIDTH


async def test_sent_confirmation_and_alert_fit_a_375px_screen(rig: Rig, browser: Any) -> None:
    await rig.subscribe_confirmed("phone@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(2)
    for raw in rig.raw_messages("phone@example.org"):
        assert await scroll_width(browser, html_of(raw)) <= PHONE_WIDTH
