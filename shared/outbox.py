"""Record events in the same transaction as the change, and relay them to RabbitMQ."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from aio_pika.exceptions import AMQPError, ChannelInvalidStateError
from pymongo import ASCENDING, IndexModel, UpdateOne
from pymongo.errors import PyMongoError

from shared.constants import leases_collection, outbox_collection
from shared.contracts.events import parse_payload
from shared.db import Collection, Mongo, Session
from shared.events import CloudEvent, DomainEvent
from shared.lease import Lease, holder_id
from shared.logs import current_correlation_id
from shared.messaging import Broker, Unroutable
from shared.outage import Outage

log = logging.getLogger(__name__)

PENDING = "pending"
SENT = "sent"


def outbox_indexes(service: str) -> dict[str, list[IndexModel]]:
    return {
        outbox_collection(service): [
            IndexModel([("state", ASCENDING), ("created_at", ASCENDING)]),
            # Sent records are kept a week for audit and replay, then expire.
            IndexModel([("sent_at", ASCENDING)], expireAfterSeconds=7 * 86400),
        ]
    }


class Outbox:
    """Write CloudEvents into `<service>_outbox` inside the caller's transaction."""

    def __init__(self, mongo: Mongo, service: str) -> None:
        self.service = service
        self.collection: Collection = mongo.collection(outbox_collection(service))
        self.wakeup = asyncio.Event()

    def envelope(self, event: DomainEvent) -> CloudEvent:
        """Wrap `event`; raise InvalidPayload if its data breaks the catalogue (a bug)."""
        envelope = CloudEvent.from_domain(f"/{self.service}", event, current_correlation_id())
        parse_payload(envelope.type, envelope.data)
        return envelope

    async def add(self, session: Session, events: Iterable[DomainEvent]) -> list[CloudEvent]:
        envelopes = [self.envelope(event) for event in events]
        if envelopes:
            now = datetime.now(UTC)
            await self.collection.insert_many(
                [
                    {
                        "_id": envelope.id,
                        "state": PENDING,
                        "created_at": now,
                        "routing_key": envelope.type,
                        "envelope": envelope.model_dump(mode="json"),
                    }
                    for envelope in envelopes
                ],
                session=session,
            )
        return envelopes

    def notify(self) -> None:
        """Wake this process's relay once a transaction that added events has committed."""
        self.wakeup.set()


class Published(NamedTuple):
    """What a relay round got confirmed, and why the rest was not (returned, channel down)."""

    confirmed: list[CloudEvent]
    failure: Exception | None


# The relay's pause after a failure doubles from its poll interval up to this: enough to
# spare a down broker a storm of attempts, short enough that events flow again within
# seconds of its return.
MAX_BACKOFF_SECONDS = 5.0


class OutboxRelay:
    """Publish pending outbox records with confirms, then mark them sent.

    One relay per service publishes at a time (a lease); a crash after the publish
    and before the mark publishes the event again, which consumers tolerate. A record
    the broker returns (no queue bound for it) stays pending: `declare` (the whole
    topology) runs before the first publish and again after a return.
    """

    def __init__(
        self,
        mongo: Mongo,
        outbox: Outbox,
        broker: Broker,
        poll_seconds: float = 0.5,
        batch_size: int = 200,
        declare: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._outbox = outbox
        self._broker = broker
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._declare = declare
        self._lease = Lease(
            mongo.collection(leases_collection(outbox.service)),
            "outbox-relay",
            holder_id(),
            ttl=timedelta(seconds=max(5.0, poll_seconds * 10)),
        )

    async def pending(self) -> list[CloudEvent]:
        cursor = (
            self._outbox.collection.find({"state": PENDING})
            .sort("created_at", ASCENDING)
            .limit(self._batch_size)
        )
        return [CloudEvent.model_validate(doc["envelope"]) async for doc in cursor]

    async def publish(self, envelopes: list[CloudEvent]) -> Published:
        """Publish `envelopes`; return those the broker confirmed and the first failure."""
        # One channel keeps the frames in order; gather only overlaps the confirm waits.
        results = await asyncio.gather(
            *(self._broker.publish(envelope) for envelope in envelopes), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, Exception)]
        confirmed = [e for e, r in zip(envelopes, results, strict=True) if r is None]
        return Published(confirmed, failures[0] if failures else None)

    async def mark_sent(self, envelopes: list[CloudEvent]) -> None:
        if not envelopes:
            return
        # One update per record by _id: its cost follows the batch, whereas an `$in`
        # filter makes some servers (SecantusDB) scan the whole, growing outbox.
        sent = {"$set": {"state": SENT, "sent_at": datetime.now(UTC)}}
        await self._outbox.collection.bulk_write(
            [UpdateOne({"_id": envelope.id}, sent) for envelope in envelopes], ordered=False
        )

    async def relay_once(self) -> int:
        """Publish one batch and mark what the broker confirmed; return how many went out.

        Raise after marking if any record was not confirmed (returned, or the channel
        failed): those stay pending for the next round.
        """
        envelopes = await self.pending()
        if not envelopes:
            return 0
        published = await self.publish(envelopes)
        await self.mark_sent(published.confirmed)
        if published.failure is not None:
            raise published.failure
        return len(published.confirmed)

    async def run(self) -> None:
        """Relay until cancelled; wait for a wake-up or the poll interval when idle.

        A failure (broker or database down, an event returned) is logged once, when it
        starts, and once when the relay publishes again; in between the relay backs off.
        """
        holding, renew_at = False, 0.0
        service = self._outbox.service
        outage = Outage(
            log,
            f"outbox relay of {service} cannot publish",
            f"outbox relay of {service} publishes again",
            "events stay pending until it can",
            _OUTAGES,
        )
        declared = self._declare is None
        while True:
            sent = 0
            try:
                if not declared and self._declare is not None:
                    await self._declare()
                    declared = True
                # A held lease cannot be taken before it expires, so renewing it three
                # times a lifetime is enough and spares the database a write per poll.
                if time.monotonic() >= renew_at:
                    holding = await self._lease.acquire()
                    renew_at = time.monotonic() + self._lease.ttl.total_seconds() / 3
                if holding:
                    sent = await self.relay_once()
            except Exception as exc:
                if isinstance(exc, Unroutable):
                    declared = self._declare is None  # a queue may have been deleted
                outage.failed(exc)
                await asyncio.sleep(outage.pause(self._poll_seconds, MAX_BACKOFF_SECONDS))
                continue
            outage.recovered(f"{sent} events sent now")
            if sent < self._batch_size:
                self._outbox.wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._outbox.wakeup.wait(), self._poll_seconds)

    async def stop(self) -> None:
        await self._lease.release()


# Failures that say "something is down" rather than "a bug": logged without a traceback.
_OUTAGES = (
    ConnectionError,
    OSError,
    TimeoutError,
    AMQPError,
    ChannelInvalidStateError,
    PyMongoError,
    Unroutable,
)
