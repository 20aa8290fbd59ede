"""The relay through a broker outage: one line when it starts, one when it ends, nothing lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
from yarl import URL

from shared.db import connect_mongo, ensure_indexes
from shared.messaging import connect_broker
from shared.outbox import Outbox, OutboxRelay, outbox_indexes
from shared.settings import ServiceSettings
from shared.topology import declare_topology
from tests.integration.test_platform_events import ThingRenamed, next_message, tap
from tests.integration.test_platform_topology import TEST_POLICY
from tests.support.tcpproxy import TcpProxy


def relay_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "shared.outbox"]


async def test_a_broker_outage_is_logged_once_and_its_end_once_and_the_event_goes_out(
    make_settings: Callable[..., ServiceSettings], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="shared.outbox")
    settings = make_settings()
    url = URL(settings.amqp_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5672)
    await proxy.start()
    mongo = connect_mongo(settings.mongodb_url, settings.mongodb_db, "test")
    await ensure_indexes(mongo, outbox_indexes("registry"))
    direct = await connect_broker(settings.amqp_url, "test-tap")
    broker = await connect_broker(str(url.with_port(proxy.port)), "test-relay")
    await declare_topology(broker.channel, TEST_POLICY)
    queue = await tap(direct, "registry.release.*")
    outbox = Outbox(mongo, "registry")
    relay = OutboxRelay(mongo, outbox, broker, poll_seconds=0.05)
    task = asyncio.create_task(relay.run())
    try:
        await proxy.cut()
        await mongo.transaction(lambda s: outbox.add(s, [ThingRenamed("t1", "during")]))
        outbox.notify()
        # Long enough for a dozen tries at the old fixed 0.5 s, and many more at 0.05 s.
        await asyncio.sleep(3)
        assert [r.getMessage().split(" (")[0] for r in relay_lines(caplog)] == [
            "outbox relay of registry cannot publish"
        ]
        assert not relay_lines(caplog)[0].exc_info  # an outage, not a bug: no traceback
        assert await outbox.collection.count_documents({"state": "pending"}) == 1

        await proxy.restore()
        message = await next_message(queue, wait_seconds=30)
        assert b'"subject":"t1"' in message.body
        async with asyncio.timeout(10):
            while len(relay_lines(caplog)) < 2:
                await asyncio.sleep(0.05)
        recovered = relay_lines(caplog)[1].getMessage()
        assert recovered.startswith("outbox relay of registry publishes again after")
        assert await outbox.collection.count_documents({"state": "pending"}) == 0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await broker.close()
        await direct.close()
        await proxy.cut()
        await mongo.close()
