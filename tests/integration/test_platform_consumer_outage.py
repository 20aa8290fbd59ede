"""A database outage longer than a message's retries does not dead-letter the message."""

from __future__ import annotations

from pymongo.errors import ServerSelectionTimeoutError

from shared.db import Session
from shared.events import CloudEvent
from shared.messaging import RetryPolicy
from shared.metrics import Metrics
from tests.integration.test_platform_events import (
    Rig,
    consumer_for,
    rename,
    rig,  # noqa: F401 - the fixture
    wait_until_consumed,
)

POLICY = RetryPolicy(3, 50)


async def test_an_event_waits_out_a_database_outage_longer_than_its_retries(rig: Rig) -> None:  # noqa: F811
    unreachable = POLICY.max_attempts * 2
    tries: list[str] = []

    async def apply(event: CloudEvent, session: Session) -> None:
        tries.append(event.id)
        if len(tries) <= unreachable:
            # What pymongo raises while the server is down (chaos suite: database kill -9).
            raise ServerSelectionTimeoutError("127.0.0.1: connection refused")
        await rig.mongo.collection("calendar_effects").insert_one(
            {"event_id": event.id}, session=session
        )

    metrics = Metrics("calendar")
    consumer = consumer_for(rig, "outage", apply, POLICY, metrics)
    await consumer.start()
    try:
        await rename(rig, "t9", "during an outage")
        await rig.relay.relay_once()
        await wait_until_consumed(metrics, "calendar.outage", 1)
        assert len(tries) == unreachable + 1
        assert await rig.mongo.collection("calendar_effects").count_documents({}) == 1
        channel = await rig.broker.connection.channel()
        dlq = await channel.declare_queue("calendar.outage.dlq", passive=True)
        assert dlq.declaration_result.message_count == 0
        await channel.close()
    finally:
        await consumer.stop()
