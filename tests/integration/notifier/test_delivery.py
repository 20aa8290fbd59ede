"""One email per (event, subscriber) through redelivery, faults, dead workers and outages."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import aio_pika
import icalendar
import pytest
from aiohttp.test_utils import TestClient

from services.notifier.adapters import names
from services.notifier.adapters.deliveries import DeliveryRepository
from services.notifier.adapters.smtp import SmtpConnection, SmtpPool
from services.notifier.domain.deliveries import Ended
from services.notifier.service import delivering
from services.notifier.service.scheduling import tick
from services.notifier.web.app import create_app
from services.notifier.web.runtime import NOTIFIER
from shared.auth import ROLE_ADMIN, issue_token
from shared.constants import EVENTS_EXCHANGE
from shared.contracts.classification import Classification
from shared.events import CloudEvent
from shared.mailsink import RcptFault, start_mailsink
from shared.settings import NotifierSettings
from tests.conftest import TEST_SIGNER
from tests.integration.notifier.rig import CalendarStub, Clock, Rig, until
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change
from tests.support.rabbit import create_vhost, delete_vhost
from tests.support.tcpproxy import TcpProxy

CREATED = "calendar.event.created"
# The lease a worker renews on its batch, as deployed (the tests run with a shorter one).
DEPLOYED_LEASE = delivering.CLAIM_LEASE


@pytest.fixture(autouse=True)
def short_lease(monkeypatch: pytest.MonkeyPatch) -> timedelta:
    """A one-second claim lease: a takeover waits out a lease, and tests wait for takeovers."""
    lease = timedelta(seconds=1)
    monkeypatch.setattr(delivering, "CLAIM_LEASE", lease)
    return lease


async def alert_delivery(rig: Rig) -> dict[str, object]:
    held = await until(
        lambda: rig.mongo.collection(names.DELIVERIES).find_one({"kind": "alert"}),
        10,
        "an alert delivery",
    )
    [delivery] = held["deliveries"]
    return dict(delivery)


async def delivery_ids(rig: Rig, batch: Mapping[str, Any]) -> list[str]:
    """Return the ids of the deliveries a batch holds."""
    held = await rig.mongo.collection(names.DELIVERIES).find_one({"_id": batch["_id"]})
    assert held is not None
    return [delivery["_id"] for delivery in held["deliveries"]]


async def alert_deliveries(rig: Rig) -> list[str]:
    """Return the ids of every alert delivery, whichever batch holds it."""
    cursor = rig.mongo.collection(names.DELIVERIES).find({"kind": "alert"})
    return [delivery["_id"] async for held in cursor for delivery in held["deliveries"]]


async def alert_batch(rig: Rig, state: str = "done") -> dict[str, Any]:
    return await until(
        lambda: rig.mongo.collection(names.BATCHES).find_one({"kind": "alert", "state": state}),
        10,
        f"a {state} alert batch",
    )


async def outcome(rig: Rig, delivery_id: object) -> dict[str, object]:
    found = await rig.mongo.collection(names.SENT).find_one({"_id": delivery_id})
    assert found is not None, "no outcome recorded"
    return dict(found)


async def request_batch(rig: Rig, batch_id: object) -> None:
    await rig.publish(
        "notifier.delivery.batch", {"batch_id": batch_id, "kind": "alert"}, subject=str(batch_id)
    )


async def reopen(rig: Rig, batch_id: object, until: datetime) -> None:
    """Leave a batch as a worker leaves it when it dies while holding its claim."""
    await rig.mongo.collection(names.BATCHES).update_one(
        {"_id": batch_id},
        {"$set": {"state": "open", "claimed_until": until, "next_attempt_at": until}},
    )


async def an_alert_batch_to_send_again(
    rig: Rig, addresses: list[str]
) -> tuple[dict[str, Any], CloudEvent]:
    """Send an alert to `addresses`, then leave its batch as a dead worker would; return
    the batch and the job that asks for it (each address got a confirmation and the alert).
    """
    for address in addresses:
        await rig.subscribe_confirmed(address, ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(2 * len(addresses))
    batch = await alert_batch(rig)
    ids = await delivery_ids(rig, batch)
    await rig.mongo.collection(names.SENT).delete_many({"_id": {"$in": ids}})
    await reopen(rig, batch["_id"], rig.clock() - timedelta(seconds=1))
    job = CloudEvent(
        source="/notifier",
        type="notifier.delivery.batch",
        subject=str(batch["_id"]),
        data={"batch_id": batch["_id"], "kind": "alert"},
    )
    return batch, job


async def test_redelivered_event_and_job_send_one_email(rig: Rig) -> None:
    await rig.subscribe_confirmed("once@example.org", ["modification:MP192"])
    event = CloudEvent(source="/registry", type=STATUS_CHANGED, data=status_change())
    await rig.publish(event.type, event.data, event=event)
    await rig.publish(event.type, event.data, event=event)
    await rig.wait_mail(2)
    batch = await alert_batch(rig)
    await request_batch(rig, batch["_id"])
    await request_batch(rig, batch["_id"])
    await rig.settled()
    assert len(rig.messages("once@example.org")) == 2
    assert len(await alert_deliveries(rig)) == 1


async def test_fanout_queues_one_job_per_batch_of_deliveries(rig: Rig) -> None:
    for n in range(3):
        await rig.subscribe_confirmed(f"many{n}@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(6)
    batch = await alert_batch(rig)
    assert len(await delivery_ids(rig, batch)) == 3
    assert await rig.mongo.collection(names.BATCHES).count_documents({"kind": "alert"}) == 1
    for delivery_id in await delivery_ids(rig, batch):
        assert (await outcome(rig, delivery_id))["outcome"] == "sent"


async def test_temporary_refusal_is_retried_and_sent_once(rig: Rig) -> None:
    await rig.subscribe_confirmed("flaky@example.org", ["modification:MP192"])
    rig.sink.faults = [RcptFault(451, "flaky@example.org", times=1)]
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    messages = await rig.wait_mail(2, "flaky@example.org")
    assert len(messages) == 2
    delivery = await alert_delivery(rig)
    assert (await outcome(rig, delivery["_id"]))["outcome"] == "sent"
    batch = await alert_batch(rig)
    assert batch["attempts"] == 2
    assert "451" in str(batch["last_error"])


async def test_worker_killed_mid_send_is_resent_by_the_sweeper_with_the_same_message_id(
    rig: Rig,
) -> None:
    await rig.subscribe_confirmed("killed@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    first = (await rig.wait_mail(2))[-1]
    delivery = await alert_delivery(rig)
    batch = await alert_batch(rig)
    # The worker died after the server accepted, before recording the outcome.
    await rig.mongo.collection(names.SENT).delete_one({"_id": delivery["_id"]})
    await reopen(rig, batch["_id"], rig.clock() + timedelta(minutes=2))
    await request_batch(rig, batch["_id"])  # a live claim is left alone
    await rig.settled()
    assert len(rig.messages()) == 2

    rig.clock.offset = timedelta(minutes=3)
    report = await tick(rig.context, rig.clock())
    assert report.requeued == 1
    again = (await rig.wait_mail(3))[-1]
    assert again["Message-ID"] == first["Message-ID"]
    assert len(rig.messages()) == 3


async def test_a_dead_workers_batch_is_finished_by_another_without_duplicates(rig: Rig) -> None:
    for name in ("done", "undone"):
        await rig.subscribe_confirmed(f"{name}@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(4)
    batch = await alert_batch(rig)
    held = await rig.mongo.collection(names.DELIVERIES).find_one({"_id": batch["_id"]})
    assert held is not None
    undone = held["deliveries"][0]
    recipient = await rig.context.subscriptions.get(str(undone["subscription_id"]))
    assert recipient is not None
    # The worker died mid-batch: one outcome recorded, one not; its claim has lapsed.
    await rig.mongo.collection(names.SENT).delete_one({"_id": undone["_id"]})
    await reopen(rig, batch["_id"], rig.clock() - timedelta(seconds=1))
    await request_batch(rig, batch["_id"])
    await rig.wait_mail(5)
    # The other subscriber got nothing twice; this one got the alert again, same Message-ID.
    assert len(rig.messages()) == 5
    resent = [str(m["Message-ID"]) for m in rig.messages(recipient.email)]
    assert len(resent) == 3
    assert len(set(resent)) == 2  # the confirmation, and the alert twice
    await alert_batch(rig)


async def test_meeting_alert_carries_the_calendar_entry_with_the_feed_uid(rig: Rig) -> None:
    await rig.subscribe_confirmed("ics@example.org", ["committee:change-board"])
    meeting = rig.calendar.meeting()
    await rig.publish(CREATED, {"event": meeting}, subject=meeting["id"])
    alert = (await rig.wait_mail(2))[-1]
    [attachment] = list(alert.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "PUBLISH"
    [vevent] = list(calendar.walk("VEVENT"))
    assert str(vevent["UID"]) == meeting["uid"]


async def test_calendar_outage_delays_the_alert_rather_than_dropping_the_entry(rig: Rig) -> None:
    await rig.subscribe_confirmed("patient@example.org", ["committee:change-board"])
    meeting = rig.calendar.meeting()
    rig.calendar.down = True
    await rig.publish(CREATED, {"event": meeting}, subject=meeting["id"])
    await until(
        lambda: rig.mongo.collection(names.BATCHES).find_one(
            {"kind": "alert", "attempts": {"$gte": 2}, "state": "open"}
        ),
        15,
        "failed attempts",
    )
    assert len(rig.messages()) == 1
    rig.calendar.down = False
    rig.clock.offset = timedelta(hours=1)
    await tick(rig.context, rig.clock())
    alert = (await rig.wait_mail(2))[-1]
    assert len(list(alert.iter_attachments())) == 1


async def test_green_content_reaches_only_verified_parties(rig: Rig) -> None:
    await rig.subscribe_confirmed("public@example.org", ["committee:change-board"])
    manage = await rig.subscribe_confirmed("party@example.org", ["committee:change-board"])
    admin = issue_token(TEST_SIGNER, "ops", {ROLE_ADMIN})
    response = await rig.client.post(
        f"/api/v1/subscriptions/{manage.split('.')[1]}/verify-party",
        json={"verified": True},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert response.status == 200
    meeting = rig.calendar.meeting(classification=Classification.GREEN)
    await rig.publish(CREATED, {"event": meeting}, subject=meeting["id"])
    [_, green] = await rig.wait_mail(2, "party@example.org")
    assert "GREEN" in green.get_body(preferencelist=("plain",)).get_content()
    assert len(rig.messages("public@example.org")) == 1


async def test_hard_failures_are_recorded_and_suppress_the_address(rig: Rig) -> None:
    await rig.subscribe_confirmed("gone@example.org", ["modification:MP192"])
    rig.sink.faults = [RcptFault(550, "gone@example.org")]
    for status in ("report-phase", "change-board-vote", "approved", "implemented"):
        event = await rig.publish(STATUS_CHANGED, status_change(status), subject="MP192")
        await rig.applied(event)
    failed = {"outcome": "failed"}
    await until(
        lambda: rig.mongo.collection(names.SUPPRESSIONS).find_one({"reason": "bounced"}),
        10,
        "suppression",
    )
    await until(
        lambda: rig.mongo.collection(names.SENT).count_documents(
            {"outcome": {"$in": ["failed", "skipped"]}}
        ),
        10,
        "closed deliveries",
    )
    assert await rig.mongo.collection(names.SENT).count_documents(failed) >= 3
    assert len(rig.messages()) == 1


def test_a_claim_is_a_lease_of_seconds_so_a_dead_worker_is_replaced_within_30_s() -> None:
    # The dead worker's job, redelivered by the broker at once, waits out at most one lease.
    assert DEPLOYED_LEASE.total_seconds() <= 10


async def hold_as_a_dead_worker(rig: Rig, batch_id: str, lease: timedelta) -> None:
    """Leave a batch claimed by a worker that dies now: its lease runs `lease` more."""
    await reopen(rig, batch_id, rig.clock() - timedelta(seconds=1))
    now = rig.clock()
    assert await rig.context.batches.claim(batch_id, "dead-worker", now, now + lease)


async def test_a_renewed_lease_keeps_the_batch_and_only_its_holder_can_renew_it(
    rig: Rig,
) -> None:
    await rig.subscribe_confirmed("renewed@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(2)
    batch_id = str((await alert_batch(rig))["_id"])
    batches = rig.context.batches
    await hold_as_a_dead_worker(rig, batch_id, timedelta(seconds=5))
    assert await batches.renew(batch_id, "dead-worker", rig.clock() + timedelta(seconds=20))
    # Beyond the first lease, the renewal still holds it against another worker.
    later = rig.clock() + timedelta(seconds=10)
    assert await batches.claim(batch_id, "other", later, later + timedelta(seconds=10)) is None
    assert not await batches.renew(batch_id, "other", later)
    # Once the renewed lease lapses, another worker takes it and the first can no longer renew.
    lapsed = rig.clock() + timedelta(seconds=21)
    assert await batches.claim(batch_id, "other", lapsed, lapsed + timedelta(seconds=10))
    assert not await batches.renew(batch_id, "dead-worker", lapsed)


async def test_a_killed_workers_batch_is_taken_over_by_its_redelivered_job_once_the_lease_lapses(
    rig: Rig, short_lease: timedelta
) -> None:
    await rig.subscribe_confirmed("taken@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    first = (await rig.wait_mail(2))[-1]
    batch = await alert_batch(rig)
    delivery = await alert_delivery(rig)
    # The worker died after the server accepted, before recording; its lease still runs.
    await rig.mongo.collection(names.SENT).delete_one({"_id": delivery["_id"]})
    await hold_as_a_dead_worker(rig, str(batch["_id"]), short_lease)
    # The broker gives the dead worker's unacked job to a live one: no sweeper needed.
    await request_batch(rig, batch["_id"])
    again = (await rig.wait_mail(3))[-1]
    assert again["Message-ID"] == first["Message-ID"]
    done = await alert_batch(rig)
    assert done["claimed_by"] != "dead-worker"
    assert done["attempts"] == 3  # first send, the dead worker's claim, the takeover


async def test_the_sweeper_asks_again_for_a_batch_as_soon_as_its_lease_has_lapsed(
    rig: Rig,
) -> None:
    await rig.subscribe_confirmed("swept@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(2)
    batch = await alert_batch(rig)
    await rig.mongo.collection(names.SENT).delete_many({})
    await hold_as_a_dead_worker(rig, str(batch["_id"]), DEPLOYED_LEASE)
    assert (await tick(rig.context, rig.clock())).requeued == 0
    rig.clock.offset = DEPLOYED_LEASE + timedelta(seconds=1)
    assert (await tick(rig.context, rig.clock())).requeued == 1
    await rig.wait_mail(3)


@dataclasses.dataclass
class GatedSmtp:
    """The notifier's SMTP pool, except that mail to `held` waits until the test says; it
    notes each recipient whose envelope the relay accepted."""

    pool: SmtpPool
    held: str | None = None
    gate: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    opened: list[str] = dataclasses.field(default_factory=list)

    def wire(self, message: EmailMessage) -> bytes:
        return self.pool.wire(message)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[GatedConnection]:
        async with self.pool.connection() as connection:
            yield GatedConnection(connection, self)

    async def close(self) -> None:
        await self.pool.close()


@dataclasses.dataclass
class GatedConnection:
    connection: SmtpConnection
    smtp: GatedSmtp

    async def open(self, sender: str, recipient: str, size: int) -> None:
        if recipient == self.smtp.held:
            await self.smtp.gate.wait()
        await self.connection.open(sender, recipient, size)
        self.smtp.opened.append(recipient)

    async def deliver(self, raw: bytes) -> None:
        await self.connection.deliver(raw)


async def test_a_cancelled_send_records_what_went_out_and_hands_the_batch_back_at_once(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    """What aiormq does to a running job when the broker connection drops."""
    caplog.set_level(logging.INFO, logger=delivering.__name__)
    addresses = [f"cut{n}@example.org" for n in range(3)]
    batch, job = await an_alert_batch_to_send_again(rig, addresses)
    sent = rig.mongo.collection(names.SENT)
    gated = GatedSmtp(rig.context.smtp, held=addresses[0])
    context = dataclasses.replace(rig.context, smtp=cast(SmtpPool, gated))
    running = asyncio.create_task(delivering.send_batch(context, job))

    async def recorded(count: int) -> bool:
        ids = {"$in": await delivery_ids(rig, batch)}
        return await sent.count_documents({"_id": ids}) == count

    # Each outcome is recorded when its send ends, not when the batch does.
    await until(lambda: recorded(2), 10, "two outcomes recorded while the third send hangs")
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    handed_back = await rig.mongo.collection(names.BATCHES).find_one({"_id": batch["_id"]})
    assert handed_back is not None
    assert handed_back["state"] == "open"
    assert handed_back["claimed_until"] <= rig.clock()  # free now, not when a lease lapses
    [line] = [r.getMessage() for r in caplog.records if "handed back" in r.getMessage()]
    assert "2 of 3 deliveries had ended" in line

    # The broker redelivers the job: a live worker takes the batch at once, sends the third.
    await request_batch(rig, batch["_id"])
    await until(lambda: recorded(3), 10, "the third delivery sent by the next worker")
    assert len(rig.messages(addresses[0])) == 3  # confirmation, alert, the alert again
    await alert_batch(rig)


@dataclasses.dataclass
class StalledOutcomes:
    """The notifier's deliveries, except that writing outcomes waits until the test says."""

    deliveries: DeliveryRepository
    gate: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)

    async def record(self, outcomes: Sequence[Ended]) -> None:
        await self.gate.wait()
        await self.deliveries.record(outcomes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.deliveries, name)


async def test_no_email_goes_out_past_the_slots_while_outcomes_wait_but_envelopes_do(
    rig: Rig,
) -> None:
    """A crash re-sends what went out unrecorded: SMTP_CONCURRENCY bounds that, not the envelopes.

    With one slot and the outcome writes stalled, the second email's envelope (MAIL,
    RCPT: nothing committed) is accepted by the relay meanwhile, its DATA is not sent.
    """
    addresses = ["first@example.org", "second@example.org"]
    batch, job = await an_alert_batch_to_send_again(rig, addresses)
    sent = rig.mongo.collection(names.SENT)
    outcomes = StalledOutcomes(rig.context.deliveries)
    smtp = GatedSmtp(rig.context.smtp)
    context = dataclasses.replace(
        rig.context,
        deliveries=cast(DeliveryRepository, outcomes),
        smtp=cast(SmtpPool, smtp),
        sending=asyncio.Semaphore(1),
    )
    running = asyncio.create_task(delivering.send_batch(context, job))

    async def both_envelopes_accepted() -> bool:
        return sorted(smtp.opened) == addresses

    ids = {"$in": await delivery_ids(rig, batch)}
    await until(both_envelopes_accepted, 10, "both envelopes accepted by the relay")
    await asyncio.sleep(0.3)  # time enough for a DATA that must not come
    assert len(rig.messages()) == 4 + 1  # one alert of this run went out, not two
    assert await sent.count_documents({"_id": ids}) == 0

    outcomes.gate.set()
    assert await running is True
    for address in addresses:
        assert len(rig.messages(address)) == 3  # confirmation, alert, the alert again
    assert await sent.count_documents({"_id": ids}) == 2


async def test_a_broker_cut_mid_batch_hands_it_back_and_the_reconnected_worker_finishes_it(
    make_settings: Callable[..., Any],
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The issue-12 outage: aiormq cancels the running job when the connection drops."""
    caplog.set_level(logging.INFO)
    vhost = create_vhost()
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    sink = await start_mailsink(
        smtp_host="127.0.0.1",
        smtp_port=0,
        http_host="127.0.0.1",
        http_port=0,
        directory=tmp_path / "mail",
    )
    amqp = await aio_pika.connect_robust(f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
    client: TestClient[Any, Any] | None = None
    try:
        settings = make_settings(
            NotifierSettings,
            amqp_url=f"amqp://guest:guest@127.0.0.1:{proxy.port}/{vhost}",
            smtp_url=f"smtp://127.0.0.1:{sink.smtp_port}",
            roles=["api", "worker"],
            smtp_concurrency=4,
        )
        clock = Clock()
        app = create_app(settings, clock)
        client = await aiohttp_client(app)
        channel = await amqp.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        rig = Rig(client, sink, CalendarStub(), clock, exchange, amqp)
        addresses = [f"outage{n}@example.org" for n in range(3)]
        for address in addresses:
            await rig.subscribe_confirmed(address, ["modification:MP192"])
        runtime = app[NOTIFIER]
        gated = GatedSmtp(runtime.context.smtp, held=addresses[0])
        runtime._context = dataclasses.replace(runtime.context, smtp=cast(SmtpPool, gated))

        await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
        sent = rig.mongo.collection(names.SENT)

        async def recorded(count: int) -> bool:
            ids = await alert_deliveries(rig)
            return len(ids) == 3 and await sent.count_documents({"_id": {"$in": ids}}) == count

        await until(lambda: recorded(2), 15, "two alerts sent while the third hangs")
        await proxy.cut()

        def said(logger: str, words: str) -> bool:
            return any(r.name == logger and words in r.getMessage() for r in caplog.records)

        async def handed_back() -> bool:
            return said(delivering.__name__, "handed back")

        await until(handed_back, 15, "the batch handed back when the connection dropped")
        batch = await alert_batch(rig, state="open")
        assert batch["claimed_until"] <= rig.clock()
        assert said("shared.consumer", "was cancelled")

        gated.gate.set()
        await proxy.restore()
        await until(lambda: recorded(3), 30, "the third alert sent after the reconnection")
        await alert_batch(rig)
        for address in addresses:
            assert len(rig.messages(address)) == 2  # confirmation and one alert: no duplicate
    finally:
        if client is not None:
            await client.close()
        await amqp.close()
        await sink.close()
        await proxy.cut()
        delete_vhost(vhost)


async def test_a_job_for_a_batch_whose_holder_renews_gives_way_without_sending(
    rig: Rig, short_lease: timedelta
) -> None:
    await rig.subscribe_confirmed("alive@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(2)
    batch = await alert_batch(rig)
    batch_id = str(batch["_id"])
    await rig.mongo.collection(names.SENT).delete_many({})
    await reopen(rig, batch_id, rig.clock() - timedelta(seconds=1))
    now = rig.clock()
    assert await rig.context.batches.claim(batch_id, "live-worker", now, now + short_lease)

    async def renew_as_a_live_worker() -> None:
        while True:
            await asyncio.sleep(short_lease.total_seconds() / 3)
            await rig.context.batches.renew(batch_id, "live-worker", rig.clock() + short_lease)

    alive = asyncio.create_task(renew_as_a_live_worker())
    try:
        # A duplicate request (a redelivery, the sweeper) while its holder works on it.
        await request_batch(rig, batch_id)
        await rig.settled()
        held = await rig.mongo.collection(names.BATCHES).find_one({"_id": batch_id})
        assert held is not None
        assert held["claimed_by"] == "live-worker"
        assert len(rig.messages()) == 2  # nothing sent by the job that gave way
    finally:
        alive.cancel()
