"""What people do in several journeys: subscribe through the pages, staff move a modification."""

from __future__ import annotations

import re

import aiohttp

from tests.journeys.conftest import Product, Visit
from tests.journeys.mail import mails_to, wait_for_mail


async def subscribe(
    visit: Visit, product: Product, address: str, *, modifications: str = "", topic: str = ""
) -> str:
    """Subscribe `address` through the pages and confirm it; return the manage page's URL."""
    page = visit.page
    await page.goto(product.url("notifier", "/subscribe"))
    await visit.look("subscribe form")
    await page.get_by_label("Email address").fill(address)
    if modifications:
        await page.get_by_label(re.compile("Particular modifications")).fill(modifications)
    if topic:
        await page.get_by_label(topic, exact=True).check()
    await page.get_by_role("button", name=re.compile("^Subscribe")).click()
    await visit.look("check your inbox")
    [confirmation] = await wait_for_mail(mail_api(product), address, 1)
    [confirm_link] = confirmation.links("/subscriptions/confirm")
    # The link opens a page; only its button (a POST) confirms, so scanners confirm nothing.
    await page.goto(confirm_link)
    await visit.look("confirm page")
    assert (await mails_to(mail_api(product), address)) == [confirmation]
    await page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    await page.get_by_text("Subscription confirmed").wait_for()
    await visit.look("subscription confirmed")
    await page.get_by_role("link", name="Manage your subscription").click()
    await page.wait_for_url(re.compile("/subscriptions/manage"))
    await visit.look("manage page after confirming")
    return str(page.url)


def mail_api(product: Product) -> str:
    return product.url("mail", "/api/v1")


async def move_modification(product: Product, ref: str, reason: str) -> str:
    """Move `ref` to the first status its workflow allows now (the staff's API call)."""
    headers = {"Authorization": f"Bearer {product.token}"}
    url = product.url("registry", f"/api/v1/modifications/{ref}/transitions")
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(product.url("registry", f"/api/v1/modifications/{ref}")) as got:
            allowed = (await got.json())["allowed_transitions"]
        async with session.post(url, json={"to": allowed[0], "reason": reason}) as moved:
            assert moved.status == 201, await moved.text()
            return str(allowed[0])
