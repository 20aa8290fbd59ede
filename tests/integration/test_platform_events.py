"""The platform's event path on the real MongoDB-protocol server and the real RabbitMQ."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import aio_pika
import pytest

from shared.consumer import IdempotentConsumer, QueueConsumer, processed_indexes
from shared.contracts.events import InvalidPayload
from shared.db import Mongo, Session, connect_mongo, ensure_indexes
from shared.events import CloudEvent
from shared.messaging import Broker, RetryPolicy, connect_broker
from shared.metrics import Metrics
from shared.outbox import Outbox, OutboxRelay, outbox_indexes
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class ThingRenamed:
    """A release renamed: any event of the catalogue does, the platform only carries it."""

    event_type: ClassVar[str] = "registry.release.updated"
    thing_id: str
    name: str

    @property
    def subject(self) -> str:
        return self.thing_id

    def data(self) -> dict[str, Any]:
        return {"release": release_shape(self.thing_id, self.name)}


def release_shape(release_id: str, name: str) -> dict[str, Any]:
    return {
        "id": release_id,
        "name": name,
        "effective_date": "2030-11-05",
        "kind": "scheduled",
        "modification_refs": [],
        "url": f"https://registry.example.org/releases/{release_id}",
    }


@dataclass
class Rig:
    mongo: Mongo
    broker: Broker
    outbox: Outbox
    relay: OutboxRelay
    settings: ServiceSettings


@pytest.fixture
async def rig(make_settings: Callable[..., ServiceSettings]) -> AsyncIterator[Rig]:
    settings = make_settings()
    mongo = connect_mongo(settings.mongodb_url, settings.mongodb_db, "test")
    broker = await connect_broker(settings.amqp_url, "test")
    await ensure_indexes(mongo, {**outbox_indexes("registry"), **processed_indexes("calendar")})
    outbox = Outbox(mongo, "registry")
    relay = OutboxRelay(mongo, outbox, broker, poll_seconds=0.05)
    yield Rig(mongo, broker, outbox, relay, settings)
    await broker.close()
    await mongo.close()


async def rename(rig: Rig, thing_id: str, name: str, fail: bool = False) -> None:
    """Write the entity and its event in one transaction, as every service does."""

    async def work(session: Session) -> None:
        await rig.mongo.collection("registry_things").update_one(
            {"_id": thing_id}, {"$set": {"name": name}}, upsert=True, session=session
        )
        await rig.outbox.add(session, [ThingRenamed(thing_id, name)])
        if fail:
            raise RuntimeError("the use case failed after writing")

    await rig.mongo.transaction(work)


async def tap(broker: Broker, pattern: str) -> aio_pika.abc.AbstractQueue:
    channel = await broker.connection.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(broker.exchange, routing_key=pattern)
    return queue


async def next_message(
    queue: aio_pika.abc.AbstractQueue, wait_seconds: float = 10.0
) -> aio_pika.abc.AbstractIncomingMessage:
    async with asyncio.timeout(wait_seconds):
        while True:
            message = await queue.get(no_ack=True, fail=False)
            if message is not None:
                return message
            await asyncio.sleep(0.05)


async def test_a_write_and_its_event_commit_or_abort_together(rig: Rig) -> None:
    with pytest.raises(RuntimeError):
        await rename(rig, "t1", "aborted", fail=True)
    assert await rig.mongo.collection("registry_things").count_documents({}) == 0
    assert await rig.outbox.collection.count_documents({}) == 0

    await rename(rig, "t1", "committed")
    assert await rig.mongo.collection("registry_things").count_documents({"name": "committed"}) == 1
    record = await rig.outbox.collection.find_one({})
    assert record is not None
    assert record["state"] == "pending"
    assert record["envelope"]["data"] == {"release": release_shape("t1", "committed")}


async def test_relay_publishes_a_persistent_cloudevent_and_marks_it_sent(rig: Rig) -> None:
    queue = await tap(rig.broker, "registry.release.*")
    await rename(rig, "t2", "Panel")
    assert await rig.relay.relay_once() == 1

    message = await next_message(queue)
    event = CloudEvent.model_validate_json(message.body)
    assert event.specversion == "1.0"
    assert event.type == "registry.release.updated"
    assert event.source == "/registry"
    assert event.subject == "t2"
    assert message.message_id == event.id
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert await rig.outbox.collection.count_documents({"state": "pending"}) == 0
    assert await rig.relay.relay_once() == 0


def consumer_for(
    rig: Rig,
    name: str,
    handler: Any,
    policy: RetryPolicy,
    metrics: Metrics | None = None,
    bindings: tuple[str, ...] = ("registry.release.*",),
) -> QueueConsumer:
    return QueueConsumer(
        rig.broker,
        "calendar",
        name,
        IdempotentConsumer(rig.mongo, "calendar", name, handler).apply,
        bindings,
        policy,
        prefetch=8,
        metrics=metrics or Metrics("calendar"),
    )


async def wait_for_count(mongo: Mongo, collection: str, query: dict[str, Any], count: int) -> None:
    async with asyncio.timeout(15):
        while await mongo.collection(collection).count_documents(query) < count:
            await asyncio.sleep(0.05)


async def wait_until_consumed(metrics: Metrics, queue: str, count: int) -> None:
    """Wait until `count` messages from `queue` were applied or found applied already."""

    def consumed() -> float:
        return sum(
            metrics.registry.get_sample_value(
                "events_consumed_total", {"queue": queue, "outcome": outcome}
            )
            or 0
            for outcome in ("applied", "duplicate")
        )

    async with asyncio.timeout(15):
        while consumed() < count:
            await asyncio.sleep(0.05)


async def test_relay_killed_before_marking_sent_republishes_and_consumer_applies_once(
    rig: Rig,
) -> None:
    async def apply(event: CloudEvent, session: Session) -> None:
        await rig.mongo.collection("calendar_effects").insert_one(
            {"event_id": event.id, "name": event.data["release"]["name"]}, session=session
        )

    metrics = Metrics("calendar")
    consumer = consumer_for(rig, "things", apply, RetryPolicy(3, 50), metrics)
    await consumer.start()
    try:
        await rename(rig, "t3", "Change Board")
        # The relay publishes and dies before it can mark the record sent ...
        await rig.relay.publish(await rig.relay.pending())
        await wait_for_count(rig.mongo, "calendar_effects", {}, 1)
        assert await rig.outbox.collection.count_documents({"state": "pending"}) == 1
        # ... so the restarted relay publishes the same event again: a redelivery.
        restarted = OutboxRelay(rig.mongo, rig.outbox, rig.broker, poll_seconds=0.05)
        assert await restarted.relay_once() == 1
        # Both copies have been through the consumer: the second one found the first's record.
        await wait_until_consumed(metrics, consumer.queue_name, 2)
        assert await rig.mongo.collection("calendar_effects").count_documents({}) == 1
    finally:
        await consumer.stop()


async def test_event_written_while_no_relay_runs_goes_out_when_a_relay_starts(rig: Rig) -> None:
    queue = await tap(rig.broker, "registry.release.*")
    await rename(rig, "t4", "written while the relay was down")
    # A marker published after the write arrives first: nothing went out for the write.
    marker = CloudEvent(source="/test", type="registry.release.marker", subject="marker", data={})
    await rig.broker.publish(marker)
    assert CloudEvent.model_validate_json((await next_message(queue)).body).id == marker.id

    task = asyncio.create_task(rig.relay.run())
    try:
        message = await next_message(queue)
        assert CloudEvent.model_validate_json(message.body).subject == "t4"
    finally:
        task.cancel()


async def test_poison_event_is_dead_lettered_after_bounded_retries_and_replayed(
    rig: Rig,
) -> None:
    attempts: list[str] = []

    async def apply(event: CloudEvent, session: Session) -> None:
        attempts.append(event.id)
        flag = await rig.mongo.collection("calendar_flags").find_one({"_id": "broken"})
        if flag is None or flag["on"]:
            raise ValueError("cannot apply this event yet")
        await rig.mongo.collection("calendar_effects").insert_one(
            {"event_id": event.id}, session=session
        )

    await rig.mongo.collection("calendar_flags").insert_one({"_id": "broken", "on": True})
    consumer = consumer_for(rig, "poison", apply, RetryPolicy(3, 50))
    await consumer.start()
    try:
        await rename(rig, "t5", "poison")
        await rig.relay.relay_once()
        channel = await rig.broker.connection.channel()
        dlq = await channel.declare_queue("calendar.poison.dlq", passive=True)
        async with asyncio.timeout(15):
            while (letter := await dlq.get(no_ack=False, fail=False)) is None:
                await asyncio.sleep(0.1)
        await letter.nack(requeue=True)
        await channel.close()
        assert len(attempts) == 3

        await rig.mongo.collection("calendar_flags").update_one(
            {"_id": "broken"}, {"$set": {"on": False}}
        )
        listed = subprocess.run(
            [
                sys.executable,
                "-m",
                "shared.deadletters",
                "list",
                "--queue",
                "calendar.poison",
                "--amqp-url",
                rig.settings.amqp_url,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "cannot apply this event yet" in listed.stdout
        replayed = subprocess.run(
            [
                sys.executable,
                "-m",
                "shared.deadletters",
                "replay",
                "--queue",
                "calendar.poison",
                "--amqp-url",
                rig.settings.amqp_url,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "replayed 1" in replayed.stdout
        await wait_for_count(rig.mongo, "calendar_effects", {}, 1)
    finally:
        await consumer.stop()


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("registry.release.updated", {"release": {"id": "t6"}}),
        ("registry.consultation.opened", {"consultation": {"id": "c1", "title": "no mark"}}),
        ("registry.thing.renamed", {"thing_id": "t6"}),
    ],
    ids=["payload-misses-fields", "consultation-without-classification", "unknown-type"],
)
async def test_an_event_outside_the_catalogue_is_dead_lettered_at_once_and_never_applied(
    rig: Rig, event_type: str, data: dict[str, Any]
) -> None:
    applied: list[str] = []

    async def apply(event: CloudEvent, session: Session) -> None:
        applied.append(event.id)

    consumer = consumer_for(rig, "contract", apply, RetryPolicy(3, 50), bindings=("registry.#",))
    await consumer.start()
    try:
        bad = CloudEvent(source="/registry", type=event_type, subject="t6", data=data)
        await rig.broker.publish(bad)
        channel = await rig.broker.connection.channel()
        dlq = await channel.declare_queue("calendar.contract.dlq", passive=True)
        async with asyncio.timeout(15):
            while (letter := await dlq.get(no_ack=False, fail=False)) is None:
                await asyncio.sleep(0.05)
        assert CloudEvent.model_validate_json(letter.body).id == bad.id
        # At once: the first delivery went to the dead letters, no retry queue in between.
        assert letter.headers["x-sec-attempt"] == 1
        await letter.ack()
        await channel.close()
        assert applied == []
    finally:
        await consumer.stop()


async def test_an_event_outside_the_catalogue_is_refused_before_anything_is_written(
    rig: Rig,
) -> None:
    async def work(session: Session) -> None:
        await rig.mongo.collection("registry_things").insert_one({"_id": "t7"}, session=session)
        await rig.outbox.add(session, [NoMark("t7")])

    with pytest.raises(InvalidPayload, match="classification"):
        await rig.mongo.transaction(work)
    assert await rig.mongo.collection("registry_things").count_documents({}) == 0
    assert await rig.outbox.collection.count_documents({}) == 0


@dataclass(frozen=True)
class NoMark:
    """A consultation event whose producer forgot the consultation's classification."""

    event_type: ClassVar[str] = "registry.consultation.opened"
    consultation_id: str

    @property
    def subject(self) -> str:
        return self.consultation_id

    def data(self) -> dict[str, Any]:
        return {
            "consultation": {
                "id": self.consultation_id,
                "title": "A consultation",
                "kind": "industry",
                "kind_label": "Industry Consultation",
                "closes_at": "2030-02-04T17:00:00+00:00",
                "respond_to": "changeteam@secas.example.org",
                "url": "https://registry.example.org/consultations/c",
                "status": "open",
            }
        }
