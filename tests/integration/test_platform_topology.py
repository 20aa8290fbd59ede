"""No event dropped for lack of a queue: one topology declared by all, mandatory publishing."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from aiohttp.test_utils import TestClient

from services.calendar.web.app import create_app as create_calendar
from services.notifier.web.app import create_app as create_notifier
from services.registry.web.app import create_app as create_registry
from shared.app import PLATFORM
from shared.constants import outbox_collection, processed_collection
from shared.contracts.events import EventName
from shared.db import Mongo, connect_mongo, ensure_indexes
from shared.events import CloudEvent
from shared.messaging import RetryPolicy, Unroutable, connect_broker
from shared.outbox import Outbox, OutboxRelay, outbox_indexes
from shared.settings import CalendarSettings, NotifierSettings, RegistrySettings
from shared.topology import (
    CONSUMER_QUEUES,
    UnknownConsumer,
    consumer_definition,
    declare_topology,
    default_policy,
    render,
)
from tests.conftest import TEST_MAX_ATTEMPTS, TEST_RETRY_BASE_MS
from tests.integration.test_platform_events import ThingRenamed
from tests.support.rabbit import create_vhost, delete_vhost

DEFINITIONS = Path(__file__).parents[2] / "deploy" / "rabbitmq" / "definitions.json"
TEST_POLICY = RetryPolicy(TEST_MAX_ATTEMPTS, TEST_RETRY_BASE_MS)


def matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching for the patterns in use: `*` one word, a trailing `#` any rest."""
    regex = re.escape(pattern).replace(r"\*", r"[^.]+").replace(r"\.\#", r"(\..*)?")
    return re.fullmatch(regex, routing_key) is not None


@pytest.fixture
def fresh_vhost() -> Iterator[str]:
    """A vhost nobody has declared anything in, deleted afterwards."""
    vhost = create_vhost()
    try:
        yield vhost
    finally:
        delete_vhost(vhost)


def url_of(vhost: str) -> str:
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


def test_the_definitions_file_is_the_shared_definition_rendered() -> None:
    assert DEFINITIONS.read_text() == render(default_policy(), "sec"), (
        "deploy/rabbitmq/definitions.json is out of date: "
        "python -m shared.topology --output deploy/rabbitmq/definitions.json"
    )


def test_a_subscription_outside_the_shared_definition_stops_the_service() -> None:
    assert consumer_definition("notifier", "events", ["calendar.#", "registry.#"]).name == (
        "notifier.events"
    )
    with pytest.raises(UnknownConsumer, match=r"shared/topology\.py defines"):
        consumer_definition("notifier", "events", ["registry.#"])
    with pytest.raises(UnknownConsumer, match=r"not in shared/topology\.py"):
        consumer_definition("calendar", "gossip", ["registry.#"])


def test_every_event_of_the_catalogue_has_a_queue() -> None:
    unrouted = [
        name.value
        for name in EventName
        if not any(matches(p, name.value) for queue in CONSUMER_QUEUES for p in queue.bindings)
    ]
    assert unrouted == []


async def test_services_declare_what_operators_import_from_the_definitions_file(
    fresh_vhost: str, tmp_path: Path
) -> None:
    # Rendered for the test's vhost and retry settings; the shipped file differs only there.
    path = tmp_path / "definitions.json"
    path.write_text(render(TEST_POLICY, fresh_vhost))
    # On standard input: the broker may not be allowed to read the test's temporary files.
    subprocess.run(
        ["rabbitmqctl", "-q", "import_definitions", "--format", "json"],
        input=path.read_bytes(),
        check=True,
        capture_output=True,
        timeout=60,
    )
    expected = {queue["name"] for queue in json.loads(path.read_text())["queues"]}
    await wait_until(lambda: queues_in(fresh_vhost, expected), "the import finished")
    connection = await aio_pika.connect(url_of(fresh_vhost))
    try:
        channel = await connection.channel()
        # A different argument anywhere would close the channel with PRECONDITION_FAILED.
        await declare_topology(channel, TEST_POLICY)
    finally:
        await connection.close()
    assert await queues_in(fresh_vhost, expected)


async def queues_in(vhost: str, expected: set[str]) -> bool:
    """Whether `vhost` holds exactly the queues `expected` (the import runs asynchronously)."""
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "--no-table-headers", "name"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return set(listed.stdout.split()) == expected


@pytest.fixture
async def mongo(make_settings: Callable[..., Any]) -> AsyncIterator[Mongo]:
    settings = make_settings()
    mongo = connect_mongo(settings.mongodb_url, settings.mongodb_db, "test")
    await ensure_indexes(mongo, outbox_indexes("registry"))
    yield mongo
    await mongo.close()


async def test_an_event_no_queue_takes_stays_pending_until_the_topology_exists(
    mongo: Mongo, fresh_vhost: str
) -> None:
    broker = await connect_broker(url_of(fresh_vhost), "test")
    try:
        outbox = Outbox(mongo, "registry")
        relay = OutboxRelay(mongo, outbox, broker, poll_seconds=0.05)

        await mongo.transaction(lambda session: outbox.add(session, [ThingRenamed("t1", "n")]))
        # Only the exchange exists: the broker returns the event, which stays pending.
        with pytest.raises(Unroutable, match=r"registry\.release\.updated"):
            await relay.relay_once()
        assert await outbox.collection.count_documents({"state": "pending"}) == 1

        await declare_topology(broker.channel, TEST_POLICY)
        assert await relay.relay_once() == 1
        assert await outbox.collection.count_documents({"state": "pending"}) == 0
        channel = await broker.connection.channel()
        queue = await channel.declare_queue("notifier.events", passive=True)
        message = await queue.get(no_ack=True)
        assert CloudEvent.model_validate_json(message.body).subject == "t1"
    finally:
        await broker.close()


async def wait_until(probe: Callable[[], Any], what: str, seconds: float = 60.0) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not await probe():
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"timed out waiting until {what}")


async def test_on_a_fresh_vhost_the_registrys_seed_events_wait_for_calendar_and_notifier(
    make_settings: Callable[..., Any],
    aiohttp_client: Callable[..., Any],
    fresh_vhost: str,
) -> None:
    amqp_url = url_of(fresh_vhost)
    registry: TestClient[Any, Any] = await aiohttp_client(
        create_registry(make_settings(RegistrySettings, amqp_url=amqp_url, seed=True))
    )
    mongo = registry.app[PLATFORM].mongo
    outbox = mongo.collection(outbox_collection("registry"))

    async def all_sent() -> bool:
        return await outbox.count_documents({}) > 0 and not await outbox.count_documents(
            {"state": "pending"}
        )

    # The registry alone has relayed its whole seed: before, this dropped every event.
    await wait_until(all_sent, "the registry's seed relayed")
    seeded = [(doc["_id"], doc["routing_key"]) async for doc in outbox.find({})]
    calendar_bindings = next(q for q in CONSUMER_QUEUES if q.service == "calendar").bindings
    for_calendar = [i for i, key in seeded if any(matches(p, key) for p in calendar_bindings)]
    assert for_calendar

    await aiohttp_client(
        create_calendar(make_settings(CalendarSettings, amqp_url=amqp_url, roles=["worker"]))
    )
    await aiohttp_client(
        create_notifier(
            make_settings(
                NotifierSettings,
                amqp_url=amqp_url,
                roles=["worker"],
                smtp_url="smtp://127.0.0.1:9",
            )
        )
    )

    async def applied(service: str, consumer: str, ids: list[str]) -> bool:
        processed = mongo.collection(processed_collection(service))
        keys = [f"{consumer}:{event_id}" for event_id in ids]
        return await processed.count_documents({"_id": {"$in": keys}}) == len(keys)

    await wait_until(
        lambda: applied("notifier", "events", [i for i, _ in seeded]), "notifier applied all"
    )
    await wait_until(
        lambda: applied("calendar", "registry-events", for_calendar), "calendar applied all"
    )
