"""A relay that refuses mail, and messages nobody can process: handled, never lost or doubled."""

from __future__ import annotations

import json
import time

import aio_pika
import aiohttp
import pytest

from services.calendar.domain.deadlines import derived_id
from services.notifier.adapters import names
from services.notifier.domain.deliveries import DeliveryOutcome
from shared.constants import EVENTS_EXCHANGE, dead_letter_queue, outbox_collection
from shared.events import CloudEvent
from shared.outbox import SENT
from shared.topology import CONSUMER_QUEUES
from tests.chaos.conftest import OpenSystem
from tests.chaos.harness import SERVICES, ChaosSystem
from tests.chaos.ledger import Figures, measure, wait_for, wait_for_mail
from tests.chaos.people import (
    addresses,
    consultation,
    create,
    missing,
    start_with_follower,
    subscribe,
)

FLAKY = "flaky@chaos.example.org"
BOUNCE = "bounce@chaos.example.org"


@pytest.mark.chaos
async def test_smtp_451_twice_then_success_and_550(open_chaos: OpenSystem) -> None:
    # The sink's own fault injection: RCPT refused with 451 twice for FLAKY, 550 for BOUNCE.
    system = await open_chaos(mail_faults=["451x2:flaky@*", "550:bounce@*"])
    await system.start(*SERVICES)
    regular = addresses(5)
    await subscribe(system, [*regular, FLAKY, BOUNCE], ["consultations"])
    owed = {**dict.fromkeys(regular, 1), FLAKY: 1}
    figures = Figures(
        "smtp-451-twice-and-550",
        "a consultation alert to 7 subscribers through a relay that answers RCPT with 451 "
        "twice for one of them and 550 for another",
        expected={"emails": 6, "flaky_delivered_once": True, "refused_recorded_failed": True},
    )
    async with aiohttp.ClientSession() as http:
        status, answer = await create(http, system, "/api/v1/consultations", consultation())
        assert status == 201, answer
        posted = time.time()
        await wait_for_mail(system, owed, seconds=60)
        await measure(system, figures, owed_mail=owed, recovering_since=posted)
        url = system.url("registry", f"/api/v1/consultations/{answer['id']}")
        figures.measured["acknowledged_writes_lost"] = await missing(http, system, [url])
    outcomes = {
        document["_id"]: document async for document in system.mongo.collection(names.SENT).find({})
    }
    by_outcome = {str(d["outcome"]) for d in outcomes.values()}
    refused = [d for d in outcomes.values() if "550" in str(d.get("error") or "")]
    batch = await system.mongo.collection(names.BATCHES).find_one({})
    assert batch is not None
    figures.measured.update(
        {
            "flaky_delivered_once": sum(m.recipient == FLAKY for m in await system.mail()) == 1,
            "refused_recorded_failed": [d["outcome"] for d in refused]
            == [DeliveryOutcome.FAILED.value],
            "batch_attempts": batch["attempts"],
            "outcomes": sorted(by_outcome),
        }
    )
    assert figures.measured["flaky_delivered_once"], figures.measured
    assert figures.measured["refused_recorded_failed"], figures.measured
    figures.assert_held()


POISON = {
    "corrupt": b"\xff\x00{not json at all",
    "foreign": json.dumps(
        {"specversion": "1.0", "id": "x", "source": "/elsewhere", "type": "acme.widget.exploded"}
    ).encode(),
    "invalid": CloudEvent(
        source="/registry", type="registry.consultation.opened", data={"consultation": "?"}
    )
    .model_dump_json()
    .encode(),
}


async def publish_poison(system: ChaosSystem) -> dict[str, list[str]]:
    """Put each kind of poison straight on every consumer queue; return the ids by queue."""
    connection = await aio_pika.connect(system.amqp_direct)
    sent: dict[str, list[str]] = {}
    try:
        channel = await connection.channel(publisher_confirms=True)
        for queue in CONSUMER_QUEUES:
            for kind, body in POISON.items():
                message_id = f"poison-{kind}-{queue.name}"
                await channel.default_exchange.publish(
                    aio_pika.Message(body, message_id=message_id), routing_key=queue.name
                )
                sent.setdefault(queue.name, []).append(message_id)
    finally:
        await connection.close()
    return sent


async def publish_again(system: ChaosSystem, envelope: CloudEvent, times: int) -> None:
    """Publish an event the registry relayed, again, as a relay that crashed before marking."""
    connection = await aio_pika.connect(system.amqp_direct)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for _ in range(times):
            await exchange.publish(
                aio_pika.Message(
                    envelope.model_dump_json().encode(),
                    message_id=envelope.id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=envelope.type,
            )
    finally:
        await connection.close()


@pytest.mark.chaos
async def test_poison_on_every_queue_and_an_event_delivered_three_times(
    open_chaos: OpenSystem,
) -> None:
    system = await open_chaos()
    follower = await start_with_follower(system, "consultations")
    pids = {name: system.processes[name].pid for name in SERVICES}
    figures = Figures(
        "poison-and-triple-redelivery",
        "a corrupt, a foreign and an invalid message on every consumer queue, then a "
        "consultation whose event is delivered three times",
        expected={
            "dead_lettered_per_queue": len(POISON),
            "dead_letters": len(POISON) * len(CONSUMER_QUEUES),
            "emails": 1,
            "worker_restarts": 0,
        },
    )
    poison = await publish_poison(system)
    async with aiohttp.ClientSession() as http:
        status, answer = await create(http, system, "/api/v1/consultations", consultation())
        assert status == 201, answer
        posted = time.time()
        outbox = system.mongo.collection(outbox_collection("registry"))

        async def relayed() -> bool:
            return await outbox.count_documents({"state": SENT}) > 0

        assert await wait_for(relayed, 30)
        record = await outbox.find_one({"state": SENT})
        assert record is not None
        await publish_again(system, CloudEvent.model_validate(record["envelope"]), times=2)
        entry = system.url("calendar", f"/api/v1/events/{derived_id('consultation', answer['id'])}")

        async def deadline_in_calendar() -> bool:
            return await missing(http, system, [entry]) == 0

        entry_seen = await wait_for(deadline_in_calendar, 60)
        await wait_for_mail(system, {follower: 1}, seconds=60)
        await measure(
            system, figures, owed_mail={follower: 1}, recovering_since=posted,
            entries_seen_at=entry_seen,
        )  # fmt: skip
        consultation_url = system.url("registry", f"/api/v1/consultations/{answer['id']}")
        figures.measured["acknowledged_writes_lost"] = await missing(
            http, system, [consultation_url, entry]
        )
    depths = await system.queue_depths()
    logs = {name: system.log(name) for name in SERVICES}
    figures.measured.update(
        {
            "dead_lettered": {q: depths.get(dead_letter_queue(q), 0) for q in poison},
            # Each poison message is named in exactly one log line of the service that took it.
            "logged_once": all(
                sum(message_id in line for line in logs[queue.split(".")[0]].splitlines()) == 1
                for queue, ids in poison.items()
                for message_id in ids
            ),
            "worker_restarts": sum(
                not system.alive(n) or system.processes[n].pid != pids[n] for n in SERVICES
            ),
        }
    )
    dead_lettered = figures.measured["dead_lettered"].values()
    assert all(n == len(POISON) for n in dead_lettered), figures.measured
    assert figures.measured["logged_once"], figures.measured
    assert figures.measured["worker_restarts"] == 0, figures.measured
    figures.assert_held()
