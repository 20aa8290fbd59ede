"""Provide the real servers every integration test talks to."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from pymongo import AsyncMongoClient

from shared.auth import SigningKey
from shared.dev.embedded_mongo import start_embedded_mongo
from shared.settings import ServiceSettings
from shared.topology import CONSUMER_QUEUES
from tests.support.rabbit import amqp_url_of_own

# The whole system as processes, one per session (tests/e2e, tests/security).
pytest_plugins = ["tests.support.system"]

TEST_SECRET = "test-secret-key-not-for-production"
# Mints every token the tests use; the services under test hold it too (development mode).
TEST_SIGNER = SigningKey.generate()
TEST_RETRY_BASE_MS = 50
TEST_MAX_ATTEMPTS = 3


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """MONGODB_URL when given (real mongod), else an embedded SecantusDB subprocess."""
    if url := os.environ.get("MONGODB_URL"):
        yield url
        return
    storage = tmp_path_factory.mktemp("secantus")
    server = start_embedded_mongo(storage / "data", log_path=storage / "server.log")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """AMQP_URL when given, else the local RabbitMQ in a vhost of this run's own."""
    with amqp_url_of_own() as url:
        yield url


@pytest.fixture
async def database_name(mongo_url: str) -> AsyncIterator[str]:
    """A database of the test's own, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        await client.drop_database(name)
    finally:
        await client.close()


@pytest.fixture
async def empty_queues(amqp_url: str) -> None:
    """Empty every consumer queue of the run's vhost before a test builds its apps.

    The run's tests share one vhost, and most apps publish without consuming: a worker
    started later inherited hundreds of other tests' events, and two full runs hung in
    such an app's teardown behind them.
    """
    connection = await aio_pika.connect(amqp_url)
    try:
        for queue in CONSUMER_QUEUES:
            channel = await connection.channel()
            try:
                declared = await channel.declare_queue(queue.name, passive=True)
                await declared.purge()
            except aio_pika.exceptions.ChannelClosed:
                pass  # not declared yet in this run: nothing to empty
            finally:
                if not channel.is_closed:
                    await channel.close()
    finally:
        await connection.close()


@pytest.fixture
def make_settings(
    mongo_url: str, amqp_url: str, database_name: str, empty_queues: None
) -> Callable[..., ServiceSettings]:
    """Build a service's settings pointing at the test servers; keywords override."""

    def build(settings_type: type[ServiceSettings] = ServiceSettings, **overrides: Any) -> Any:
        values: dict[str, Any] = {
            "mongodb_url": mongo_url,
            "mongodb_db": database_name,
            "amqp_url": amqp_url,
            "secret_key": TEST_SECRET,
            "token_signing_key": TEST_SIGNER.private_pem(),
            "token_revocation_refresh_seconds": 0.0,
            "log_json": False,
            "outbox_poll_seconds": 0.1,
            "consumer_retry_base_ms": TEST_RETRY_BASE_MS,
            "consumer_max_attempts": TEST_MAX_ATTEMPTS,
        }
        values.update(overrides)
        return settings_type(**values)

    return build


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """A headless Debian Chromium driven by Playwright, shared by the page tests."""
    from playwright.async_api import async_playwright

    from tests.support.browser import CHROMIUM_ARGS, chromium_path

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context()
    page = await context.new_page()
    yield page
    await context.close()
