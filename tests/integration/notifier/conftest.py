"""Start the notifier on the real MongoDB-protocol server and RabbitMQ with a real SMTP sink."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from aiohttp import web

from services.notifier.web.app import create_app
from shared.constants import EVENTS_EXCHANGE, consumer_queue, dead_letter_queue
from shared.mailsink import start_mailsink
from shared.messaging import RetryPolicy
from shared.settings import NotifierSettings
from tests.conftest import TEST_MAX_ATTEMPTS, TEST_RETRY_BASE_MS
from tests.integration.notifier.rig import CalendarStub, Clock, Rig


async def _drop_queues(connection: aio_pika.abc.AbstractConnection) -> None:
    # Queues outlive a test in the run's vhost; a leftover message must not reach the next test.
    channel = await connection.channel()
    for consumer in ("events", "deliveries"):
        queue = consumer_queue("notifier", consumer)
        names = [queue, dead_letter_queue(queue)]
        policy = RetryPolicy(TEST_MAX_ATTEMPTS, TEST_RETRY_BASE_MS)
        names += [policy.retry_queue(queue, attempt) for attempt in range(1, TEST_MAX_ATTEMPTS)]
        for name in names:
            await channel.queue_delete(name, if_unused=False, if_empty=False)
    await channel.close()


StartRig = Callable[..., AbstractAsyncContextManager[Rig]]


@pytest.fixture
def start_rig(
    make_settings: Callable[..., Any],
    amqp_url: str,
    tmp_path: Path,
    aiohttp_server: Any,
    aiohttp_client: Any,
) -> StartRig:
    """Return a starter of the rig whose keyword arguments override NotifierSettings."""

    def start(**overrides: Any) -> AbstractAsyncContextManager[Rig]:
        return _rig(make_settings, amqp_url, tmp_path, aiohttp_server, aiohttp_client, overrides)

    return start


@pytest.fixture
async def rig(
    make_settings: Callable[..., Any],
    amqp_url: str,
    tmp_path: Path,
    aiohttp_server: Any,
    aiohttp_client: Any,
) -> AsyncIterator[Rig]:
    # Asks for nothing but the shared fixtures: tests/security imports this one alone.
    async with _rig(
        make_settings, amqp_url, tmp_path, aiohttp_server, aiohttp_client, {}
    ) as started:
        yield started


@asynccontextmanager
async def _rig(
    make_settings: Callable[..., Any],
    amqp_url: str,
    tmp_path: Path,
    aiohttp_server: Any,
    aiohttp_client: Any,
    overrides: dict[str, Any],
) -> AsyncIterator[Rig]:
    sink = await start_mailsink(
        smtp_host="127.0.0.1",
        smtp_port=0,
        http_host="127.0.0.1",
        http_port=0,
        directory=tmp_path / "mail",
    )
    calendar = CalendarStub()
    server = await aiohttp_server(calendar.app())
    calendar.base_url = str(server.make_url("")).rstrip("/")
    amqp = await aio_pika.connect_robust(amqp_url)
    await _drop_queues(amqp)
    channel = await amqp.channel(publisher_confirms=True)
    exchange = await channel.declare_exchange(
        EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    settings: NotifierSettings = make_settings(
        NotifierSettings,
        smtp_url=f"smtp://127.0.0.1:{sink.smtp_port}",
        calendar_url=calendar.base_url,
        public_base_url_calendar=calendar.base_url,
        roles=["api", "worker"],
        consumer_max_attempts=TEST_MAX_ATTEMPTS,
        smtp_concurrency=4,
        # RFC 8058: the one-click URI is https, as in any deployment.
        **{"public_base_url_notifier": "https://alerts.sec.example.org", **overrides},
    )
    clock = Clock()
    app: web.Application = create_app(settings, clock)
    client = await aiohttp_client(app)
    try:
        yield Rig(client, sink, calendar, clock, exchange, amqp)
    finally:
        await client.close()
        await _drop_queues(amqp)
        await amqp.close()
        await sink.close()
