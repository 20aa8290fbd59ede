"""The practical limit: pre-rendered messages sent by a plain aiosmtplib loop."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import aiosmtplib

from bench.fanout.sink import PROGRESS_SECONDS
from services.notifier.domain.mail import Links, Sender, render_alert, wire_bytes
from services.notifier.domain.subscriptions import Subscription
from shared.events import CloudEvent

SENDER = Sender("notifications@sec.example.org", "SEC alerts")
# Distinct messages rendered before the clock starts; more would only lengthen the set-up
# (about 4 ms each), since every message costs the loop and the sink the same.
SAMPLE = 1_000


def render_sample(people: list[Subscription], event: CloudEvent) -> list[bytes]:
    """Return the wire bytes of the alerts of the first SAMPLE subscribers."""
    links = Links(
        "https://alerts.example.org/manage?token=x",
        "https://alerts.example.org/unsubscribe?token=x",
        "mailto:unsubscribe@sec.example.org",
    )
    return [
        wire_bytes(
            render_alert(
                event.type,
                event.data,
                person,
                links,
                None,
                event_id=event.id,
                sender=SENDER,
                sent_at=datetime.now(UTC),
                message_id_domain="sec.example.org",
            )
        )
        for person in people[:SAMPLE]
    ]


async def plain_loop(
    messages: list[bytes], recipients: list[str], port: int, concurrency: int
) -> float:
    """Send one message to each recipient over `concurrency` connections; return the seconds.

    Recipient i gets sample message i mod len(messages), so each transaction has its own
    envelope as the notifier's do.
    """
    pending = list(reversed(range(len(recipients))))
    sent = 0

    async def worker() -> None:
        nonlocal sent
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await client.connect()
        while pending:
            i = pending.pop()
            await client.sendmail(SENDER.address, [recipients[i]], messages[i % len(messages)])
            sent += 1
        await client.quit()

    async def progress() -> None:
        while True:
            await asyncio.sleep(PROGRESS_SECONDS)
            rate = sent / (time.perf_counter() - started)
            print(f"  plain loop: {sent:,} of {len(recipients):,} sent ({rate:,.0f}/s)", flush=True)

    started = time.perf_counter()
    reporter = asyncio.create_task(progress())
    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        reporter.cancel()
    return time.perf_counter() - started
