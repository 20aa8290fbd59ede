"""Send one batch of deliveries: lease it, skip what already ended, send the rest, record each."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from services.notifier.adapters.calendar_client import CalendarUnavailable
from services.notifier.adapters.deliveries import DeliveryRepository
from services.notifier.adapters.smtp import PermanentFailure, TemporaryFailure
from services.notifier.domain.deliveries import Batch, Delivery, DeliveryOutcome, Ended
from services.notifier.domain.subscriptions import Subscription, Suppression
from services.notifier.service.composing import BOUNCED, Composer, Skip
from services.notifier.service.context import NotifierContext
from shared.events import CloudEvent

log = logging.getLogger(__name__)

# A worker's claim on a batch is a lease it renews every third of this while it sends; a
# killed or cut-off worker's batch is free again this long after its last renewal.
CLAIM_LEASE: Final = timedelta(seconds=10)
MAX_ATTEMPTS: Final = 10
# How long a write of outcomes waits for the other sends under way to end (seconds).
RECORD_LINGER: Final = 0.005
# Writes of outcomes a batch may have under way at once.
RECORD_WRITERS: Final = 2


def retry_delay(attempts: int) -> timedelta:
    """Back-off before the sweeper tries a batch again: 1 min doubling, at most 1 hour."""
    delay: timedelta = timedelta(minutes=1) * 2 ** max(attempts - 1, 0)
    return min(delay, timedelta(hours=1))


@dataclass(eq=False)
class _Carrier:
    """The write that takes the outcomes pending now; if it fails, the write after it."""

    ended: asyncio.Event = field(default_factory=asyncio.Event)
    handed_to: _Carrier | None = None


@dataclass
class Recorder:
    """Record each outcome as soon as its send ends, sharing a write with the sends under way.

    When `add` returns, its outcome is in the database, so a crash can re-send only the
    deliveries in flight (at most SMTP_CONCURRENCY). A writer waits up to RECORD_LINGER
    for the sends under way to end: without waiting a write carried two outcomes on
    average, and each write costs the embedded database a commit. RECORD_WRITERS writes
    may be under way at once: with one, an outcome waited for the write before its own,
    and a send held its slot 8 ms on average to record (of 22 ms in all).
    """

    deliveries: DeliveryRepository
    pending: list[Ended] = field(default_factory=list)
    _under_way: int = 0
    _writing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(RECORD_WRITERS))
    _gathered: asyncio.Event = field(default_factory=asyncio.Event)
    _next: _Carrier = field(default_factory=_Carrier)

    @contextlib.contextmanager
    def under_way(self) -> Iterator[None]:
        """Count a send, from taking its slot until its outcome is known."""
        self._under_way += 1
        try:
            yield
        finally:
            self._under_way -= 1
            self._check_gathered()

    def _check_gathered(self) -> None:
        if self.pending and self._under_way == 0:
            self._gathered.set()

    async def add(self, ended: Ended) -> None:
        """Return once `ended` is stored, by this call's write or by another's."""
        self.pending.append(ended)
        self._check_gathered()
        carrier = self._next
        while True:
            await self.flush()
            await carrier.ended.wait()
            if carrier.handed_to is None:
                return
            carrier = carrier.handed_to  # that write failed and put it back

    async def flush(self) -> None:
        """Write what is pending, if anything; a failed write puts it back and raises."""
        async with self._writing:
            if not self.pending:
                return  # a write under way, or gone, carries them
            if not self._gathered.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._gathered.wait(), RECORD_LINGER)
            self._gathered.clear()
            if not self.pending:
                return  # the other writer took them while this one waited
            # Swap before awaiting: concurrent senders keep appending to a fresh list.
            chunk, self.pending = self.pending, []
            carrier, self._next = self._next, _Carrier()
            try:
                await self.deliveries.record(chunk)
            except BaseException:
                # Cancelled or failed mid-write: keep them for the next write or the
                # hand-back's flush (a repeated insert of the same outcome is ignored).
                self.pending[:0] = chunk
                carrier.handed_to = self._next
                raise
            finally:
                carrier.ended.set()


@dataclass
class Retry:
    """A delivery that failed for now (4xx, connection, calendar down)."""

    delivery_id: str
    error: Exception


@dataclass
class Claim:
    """This worker's lease on one batch, renewed in the background while it sends."""

    context: NotifierContext
    batch_id: str
    holder: str = field(default_factory=lambda: uuid.uuid4().hex)
    lost: asyncio.Event = field(default_factory=asyncio.Event)

    async def take(self) -> Batch | None:
        """Claim the batch; if a worker holds it, watch its lease for at most one lifetime.

        The job of a killed or cut-off worker comes back from the broker at once, while
        its lease still runs: waiting the lease out (seconds) takes the batch over then,
        instead of leaving it to the sweeper. The wait ends early, returning None, when the
        holder shows it is alive (it renews) or finishes the batch.
        """
        now = self.context.clock()
        batch = await self.context.batches.claim(self.batch_id, self.holder, now, now + CLAIM_LEASE)
        if batch is not None:
            return batch
        held_until = await self.context.batches.held_until(self.batch_id)
        if held_until is None:
            return None  # done or unknown
        poll = CLAIM_LEASE / 10
        for _ in range(12):
            await asyncio.sleep(poll.total_seconds())
            current = await self.context.batches.held_until(self.batch_id)
            if current is None or current > held_until:
                return None  # finished, or renewed: its holder is alive and sends it
            now = self.context.clock()
            if current <= now:
                return await self.context.batches.claim(
                    self.batch_id, self.holder, now, now + CLAIM_LEASE
                )
        return None  # held longer than a lease allows: the sweeper asks again later

    async def renew_while_held(self) -> None:
        """Renew until cancelled; on finding the batch taken over, set `lost` and stop."""
        while True:
            await asyncio.sleep(CLAIM_LEASE.total_seconds() / 3)
            try:
                held = await self.context.batches.renew(
                    self.batch_id, self.holder, self.context.clock() + CLAIM_LEASE
                )
            except Exception as exc:
                log.warning("could not renew the claim on batch %s: %r", self.batch_id, exc)
                continue
            if not held:
                log.warning("batch %s was taken over; sending none of the rest", self.batch_id)
                self.lost.set()
                return


async def send_batch(context: NotifierContext, event: CloudEvent) -> bool:
    """The JobSubscription job: return False when the batch was not this worker's to send."""
    claim = Claim(context, str(event.data.get("batch_id") or event.subject or ""))
    batch = await claim.take()
    if batch is None:
        return False  # done, unknown, or a live worker holds it
    renewing = asyncio.create_task(claim.renew_while_held())
    recorder = Recorder(context.deliveries)
    try:
        return await _send(context, claim, batch, recorder)
    except asyncio.CancelledError:
        # The consumer was cancelled (aiormq does it when the broker connection drops, and
        # so does a shutdown): record what went out and hand the batch back at once, so the
        # redelivered job is taken over without waiting for the lease.
        await asyncio.shield(_hand_back(context, claim, batch, recorder))
        raise
    finally:
        renewing.cancel()


async def _hand_back(
    context: NotifierContext, claim: Claim, batch: Batch, recorder: Recorder
) -> None:
    try:
        await recorder.flush()
        now = context.clock()
        await context.batches.release(
            claim.batch_id, claim.holder, now, "handed back: the worker was stopped", now
        )
    except Exception as exc:
        log.warning("batch %s: could not hand back (%r); its lease lapses", claim.batch_id, exc)
        return
    done = len(await context.deliveries.ended(batch.delivery_ids))
    log.warning(
        "batch %s handed back: the consumer was cancelled (broker connection lost or "
        "shutdown); %d of %d deliveries had ended and are recorded",
        claim.batch_id,
        done,
        len(batch.delivery_ids),
    )


async def _send(context: NotifierContext, claim: Claim, batch: Batch, recorder: Recorder) -> bool:
    now = context.clock()
    # Only a holder of its batch records a delivery's outcome, and a batch is made of
    # deliveries without one: on a first claim there is nothing to skip (a read of the
    # batch's ids saved).
    ended = await context.deliveries.ended(batch.delivery_ids) if batch.attempts > 1 else set()
    deliveries = [d for d in batch.deliveries if d.id not in ended]
    sending = _Sending(
        context, claim, recorder, await Composer.for_batch(context, now, deliveries), now
    )
    results = await asyncio.gather(
        *(sending.send_one(delivery) for delivery in deliveries), return_exceptions=True
    )
    # Whatever happened, what was sent is recorded before anything else.
    await recorder.flush()
    unexpected = [r for r in results if isinstance(r, BaseException)]
    retries = [r for r in results if isinstance(r, Retry)]
    if claim.lost.is_set():
        return False  # its new holder finishes it
    if unexpected or (retries and batch.attempts < MAX_ATTEMPTS):
        error = unexpected[0] if unexpected else retries[0].error
        retry_at = now + retry_delay(batch.attempts)
        await context.batches.release(
            claim.batch_id, claim.holder, context.clock(), repr(error), retry_at
        )
        raise error  # the queue retries soon, the sweeper later; ended ones are skipped
    await recorder.deliveries.record(
        [
            Ended(r.delivery_id, DeliveryOutcome.FAILED, context.clock(), error=str(r.error))
            for r in retries
        ]
    )
    await context.batches.close(claim.batch_id, claim.holder, context.clock())
    return True


@dataclass
class _Sending:
    """The sends of one batch's deliveries by this worker, at `now`."""

    context: NotifierContext
    claim: Claim
    recorder: Recorder
    composer: Composer
    now: datetime

    async def send_one(self, delivery: Delivery) -> Retry | None:
        async with contextlib.AsyncExitStack() as in_flight:
            result = await self._attempt(delivery, in_flight)
            if not isinstance(result, Ended):
                return result
            await self.recorder.add(result)
        subscription = self.composer.subscription(delivery)
        if result.outcome is DeliveryOutcome.FAILED and subscription is not None:
            await _count_hard_failure(self.context, subscription, self.now)
        return None

    async def _attempt(
        self, delivery: Delivery, in_flight: contextlib.AsyncExitStack
    ) -> Ended | Retry | None:
        """Compose and send one delivery; return how it ended, or None if it is not ours.

        A sending slot is taken just before DATA, into `in_flight`, whose caller holds it
        until the outcome is recorded: an email sent but not recorded is what a crash
        would send again, and the slots bound those to SMTP_CONCURRENCY (97 in the chaos
        suite when sends went on while outcome writes queued up). The envelope before
        DATA commits nothing, so a connection does the next email's envelope while the
        slot of the one before waits for its write.
        """
        context, claim, now = self.context, self.claim, self.now
        if claim.lost.is_set():
            return None  # not ours any more: the new holder sends it
        try:
            async with context.smtp.connection() as smtp:
                message, recipient = await self.composer.compose(delivery)
                raw = context.smtp.wire(message)
                await smtp.open(context.sender.address, recipient, len(raw))
                await in_flight.enter_async_context(context.sending)
                if claim.lost.is_set():
                    return None  # the unfinished transaction goes with its connection
                with self.recorder.under_way():
                    await smtp.deliver(raw)
        except Skip as exc:
            return Ended(delivery.id, DeliveryOutcome.SKIPPED, now, error=str(exc))
        except PermanentFailure as exc:
            return Ended(delivery.id, DeliveryOutcome.FAILED, now, error=str(exc))
        except (TemporaryFailure, CalendarUnavailable) as exc:
            return Retry(delivery.id, exc)
        message_id = str(message["Message-ID"])
        return Ended(delivery.id, DeliveryOutcome.SENT, context.clock(), message_id=message_id)


async def _count_hard_failure(
    context: NotifierContext, subscription: Subscription, now: datetime
) -> None:
    if await context.subscriptions.record_hard_failure(subscription.email_hash, now):
        log.info("suppressing subscription %s after repeated hard failures", subscription.id)
        await context.subscriptions.suppress(Suppression(subscription.email_hash, BOUNCED, now))
