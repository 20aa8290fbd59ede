"""The whole RabbitMQ topology, defined once: every service declares all of it before relaying.

An event published before the queue that should hold it exists is dropped by the broker
(or, with the mandatory flag, returned). So no service declares only its own queues: each
declares every consumer queue of every service, with its retry and dead-letter queues and
its bindings, before its relay publishes anything. Operators get the same definition as a
RabbitMQ definitions file: `python -m shared.topology --output deploy/rabbitmq/definitions.json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import aio_pika

from shared.constants import (
    CRASH_DELIVERY_LIMIT,
    EVENTS_EXCHANGE,
    consumer_queue,
    dead_letter_queue,
)
from shared.messaging import RetryPolicy, declare_consumer_queue, declare_events_exchange
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class ConsumerQueue:
    """One consumer's quorum queue and the routing-key patterns bound to it."""

    service: str
    consumer: str
    bindings: tuple[str, ...]

    @property
    def name(self) -> str:
        return consumer_queue(self.service, self.consumer)


CONSUMER_QUEUES: Final = (
    ConsumerQueue(
        "calendar",
        "registry-events",
        (
            "registry.consultation.*",
            "registry.release.*",
            "registry.decision.*",
            "registry.modification.status_changed",
        ),
    ),
    ConsumerQueue("notifier", "events", ("registry.#", "calendar.#")),
    ConsumerQueue("notifier", "deliveries", ("notifier.delivery.batch",)),
)


class UnknownConsumer(LookupError):
    """A service subscribed with a queue or bindings this module does not define."""


def consumer_definition(service: str, consumer: str, bindings: Sequence[str]) -> ConsumerQueue:
    """Return the shared definition of a consumer; raise if its bindings differ from it."""
    for queue in CONSUMER_QUEUES:
        if (queue.service, queue.consumer) == (service, consumer):
            if set(bindings) != set(queue.bindings):
                raise UnknownConsumer(
                    f"{queue.name} binds {list(bindings)}, but shared/topology.py defines "
                    f"{list(queue.bindings)}: change the definition there (and regenerate "
                    "deploy/rabbitmq/definitions.json), not only in the service"
                )
            return queue
    raise UnknownConsumer(
        f"{consumer_queue(service, consumer)} is not in shared/topology.py: add it there so "
        "that every service declares it before publishing"
    )


async def declare_topology(channel: aio_pika.abc.AbstractChannel, policy: RetryPolicy) -> None:
    """Declare the exchange and every consumer queue of every service (idempotent)."""
    await declare_events_exchange(channel)
    for queue in CONSUMER_QUEUES:
        await declare_consumer_queue(channel, queue.name, queue.bindings, policy)


def definitions(policy: RetryPolicy, vhost: str = "/") -> dict[str, Any]:
    """Return the topology as a RabbitMQ definitions document (management import format).

    The arguments are those `declare_consumer_queue` declares: a queue declared by a
    service after an operator imported this file must match it exactly, or RabbitMQ
    refuses the declaration.
    """
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []

    def queue(name: str, arguments: dict[str, Any]) -> None:
        queues.append(
            {
                "name": name,
                "vhost": vhost,
                "durable": True,
                "auto_delete": False,
                "arguments": {"x-queue-type": "quorum", **arguments},
            }
        )

    for consumer in CONSUMER_QUEUES:
        dlq = dead_letter_queue(consumer.name)
        queue(dlq, {})
        for attempt in range(1, policy.max_attempts):
            queue(
                policy.retry_queue(consumer.name, attempt),
                {
                    "x-message-ttl": policy.delay_ms(attempt),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": consumer.name,
                },
            )
        queue(
            consumer.name,
            {
                "x-delivery-limit": CRASH_DELIVERY_LIMIT,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": dlq,
            },
        )
        bindings += [
            {
                "source": EVENTS_EXCHANGE,
                "vhost": vhost,
                "destination": consumer.name,
                "destination_type": "queue",
                "routing_key": pattern,
                "arguments": {},
            }
            for pattern in consumer.bindings
        ]
    return {
        "vhosts": [{"name": vhost}],
        "exchanges": [
            {
                "name": EVENTS_EXCHANGE,
                "vhost": vhost,
                "type": "topic",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
        ],
        "queues": queues,
        "bindings": bindings,
    }


def default_policy() -> RetryPolicy:
    """The retry policy of the default settings (CONSUMER_MAX_ATTEMPTS, CONSUMER_RETRY_BASE_MS)."""
    fields = ServiceSettings.model_fields
    return RetryPolicy(
        int(fields["consumer_max_attempts"].default), int(fields["consumer_retry_base_ms"].default)
    )


def render(policy: RetryPolicy, vhost: str) -> str:
    return json.dumps(definitions(policy, vhost), indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.topology",
        description="Write the RabbitMQ definitions file of the whole topology.",
    )
    parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
    parser.add_argument("--vhost", default="sec", help="vhost of the definitions (default: sec)")
    parser.add_argument("--max-attempts", type=int, default=default_policy().max_attempts)
    parser.add_argument("--retry-base-ms", type=int, default=default_policy().base_delay_ms)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --output differs instead of writing it"
    )
    args = parser.parse_args(argv)
    text = render(RetryPolicy(args.max_attempts, args.retry_base_ms), args.vhost)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: python -m shared.topology --output {args.output}")
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
