"""Consume events with manual acks, bounded retries, dead letters and idempotent effects."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel
from pydantic import ValidationError
from pymongo import ASCENDING, IndexModel
from pymongo.errors import ConnectionFailure, DuplicateKeyError

from shared.constants import (
    ATTEMPT_HEADER,
    DEAD_LETTERED_AT_HEADER,
    ERROR_HEADER,
    consumer_queue,
    dead_letter_queue,
    processed_collection,
)
from shared.contracts.events import Unprocessable, parse_payload
from shared.db import Mongo, Session
from shared.events import CloudEvent
from shared.logs import bind_correlation_id, reset_correlation_id
from shared.messaging import Broker, RetryPolicy, copy_message, declare_consumer_queue
from shared.metrics import Metrics

log = logging.getLogger(__name__)

# A handler applies one event inside a transaction; it must write only through `session`.
EventHandler = Callable[[CloudEvent, Session], Awaitable[None]]
# A job runs outside a transaction (it sends email, calls HTTP) and must be idempotent by a
# key of its own; it returns False when it found its work already done.
JobHandler = Callable[[CloudEvent], Awaitable[bool]]


def processed_indexes(service: str) -> dict[str, list[IndexModel]]:
    # `_id` ("<consumer>:<event id>") is the unique key; the TTL bounds the collection
    # well beyond any redelivery window.
    return {
        processed_collection(service): [
            IndexModel([("processed_at", ASCENDING)], expireAfterSeconds=30 * 86400)
        ]
    }


def decode(body: bytes) -> CloudEvent:
    """Return the event in a message body; raise if the envelope or its payload is invalid.

    A payload is checked against the event catalogue before any handler sees it, so a
    handler never acts on data of a shape it does not know.
    """
    event = CloudEvent.model_validate_json(body)
    parse_payload(event.type, event.data)
    return event


class IdempotentConsumer:
    """Apply each event at most once: the effects and the processed-id record commit together."""

    def __init__(self, mongo: Mongo, service: str, name: str, handler: EventHandler) -> None:
        self.name = name
        self._mongo = mongo
        self._processed = mongo.collection(processed_collection(service))
        self._handler = handler

    async def apply(self, event: CloudEvent) -> bool:
        """Apply `event`; return False when it had been applied before."""
        key = f"{self.name}:{event.id}"
        if await self._processed.find_one({"_id": key}, projection={"_id": 1}) is not None:
            return False

        async def work(session: Session) -> None:
            await self._handler(event, session)
            await self._processed.insert_one(
                {"_id": key, "type": event.type, "processed_at": datetime.now(UTC)},
                session=session,
            )

        try:
            await self._mongo.transaction(work)
        except DuplicateKeyError:
            # A concurrent delivery of the same event committed first.
            return False
        return True


class QueueConsumer:
    """Run a handler on its own quorum queue with retries and a dead-letter queue."""

    def __init__(
        self,
        broker: Broker,
        service: str,
        name: str,
        apply: JobHandler,
        bindings: Sequence[str],
        policy: RetryPolicy,
        prefetch: int,
        metrics: Metrics,
    ) -> None:
        self.queue_name = consumer_queue(service, name)
        self._broker = broker
        self._apply = apply
        self._bindings = bindings
        self._policy = policy
        self._prefetch = prefetch
        self._metrics = metrics
        self._channel: AbstractRobustChannel | None = None

    async def start(self) -> None:
        channel = await self._broker.connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=self._prefetch)
        queue = await declare_consumer_queue(channel, self.queue_name, self._bindings, self._policy)
        self._channel = channel
        await queue.consume(self._on_message)

    async def stop(self) -> None:
        if self._channel is not None:
            await self._channel.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        attempt = int(str((message.headers or {}).get(ATTEMPT_HEADER, 1)))
        try:
            event = decode(message.body)
        except (ValidationError, Unprocessable) as exc:
            log.error(
                "message %s on %s is not a valid event (%s); dead-lettered",
                message.message_id,
                self.queue_name,
                str(exc).splitlines()[0][:300],
            )
            await self._dead_letter(message, attempt, exc)
            return
        token = bind_correlation_id(event.correlationid)
        try:
            applied = await self._apply(event)
        except asyncio.CancelledError:
            # aiormq cancels a running callback when the channel or connection closes; the
            # message is unacked, so the broker gives it to a consumer again.
            log.warning(
                "handling of %s %s on %s was cancelled (broker connection lost or shutdown); "
                "the broker redelivers it",
                event.type,
                event.id,
                self.queue_name,
            )
            raise
        except Unprocessable as exc:
            # No retry can help: a person looks at it in the dead-letter queue.
            log.error("event %s %s cannot be processed: %s", event.type, event.id, exc)
            await self._dead_letter(message, attempt, exc)
        except Exception as exc:
            # The database out of reach says nothing about the message: it waits for the
            # database at this attempt's delay, however long the outage, and keeps its
            # attempts for real failures (it used to reach the dead-letter queue when an
            # outage outlasted the retries, which only an operator's replay undid).
            outage = isinstance(exc, ConnectionFailure) and self._policy.max_attempts > 1
            next_attempt = attempt if outage else attempt + 1
            if attempt >= self._policy.max_attempts and not outage:
                target, outcome = dead_letter_queue(self.queue_name), "dead_lettered"
            else:
                delay_of = min(attempt, self._policy.max_attempts - 1)
                target, outcome = self._policy.retry_queue(self.queue_name, delay_of), "retried"
            log.warning(
                "event %s %s failed on attempt %d%s: %r; sending to %s",
                event.type,
                event.id,
                attempt,
                " (database unreachable: not counted)" if outage else "",
                exc,
                target,
            )
            await self._forward(message, target, next_attempt, exc)
            self._metrics.consumed(self.queue_name, outcome)
        else:
            await message.ack()
            self._metrics.consumed(self.queue_name, "applied" if applied else "duplicate")
        finally:
            reset_correlation_id(token)

    async def _dead_letter(
        self, message: AbstractIncomingMessage, attempt: int, error: Exception
    ) -> None:
        """Send what no retry can make processable straight to the dead-letter queue."""
        await self._forward(message, dead_letter_queue(self.queue_name), attempt, error)
        self._metrics.consumed(self.queue_name, "dead_lettered")

    async def _forward(
        self, message: AbstractIncomingMessage, queue: str, attempt: int, error: Exception
    ) -> None:
        """Copy the message to `queue` (confirmed), then ack the original: never lost."""
        assert self._channel is not None
        headers: dict[str, str | int] = {ATTEMPT_HEADER: attempt, ERROR_HEADER: repr(error)[:500]}
        if queue == dead_letter_queue(self.queue_name):
            headers[DEAD_LETTERED_AT_HEADER] = datetime.now(UTC).isoformat()
        copy = copy_message(message, headers)
        await self._channel.default_exchange.publish(copy, routing_key=queue)
        await message.ack()
