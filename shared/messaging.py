"""Connect to RabbitMQ, declare the topology and publish with confirms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import (
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
    AbstractRobustQueue,
)
from pamqp.commands import Basic
from yarl import URL

from shared.constants import (
    CRASH_DELIVERY_LIMIT,
    EVENTS_EXCHANGE,
    dead_letter_queue,
    retry_queue,
)
from shared.events import CloudEvent


class BrokerUnavailable(RuntimeError):
    """RabbitMQ could not be reached at start-up."""


class Unroutable(RuntimeError):
    """The broker returned an event: no queue is bound for its routing key (yet)."""


def redact(url: str) -> str:
    """Return the URL without its password, for messages and logs."""
    parsed = URL(url)
    return str(parsed.with_password("***")) if parsed.password else url


@dataclass(frozen=True)
class Broker:
    """A robust connection, a publishing channel with confirms, and the events exchange."""

    connection: AbstractRobustConnection
    channel: AbstractRobustChannel
    exchange: AbstractExchange

    @property
    def is_connected(self) -> bool:
        return not self.connection.is_closed and self.connection.connected.is_set()

    async def publish(self, event: CloudEvent) -> None:
        """Publish one event; return only once the broker has confirmed it into a queue.

        Mandatory: a message no queue is bound for comes back (Basic.Return before the
        confirm) instead of being dropped, and raises Unroutable, so that the relay keeps
        it pending rather than marking it sent.
        """
        confirmation = await self.exchange.publish(
            event_message(event), routing_key=event.type, mandatory=True
        )
        if not isinstance(confirmation, Basic.Ack):
            raise Unroutable(f"no queue is bound for {event.type} (event {event.id})")

    async def close(self) -> None:
        await self.connection.close()


def event_message(
    event: CloudEvent, headers: dict[str, str | int] | None = None
) -> aio_pika.Message:
    return aio_pika.Message(
        body=event.model_dump_json().encode(),
        content_type="application/cloudevents+json",
        message_id=event.id,
        type=event.type,
        correlation_id=event.correlationid,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=dict(headers or {}),
    )


def copy_message(
    message: AbstractIncomingMessage, headers: Mapping[str, str | int]
) -> aio_pika.Message:
    """Copy a received message, persistent, with `headers` set over its own."""
    return aio_pika.Message(
        body=message.body,
        content_type=message.content_type,
        message_id=message.message_id,
        type=message.type,
        correlation_id=message.correlation_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers={**(message.headers or {}), **headers},
    )


async def connect_broker(url: str, name: str) -> Broker:
    """Connect (robustly: it reconnects by itself later) and declare the events exchange."""
    try:
        connection = await aio_pika.connect_robust(
            url, client_properties={"connection_name": name}, timeout=10
        )
    except (OSError, aio_pika.exceptions.AMQPError) as exc:
        raise BrokerUnavailable(
            f"RabbitMQ is not reachable at {redact(url)} ({exc}); start it with "
            "'rabbitmq-server -detached', install it with 'apt-get install -y rabbitmq-server', "
            "or set AMQP_URL to a running broker."
        ) from exc
    channel = await connection.channel(publisher_confirms=True)
    exchange = await declare_events_exchange(channel)
    return Broker(connection, channel, exchange)


async def declare_events_exchange(channel: aio_pika.abc.AbstractChannel) -> AbstractExchange:
    return await channel.declare_exchange(
        EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failing message is tried and how long it waits between tries."""

    max_attempts: int = 5
    base_delay_ms: int = 500

    def delay_ms(self, attempt: int) -> int:
        """Delay before attempt `attempt + 1`, doubling each time."""
        return int(self.base_delay_ms * 2 ** (attempt - 1))

    def retry_queue(self, queue: str, attempt: int) -> str:
        """The queue holding a message that failed attempt `attempt`."""
        return retry_queue(queue, self.delay_ms(attempt))


async def declare_consumer_queue(
    channel: aio_pika.abc.AbstractChannel,
    queue: str,
    bindings: Sequence[str],
    policy: RetryPolicy,
) -> AbstractRobustQueue:
    """Declare a quorum queue bound to `bindings`, its retry queues and its dead-letter queue.

    A failed message goes to `<queue>.retry.<delay>ms`, whose TTL returns it to the queue
    after the back-off; after `max_attempts` it goes to `<queue>.dlq`. The queue's own
    delivery limit catches a message that crashes the consumer before it can ack.
    """
    exchange = await declare_events_exchange(channel)
    dlq = dead_letter_queue(queue)
    await channel.declare_queue(dlq, durable=True, arguments={"x-queue-type": "quorum"})
    for attempt in range(1, policy.max_attempts):
        await channel.declare_queue(
            policy.retry_queue(queue, attempt),
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-message-ttl": policy.delay_ms(attempt),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue,
            },
        )
    main = await channel.declare_queue(
        queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": CRASH_DELIVERY_LIMIT,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dlq,
        },
    )
    for pattern in bindings:
        await main.bind(exchange, routing_key=pattern)
    return main  # type: ignore[return-value]
