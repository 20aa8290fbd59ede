"""The secretariat runs a meeting and a modification through the console; followers are told.

In Debian's Chromium against the system `make run` starts, with an account made by the
operator's command. A follower of everything (subscribed through the pages) receives
the alert of every step; the public event page never shows the meeting's Green paper.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from tests.journeys.conftest import Product, Visit
from tests.journeys.mail import Mail, mails_to, wait_for_mail
from tests.journeys.people import mail_api, move_modification, subscribe

pytestmark = pytest.mark.timeout(420)

FOLLOWER = "journey.follower@example.org"
USERNAME = "journey.secretariat"
PASSWORD = "a long journey passphrase 42"
MEETING = "SEC Panel meeting 990 (journey)"
GREEN_PAPER = "Panel papers pack for members"
CONSULTATION = "Journey consultation on MP902"
LONDON = ZoneInfo("Europe/London")


def local(moment: datetime) -> str:
    """What a datetime-local field takes."""
    return moment.strftime("%Y-%m-%dT%H:%M")


async def wait_for_subject(product: Product, pattern: str) -> Mail:
    """Wait for the follower's alert whose subject matches `pattern`."""
    for count in range(2, 40):
        mails = await wait_for_mail(mail_api(product), FOLLOWER, count)
        found = [mail for mail in mails if re.search(pattern, mail.subject)]
        if found:
            return found[-1]
    raise AssertionError(f"no alert matching {pattern!r}")


async def test_staff_runs_a_meeting_and_a_modification_through_the_console(
    product: Product, visit: Visit
) -> None:
    product.staff_account(USERNAME, "secretariat", PASSWORD)
    await subscribe(visit, product, FOLLOWER, topic="Everything")
    page = visit.page
    console = product.url("registry", "/console")

    # Anonymous: the console sends the person to sign in, then back where they were going.
    await page.goto(f"{console}/meetings/new")
    await page.wait_for_url(re.compile("/console/sign-in"))
    await visit.look("sign in")
    await page.get_by_label("Username").fill(USERNAME)
    await page.get_by_label("Password").fill("not the passphrase")
    await page.get_by_role("button", name="Sign in").click()
    await visit.look("sign in refused")
    assert await page.get_by_label("Username").input_value() == USERNAME
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile("/console/meetings/new"))

    # A meeting with a Green paper and an agenda item; a bad reference first.
    starts = (datetime.now(LONDON) + timedelta(days=21)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    await page.get_by_label("Title", exact=True).fill(MEETING)
    await page.get_by_label("Type", exact=True).select_option("meeting")
    await page.get_by_label("Committee", exact=True).select_option("sec-panel")
    await page.get_by_label("Meeting number", exact=True).fill("990")
    await page.get_by_label("Starts (UK time)").fill(local(starts))
    await page.get_by_label("Ends (UK time)").fill(local(starts + timedelta(hours=2)))
    await page.get_by_label("Place", exact=True).fill("Online and at 8 Fenchurch Place, London")
    await page.get_by_label("Paper 1 title").fill(GREEN_PAPER)
    await page.get_by_label("Paper 1 link").fill("https://example.org/papers/990-pack.pdf")
    await page.get_by_label("Paper 1 classification").select_option("green")
    await page.get_by_label("Agenda item 1", exact=True).fill("MP902 report and vote")
    refs = page.get_by_label("Agenda item 1 modifications")
    await refs.fill("MP902 MP999")
    await page.get_by_role("button", name="Create").click()
    await visit.look("meeting form with an error")
    assert await refs.get_attribute("aria-invalid") == "true"
    assert await page.get_by_label("Paper 1 title").input_value() == GREEN_PAPER
    await refs.fill("MP902")
    await page.get_by_role("button", name="Create").click()
    await page.wait_for_url(re.compile(r"/console/meetings/[^/]+$"))
    await visit.look("meeting created")
    event_id = page.url.rsplit("/", 1)[-1]
    created = await wait_for_subject(product, re.escape(MEETING))
    assert created.subject.startswith("New meeting")

    # The public page: place and agenda, never the Green paper.
    event_page = product.url("calendar", f"/events/{event_id}")
    async with aiohttp.ClientSession() as session, session.get(event_page) as public:
        assert public.status == 200
        html = await public.text()
    assert "MP902" in html
    assert GREEN_PAPER not in html

    # Moved a day later, then cancelled with a reason the followers read.
    later = starts + timedelta(days=1)
    await page.get_by_label("New start (UK time)").fill(local(later))
    await page.get_by_label("New end (UK time)").fill(local(later + timedelta(hours=2)))
    await page.get_by_role("button", name="Move").click()
    await visit.look("meeting moved")
    await wait_for_subject(product, f"{re.escape(MEETING)} moved to")
    await page.get_by_label(re.compile("Reason")).fill("Journey: the Panel would not be quorate")
    await page.get_by_role("button", name="Cancel this entry").click()
    await visit.look("meeting cancelled")
    assert await page.locator("#status").inner_text() == "cancelled"
    cancelled = await wait_for_subject(product, f"Cancelled: {re.escape(MEETING)}")
    assert "quorate" in cancelled.text

    # A modification moved with a reason: the history names the person who did it.
    await page.goto(f"{console}/modifications/MP902")
    await visit.look("modification in the console")
    status = page.get_by_label("New status")
    moved_to = await status.locator("option").first.inner_text()
    await page.get_by_label(re.compile("^Reason")).fill("Journey: agreed at Panel 990")
    await page.get_by_role("button", name="Move", exact=True).click()
    await visit.look("modification moved")
    first_row = page.locator("#history tbody tr").first
    assert USERNAME in await first_row.inner_text()
    moved = await wait_for_subject(product, "^MP902 moved to")
    assert moved_to in moved.subject

    # A consultation on it, opened and then closed.
    await page.goto(f"{console}/consultations/new?modification_ref=MP902")
    await page.get_by_label("Title", exact=True).fill(CONSULTATION)
    closes = (datetime.now(LONDON) + timedelta(days=7)).replace(hour=17, minute=0)
    await page.get_by_label("Closes (UK time)").fill(local(closes))
    await page.get_by_label("Responses to").fill("secas@example.org")
    await visit.look("consultation form")
    await page.get_by_role("button", name="Open").click()
    await visit.look("consultation open")
    assert await page.locator("#status").inner_text() == "open"
    await wait_for_subject(product, f"Consultation open until .*{re.escape(CONSULTATION)}")
    await page.get_by_role("button", name="Close the consultation").click()
    await visit.look("consultation closed")
    assert await page.locator("#status").inner_text() == "closed"
    await wait_for_subject(product, f"Consultation closed: {re.escape(CONSULTATION)}")

    # Signed out, the console is closed again.
    await page.get_by_role("button", name=re.compile("Sign out")).click()
    await page.goto(f"{console}/meetings")
    await page.wait_for_url(re.compile("/console/sign-in"))


async def test_an_admin_erases_a_subscriber_on_request_and_looks_at_dead_letters(
    product: Product, visit: Visit
) -> None:
    """An erasure request: found by address, exported, erased; then no more mail."""
    erased = "journey.erase-me@example.org"
    product.staff_account("journey.admin", "secretariat,admin", PASSWORD)
    await subscribe(visit, product, erased, topic="Everything")
    page = visit.page
    console = product.url("registry", "/console")
    await page.goto(f"{console}/subscribers")
    await page.get_by_label("Username").fill("journey.admin")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile("/console/subscribers"))
    await page.get_by_label("Email address").fill(erased.upper())
    await page.get_by_role("button", name="Find").click()
    await visit.look("subscriber found")
    await page.locator("table a[href*='/console/subscribers/']").first.click()
    await visit.look("what is held about a subscriber")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile("Download the export")).click()
    export = await (await download_info.value).path()
    assert erased in await asyncio.to_thread(Path(export).read_text)
    await page.get_by_label("Reason").fill("Journey: erasure request ER-1")
    await page.get_by_role("button", name="Erase this subscriber").click()
    await visit.look("erasure needs the tick")
    assert await page.get_by_label("Reason").input_value() == "Journey: erasure request ER-1"
    await page.get_by_label(re.compile("cannot be undone")).check()
    await page.get_by_role("button", name="Erase this subscriber").click()
    await page.locator("#erased").wait_for()
    await visit.look("subscriber erased")
    before = len(await mails_to(mail_api(product), erased))
    await move_modification(product, "MP192", "Journey: a move after the erasure")
    await wait_for_subject(product, "^MP192 moved to")
    assert len(await mails_to(mail_api(product), erased)) == before

    await page.goto(f"{console}/dead-letters")
    await visit.look("dead letters of every service")
