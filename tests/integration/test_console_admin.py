"""The console's admin screens against a real notifier, broker and mail sink.

Subscribers, deliveries and dead letters are the notifier's: the console calls its admin
API as the signed-in person. An admin finds, exports and erases a subscriber; a failed
alert is resent; a poison message is inspected, replayed and dropped; a secretariat
account is refused every admin screen and action (and may resend, as the API allows).
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from services.notifier.adapters import names
from services.registry.web.app import create_app as registry_app
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, SigningKey
from shared.dev.embedded_mongo import free_port
from shared.settings import RegistrySettings
from tests.integration.notifier.conftest import StartRig, start_rig
from tests.integration.notifier.rig import Rig, until
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change
from tests.integration.test_console_support import (
    Client,
    MovableClock,
    add_account,
    clock,
    csrf_token,
    post_form,
    signed_in,
)
from tests.integration.test_ops import failed_alert

__all__ = ["clock", "start_rig"]  # fixtures

CONSOLE_KEY = SigningKey.generate()
QUEUE = "notifier.events"


@dataclass
class Admin:
    console: Client  # signed in as root (admin)
    secretariat: Client  # signed in as alice (secretariat)
    notifier: Rig


@pytest.fixture
async def admin(
    start_rig: StartRig,
    aiohttp_server: Callable[..., Any],
    aiohttp_client: Callable[..., Any],
    make_settings: Callable[..., Any],
    clock: MovableClock,
) -> AsyncIterator[Admin]:
    """A registry with the console, and a notifier trusting the console's key.

    No calendar runs (its port is closed): the dead-letter screen shows it unreachable.
    """
    async with start_rig(token_public_keys=[CONSOLE_KEY.public_pem()]) as notifier:
        registry = await aiohttp_server(
            registry_app(
                make_settings(
                    RegistrySettings,
                    console_signing_key=CONSOLE_KEY.private_pem(),
                    notifier_url=str(notifier.client.make_url("")).rstrip("/"),
                    calendar_url=f"http://127.0.0.1:{free_port()}",
                ),
                clock=clock,
            )
        )
        console: Client = await aiohttp_client(registry)
        secretariat: Client = await aiohttp_client(registry)
        await add_account(console, "root", {ROLE_ADMIN}, "Root Admin")
        await add_account(console, "alice", {ROLE_SECRETARIAT}, "Alice Example")
        await signed_in(console, "root")
        await signed_in(secretariat, "alice")
        yield Admin(console, secretariat, notifier)


async def subscriber_of(notifier: Rig, address: str) -> str:
    stored = await notifier.mongo.collection(names.SUBSCRIPTIONS).find_one({"email": address})
    assert stored is not None
    return str(stored["_id"])


async def text_of(client: Client, path: str, status: int = 200) -> str:
    response = await client.get(path, allow_redirects=False)
    text = await response.text()
    assert response.status == status, (path, response.status, text[:500])
    return html.unescape(text)


async def test_an_admin_finds_exports_and_erases_a_subscriber_who_then_gets_no_mail(
    admin: Admin,
) -> None:
    notifier, console = admin.notifier, admin.console
    address = "leaving@example.org"
    await notifier.subscribe_confirmed(address, ["modification:MP192"])
    sent = await notifier.publish(STATUS_CHANGED, status_change("refinement"), subject="MP192")
    await notifier.wait_mail(2, address)

    assert "Subscribers" in await text_of(console, "/console/modifications")  # the admin's link
    empty = await post_form(console, "/console/subscribers/find", "/console/subscribers", email="")
    assert empty.status == 422
    assert 'name="email" aria-invalid="true"' in await empty.text()
    bad = await post_form(
        console, "/console/subscribers/find", "/console/subscribers", email="not an address"
    )
    assert bad.status == 422  # the notifier's refusal, next to the field, the input kept
    shown = await bad.text()
    assert 'name="email" aria-invalid="true"' in shown
    assert 'value="not an address"' in shown

    found = await post_form(
        console, "/console/subscribers/find", "/console/subscribers", email=" Leaving@Example.org "
    )
    assert found.status == 200
    subscriber_id = await subscriber_of(notifier, address)
    page = f"/console/subscribers/{subscriber_id}"
    assert f'href="{page}"' in await found.text()

    held = await text_of(console, page)
    assert address in held
    assert "modification:MP192" in held
    assert sent.id in held  # the alert among its deliveries
    download = await console.get(f"{page}/export.json")
    assert download.status == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    exported = json.loads(await download.text())
    assert exported["subscription"]["email"] == address
    assert sorted(d["outcome"] for d in exported["deliveries"]) == ["sent", "sent"]
    assert "feed_salt" not in json.dumps(exported)

    # The confirmation step: no reason and no tick, nothing erased and what was typed kept.
    unconfirmed = await post_form(console, f"{page}/erase", page, reason="DSAR-2026-114")
    assert unconfirmed.status == 422
    refused = await unconfirmed.text()
    assert 'name="confirm" aria-invalid="true"' in refused
    assert 'value="DSAR-2026-114"' in refused
    no_reason = await post_form(console, f"{page}/erase", page, reason="", confirm="on")
    assert no_reason.status == 422
    assert 'name="reason" aria-invalid="true"' in await no_reason.text()
    assert await text_of(console, page)  # still there

    erased = await post_form(console, f"{page}/erase", page, reason="DSAR-2026-114", confirm="on")
    assert erased.status == 200
    assert f"Erased subscriber {subscriber_id}" in html.unescape(await erased.text())
    await text_of(console, page, status=404)
    again = await post_form(
        console, "/console/subscribers/find", "/console/subscribers", email=address
    )
    told = html.unescape(await again.text())
    assert "No subscriber has this address" in told
    assert "suppressed (erased)" in told

    later = await notifier.publish(STATUS_CHANGED, status_change("report-phase"), subject="MP192")
    await notifier.applied(later)
    await notifier.settled()
    assert len(notifier.messages(address)) == 2  # the confirmation and the first alert only


async def test_a_failed_alert_is_shown_and_resent_by_the_secretariat(admin: Admin) -> None:
    notifier, alice = admin.notifier, admin.secretariat
    address = "bounced@example.org"
    await notifier.subscribe_confirmed(address, ["modification:MP192"])
    event = await failed_alert(notifier, address)

    page = f"/console/deliveries?event={event.id}"
    report = await text_of(alice, page)
    assert '<dd id="count-failed">1</dd>' in report
    assert address in report
    assert "550" in report
    unknown = await alice.get("/console/deliveries?event=no-such-event")
    assert unknown.status == 422
    assert 'name="event" aria-invalid="true"' in await unknown.text()

    resent = await post_form(alice, f"/console/deliveries/{event.id}/resend", page)
    assert resent.status == 303
    assert "resent=1" in resent.headers["Location"]
    assert "1 failed delivery queued again" in await text_of(alice, resent.headers["Location"])
    [_, alert] = await notifier.wait_mail(2, address)
    assert "MP192" in str(alert["Subject"])

    async def sent() -> bool:
        return '<dd id="count-sent">1</dd>' in await text_of(alice, page)

    await until(sent, 15, "the resent alert recorded as sent")
    twice = await post_form(alice, f"/console/deliveries/{event.id}/resend", page)
    assert "resent=0" in twice.headers["Location"]  # nothing failed any more: nothing sent twice
    await notifier.settled()
    assert len(notifier.messages(address)) == 2


async def test_a_poison_dead_letter_is_inspected_replayed_and_dropped(admin: Admin) -> None:
    notifier, console = admin.notifier, admin.console
    poison = await notifier.publish("registry.thing.renamed", {"thing_id": "t1"})
    letter = f"/console/dead-letters/{QUEUE}/{poison.id}"

    async def listed(replays: int) -> bool:
        listing = await text_of(console, "/console/dead-letters")
        row = listing.split(f'href="{letter}"', 1)
        return len(row) == 2 and f'data-label="Replays">{replays}<' in row[1].split("</tr>")[0]

    await until(lambda: listed(0), 15, "the poison message dead-lettered")
    listing = await text_of(console, "/console/dead-letters")
    assert "calendar.registry-events" in listing
    assert "Not reachable now" in listing  # the calendar is not running here

    shown = await text_of(console, letter)
    assert "registry.thing.renamed" in shown
    assert '"thing_id": "t1"' in shown  # the payload as JSON
    assert "x-sec-last-error" in shown or "x-sec-attempt" in shown  # its headers
    assert "rejected by its consumer" in shown  # its first death

    replayed = await post_form(console, f"{letter}/replay", letter)
    assert replayed.status == 303
    assert poison.id in await text_of(console, replayed.headers["Location"])
    # Still poison: back in the dead-letter queue once, its replay counted.
    await until(lambda: listed(1), 15, "the replayed poison dead-lettered again")

    unconfirmed = await post_form(console, f"{letter}/drop", letter)
    assert unconfirmed.status == 422
    assert 'name="confirm" aria-invalid="true"' in await unconfirmed.text()
    assert await text_of(console, letter)  # not dropped

    dropped = await post_form(console, f"{letter}/drop", letter, confirm="on")
    assert dropped.status == 303
    assert f"Dropped from {QUEUE}: {poison.id}" in await text_of(
        console, dropped.headers["Location"]
    )
    await text_of(console, letter, status=404)
    assert f'href="{letter}"' not in await text_of(console, "/console/dead-letters")


async def test_a_secretariat_account_is_refused_every_admin_screen_and_action(
    admin: Admin,
) -> None:
    notifier, alice = admin.notifier, admin.secretariat
    address = "kept@example.org"
    await notifier.subscribe_confirmed(address, ["modification:MP192"])
    subscriber_id = await subscriber_of(notifier, address)
    poison = await notifier.publish("registry.thing.renamed", {"thing_id": "t2"})
    letter = f"/console/dead-letters/{QUEUE}/{poison.id}"
    await until(lambda: _has(admin.console, letter), 15, "the poison message listed for the admin")

    navigation = await text_of(alice, "/console/modifications")
    assert "/console/subscribers" not in navigation
    assert "/console/dead-letters" not in navigation
    assert "/console/deliveries" in navigation  # the secretariat may use that one
    subscriber = f"/console/subscribers/{subscriber_id}"
    for path in (
        "/console/subscribers",
        subscriber,
        f"{subscriber}/export.json",
        "/console/dead-letters",
        letter,
    ):
        response = await alice.get(path, allow_redirects=False)
        assert response.status == 403, path
    # Her own session's form token: only the role stands in the way.
    form_token = csrf_token(await text_of(alice, "/console/deliveries"))
    for path, fields in (
        ("/console/subscribers/find", {"email": address}),
        (f"{subscriber}/erase", {"reason": "not allowed", "confirm": "on"}),
        (f"{letter}/replay", {}),
        (f"{letter}/drop", {"confirm": "on"}),
    ):
        response = await alice.post(
            path, data={"csrf_token": form_token, **fields}, allow_redirects=False
        )
        assert response.status == 403, path
    # Nothing happened: the subscriber is there, the letter still waits.
    assert await notifier.mongo.collection(names.SUBSCRIPTIONS).count_documents(
        {"_id": subscriber_id}
    )
    assert await _has(admin.console, letter)


async def _has(client: Client, letter: str) -> bool:
    return f'href="{letter}"' in await text_of(client, "/console/dead-letters")
