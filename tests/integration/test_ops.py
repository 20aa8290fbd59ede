"""The operator's command against running services, the real broker and a real mail sink.

Each test runs `sec-ops` (in process, and once as its own process) against services served
on real ports, and checks what it says and what it did: to the queues, the database, the
feeds and the mailboxes.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from aiohttp.test_utils import TestClient
from yarl import URL

from services.calendar.web.app import create_app as calendar_app
from services.notifier.adapters import names
from shared.app import PLATFORM
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, issue_token
from shared.constants import ERROR_HEADER, dead_letter_queue
from shared.events import CloudEvent
from shared.mailsink import RcptFault
from shared.messaging import RetryPolicy
from shared.ops import cli
from shared.settings import CalendarSettings
from tests.conftest import TEST_MAX_ATTEMPTS, TEST_RETRY_BASE_MS, TEST_SIGNER
from tests.integration.calendar.test_feeds import create
from tests.integration.notifier.conftest import rig
from tests.integration.notifier.rig import Rig, until
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change
from tests.support.service_server import ServiceTestServer
from tests.support.tcpproxy import TcpProxy

__all__ = ["rig"]  # the notifier on the real servers, with a mail sink that can refuse

ADMIN = issue_token(TEST_SIGNER, "operator", {ROLE_ADMIN})
STAFF = {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT})}
EVENTS_QUEUE = "notifier.events"

Ops = Callable[..., Awaitable[tuple[int, Any]]]


def base_url(client: TestClient[Any, Any]) -> str:
    return str(client.make_url("")).rstrip("/")


@pytest.fixture
def ops(capsys: pytest.CaptureFixture[str]) -> Ops:
    """Run `sec-ops ARGS --json` in this process; return its exit code and parsed output."""

    async def run(*argv: str, token: str = ADMIN) -> tuple[int, Any]:
        capsys.readouterr()
        code = await cli.run([*argv, "--json", "--token", token])
        printed = capsys.readouterr().out
        return code, json.loads(printed) if printed.strip() else None

    return run


@pytest.fixture
def notifier(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> Rig:
    """The notifier rig, found by the command through NOTIFIER_URL as the services find it."""
    monkeypatch.setenv("NOTIFIER_URL", base_url(rig.client))
    return rig


def ids_in(listing: dict[str, Any]) -> list[str]:
    return [letter["id"] for queue in listing["queues"] for letter in queue["dead_letters"]]


async def listed(ops: Ops, letter_id: str, copies: int = 1) -> dict[str, Any]:
    """Wait until the listing shows `copies` dead letters named `letter_id`; return the listing."""

    async def probe() -> dict[str, Any] | None:
        _, listing = await ops("dead-letters", "list", "--queue", EVENTS_QUEUE)
        return listing if ids_in(listing).count(letter_id) == copies else None

    found: dict[str, Any] = await until(probe, 15, f"{copies} dead letter(s) {letter_id}")
    return found


async def test_a_poison_message_is_listed_shown_replayed_once_and_dropped(
    notifier: Rig, ops: Ops
) -> None:
    poison = await notifier.publish("registry.thing.renamed", {"thing_id": "t1"})
    listing = await listed(ops, poison.id)
    [letter] = [
        letter
        for queue in listing["queues"]
        for letter in queue["dead_letters"]
        if letter["id"] == poison.id
    ]
    assert letter["type"] == "registry.thing.renamed"
    assert (letter["attempts"], letter["replays"]) == (1, 0)
    # The consumer dead-lettered it, not the broker: where and when it says itself.
    assert letter["first_death"]["reason"] == "rejected by its consumer"
    assert letter["first_death"]["queue"] == letter["queue"]
    assert letter["first_death"]["at"] is not None
    assert "registry.thing.renamed" in letter["reason"]
    code, overview = await ops("dead-letters", "list", "--service", "notifier")
    assert code == 1  # dead letters wait: worth a look
    assert poison.id in ids_in(overview)
    code, partial = await ops("dead-letters", "list")  # the others are not running here
    assert code == 5
    assert poison.id in ids_in(partial)
    assert len(partial["unreachable"]) == 2

    code, shown = await ops("dead-letters", "show", EVENTS_QUEUE, poison.id)
    assert code == 0
    assert shown["payload_encoding"] == "json"
    assert shown["payload"]["data"] == {"thing_id": "t1"}
    assert shown["headers"][ERROR_HEADER] == letter["reason"]

    code, replayed = await ops("dead-letters", "replay", EVENTS_QUEUE, poison.id)
    assert (code, replayed["replayed"], replayed["missing"]) == (0, [poison.id], [])
    # Still poison: back in the dead-letter queue once, its replay counted.
    listing = await until(
        lambda: _replayed_once(ops, poison.id), 15, "the replayed poison dead-lettered again"
    )
    assert ids_in(listing).count(poison.id) == 1

    code, dropped = await ops("dead-letters", "drop", EVENTS_QUEUE, poison.id)
    assert (code, dropped["dropped"]) == (0, [poison.id])
    _, listing = await ops("dead-letters", "list", "--queue", EVENTS_QUEUE)
    assert poison.id not in ids_in(listing)
    code, again = await ops("dead-letters", "drop", EVENTS_QUEUE, poison.id)
    assert (code, again["missing"]) == (3, [poison.id])


async def _replayed_once(ops: Ops, letter_id: str) -> dict[str, Any] | None:
    _, listing = await ops("dead-letters", "list", "--queue", EVENTS_QUEUE)
    letters = [
        letter
        for queue in listing["queues"]
        for letter in queue["dead_letters"]
        if letter["id"] == letter_id
    ]
    return listing if letters and letters[0]["replays"] == 1 else None


async def test_a_dead_letter_says_where_the_broker_first_dead_lettered_it(
    notifier: Rig, ops: Ops
) -> None:
    # Through a retry queue, as a failed attempt goes: its TTL makes the broker dead-letter
    # it back to the queue, whose consumer then finds it poison.
    retry = RetryPolicy(TEST_MAX_ATTEMPTS, TEST_RETRY_BASE_MS).retry_queue(EVENTS_QUEUE, 1)
    poison = CloudEvent(source="/registry", type="registry.thing.renamed", data={})
    channel = await notifier.amqp.channel(publisher_confirms=True)
    await channel.default_exchange.publish(
        aio_pika.Message(body=poison.model_dump_json().encode(), message_id=poison.id),
        routing_key=retry,
    )
    await channel.close()
    await listed(ops, poison.id)
    code, shown = await ops("dead-letters", "show", EVENTS_QUEUE, poison.id)
    assert code == 0
    death = shown["first_death"]
    assert (death["queue"], death["reason"]) == (retry, "expired")
    assert death["at"]


async def test_a_dead_letter_whose_cause_is_gone_is_applied_once_when_replayed(
    notifier: Rig, ops: Ops
) -> None:
    # As the consumer leaves an event that failed every attempt (its cause since fixed):
    # twice, as a broker redelivery can leave it.
    event = CloudEvent(
        source="/registry", type=STATUS_CHANGED, subject="MP192", data=status_change()
    )
    channel = await notifier.amqp.channel(publisher_confirms=True)
    for _ in range(2):
        await channel.default_exchange.publish(
            aio_pika.Message(
                body=event.model_dump_json().encode(),
                message_id=event.id,
                type=event.type,
                headers={ERROR_HEADER: "ServerSelectionTimeoutError()", "x-sec-attempt": 3},
            ),
            routing_key=dead_letter_queue(EVENTS_QUEUE),
        )
    await channel.close()
    await listed(ops, event.id, copies=2)

    code, replayed = await ops("dead-letters", "replay", EVENTS_QUEUE, event.id)
    assert (code, replayed["replayed"]) == (0, [event.id])
    await notifier.applied(event)
    _, listing = await ops("dead-letters", "list", "--queue", EVENTS_QUEUE)
    assert event.id not in ids_in(listing)  # both copies gone, one replayed


async def failed_alert(rig: Rig, address: str) -> CloudEvent:
    """Publish a status change whose alert to `address` the mail sink refuses with 550."""
    rig.sink.faults = [RcptFault(550, address)]
    event = await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.applied(event)
    await until(
        lambda: rig.mongo.collection(names.SENT).find_one({"outcome": "failed"}),
        15,
        "the refused alert recorded as failed",
    )
    rig.sink.faults = []
    return event


async def test_a_refused_alert_is_shown_and_resent_once_the_mailbox_takes_mail(
    notifier: Rig, ops: Ops
) -> None:
    address = "bounced@example.org"
    await notifier.subscribe_confirmed(address, ["modification:MP192"])
    event = await failed_alert(notifier, address)

    code, report = await ops("deliveries", "show", event.id)
    assert code == 1
    assert report["counts"] == {"sent": 0, "failed": 1, "skipped": 0, "pending": 0}
    [failure] = report["failed"]
    assert failure["email"] == address
    assert "550" in failure["error"]

    code, resent = await ops("deliveries", "resend", event.id)
    assert code == 0, resent
    assert resent["resent"] == [failure["delivery_id"]]
    assert resent["counts"] == {"sent": 1, "failed": 0, "skipped": 0, "pending": 0}
    assert resent["failed_again"] == []
    [_, alert] = await notifier.wait_mail(2, address)
    assert "MP192" in str(alert["Subject"])

    code, again = await ops("deliveries", "resend", event.id)
    assert (code, again["resent"]) == (0, [])  # nothing failed any more: nothing sent twice
    await notifier.settled()
    assert len(notifier.messages(address)) == 2


async def test_a_subscriber_is_exported_then_erased_and_gets_no_more_mail(
    notifier: Rig, ops: Ops, tmp_path: Path
) -> None:
    address = "leaving@example.org"
    await notifier.subscribe_confirmed(address, ["modification:MP192"])
    sent = await notifier.publish(STATUS_CHANGED, status_change("refinement"), subject="MP192")
    await notifier.wait_mail(2, address)
    await failed_alert(notifier, address)  # its error text names the address

    code, found = await ops("subscribers", "find", address.upper())
    assert (code, found["email"], found["suppressed"]) == (0, address, None)
    [subscriber] = found["subscribers"]
    output = tmp_path / "export.json"
    code, summary = await ops("subscribers", "export", address, "--output", str(output))
    assert (code, summary["deliveries"]) == (0, 3)  # confirmation, sent alert, failed alert
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    exported = json.loads(output.read_text())
    assert exported["subscription"]["email"] == address
    assert exported["subscription"]["topics"] == ["modification:MP192"]
    outcomes = sorted(d["outcome"] for d in exported["deliveries"])
    assert outcomes == ["failed", "sent", "sent"]
    assert any(d["source"] == sent.id for d in exported["deliveries"])
    assert "feed_salt" not in json.dumps(exported)  # the private feed's secret is not data

    code, erased = await ops("subscribers", "erase", subscriber["id"], "--yes")
    assert (code, erased["erased"], erased["deliveries_pseudonymised"]) == (0, subscriber["id"], 3)
    code, found = await ops("subscribers", "find", address)
    assert (code, found["subscribers"], found["suppressed"]) == (3, [], "erased")
    code, _ = await ops("subscribers", "export", subscriber["id"])
    assert code == 3

    later = await notifier.publish(STATUS_CHANGED, status_change("report-phase"), subject="MP192")
    await notifier.applied(later)
    await notifier.settled()
    assert len(notifier.messages(address)) == 2  # the confirmation and the first alert only
    database = notifier.mongo.db
    for collection in await database.list_collection_names():
        async for document in database[collection].find({}):
            text = json.dumps(document, default=str).lower()
            assert address not in text, collection
            assert subscriber["id"] not in text, collection


@pytest.fixture
async def calendar(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    make_settings: Callable[..., CalendarSettings],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Awaitable[TestClient[Any, Any]]]:
    """Start the calendar with its seed, found by the command through CALENDAR_URL."""

    async def start(**overrides: Any) -> TestClient[Any, Any]:
        settings = make_settings(CalendarSettings, seed=True, **overrides)
        client = await aiohttp_client(ServiceTestServer(calendar_app(settings)))
        monkeypatch.setenv("CALENDAR_URL", base_url(client))
        return client

    return start


async def test_feeds_rebuild_renders_every_feed_again_from_the_store(
    calendar: Callable[..., Awaitable[TestClient[Any, Any]]], ops: Ops
) -> None:
    client = await calendar()
    before = await (await client.get("/feeds/all.ics")).text()
    entries = client.app[PLATFORM].mongo.collection("calendar_events")
    stored = await entries.find_one({"status": "confirmed"})
    assert stored is not None
    assert stored["title"] in before.replace("\r\n ", "")
    # A hand repair in the store that no change recorded: only a rebuild shows it.
    await entries.update_one({"_id": stored["_id"]}, {"$set": {"title": "Repaired by hand"}})
    assert "Repaired by hand" not in await (await client.get("/feeds/all.ics")).text()

    code, rebuilt = await ops("feeds", "rebuild")
    assert code == 0
    assert rebuilt["entries"] == await entries.count_documents({})
    assert {
        "/feeds/all.ics",
        "/feeds/committees/change-board.ics",
        "/feeds/types/meeting.ics",
    } <= set(rebuilt["feeds"])
    assert "Repaired by hand" in await (await client.get("/feeds/all.ics")).text()


async def test_outbox_backlog_shows_what_waits_while_the_broker_is_unreachable(
    calendar: Callable[..., Awaitable[TestClient[Any, Any]]], amqp_url: str, ops: Ops
) -> None:
    url = URL(amqp_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5672)
    await proxy.start()
    try:
        client = await calendar(amqp_url=str(url.with_port(proxy.port)), roles=["api"])
        await until(lambda: _drained(ops), 15, "the seed's events relayed")

        await proxy.cut()
        await create(client, STAFF)
        code, [backlog] = await ops("outbox", "--service", "calendar", "--max-age", "0")
        assert (code, backlog["pending"]) == (1, 1)
        assert backlog["oldest_age_seconds"] >= 0

        await proxy.restore()
        # As its own process, as an operator or a monitor runs it: exit 0 once drained.
        code, printed, _ = await run_process(
            "outbox",
            "--service",
            "calendar",
            "--max-age",
            "0",
            "--json",
            "--token",
            ADMIN,
            until_code=0,
        )
        assert code == 0
        assert json.loads(printed)[0]["pending"] == 0
        code, _, errors = await run_process("outbox", "--service", "calendar", "--token", "forged")
        assert code == 4
        assert "401" in errors
    finally:
        await proxy.cut()


async def _drained(ops: Ops) -> bool:
    code, [backlog] = await ops("outbox", "--service", "calendar")
    return code == 0 and backlog["pending"] == 0


async def run_process(*argv: str, until_code: int | None = None) -> tuple[int, str, str]:
    """Run `python -m shared.ops ARGS` as its own process (again until it exits `until_code`);
    return its exit code, standard output and standard error."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while True:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "shared.ops",
            *argv,
            env=dict(os.environ),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        output, errors = await process.communicate()
        code = await process.wait()
        if until_code is None or code == until_code or loop.time() > deadline:
            return code, output.decode(), errors.decode()
        await asyncio.sleep(0.2)


async def test_a_token_made_by_the_command_works_until_the_command_revokes_it(
    calendar: Callable[..., Awaitable[TestClient[Any, Any]]],
    mongo_url: str,
    database_name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await calendar()
    for name, value in {
        "MONGODB_URL": mongo_url,
        "MONGODB_DB": database_name,
        "TOKEN_SIGNING_KEY": TEST_SIGNER.private_pem(),
    }.items():
        monkeypatch.setenv(name, value)

    async def sec_ops(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        code = await cli.run(list(argv))
        return code, capsys.readouterr().out

    code, token = await sec_ops("tokens", "create", "--subject", "ops-jane", "--roles", "admin")
    assert code == 0
    code, _ = await sec_ops("outbox", "--service", "calendar", "--token", token.strip())
    assert code == 0
    code, listing = await sec_ops("tokens", "list", "--json")
    [recorded] = [t for t in json.loads(listing) if t["subject"] == "ops-jane"]
    assert (await sec_ops("tokens", "revoke", recorded["_id"]))[0] == 0
    code, _ = await sec_ops("outbox", "--service", "calendar", "--token", token.strip())
    assert code == 4
    code, _ = await sec_ops("tokens", "revoke", recorded["_id"])
    assert code == 1  # no active token of that id any more
