"""Measure notifier fan-out throughput against a plain aiosmtplib loop, and alert latency.

python -m bench.fanout [--subscribers 10000] [--changes 200] [--concurrency 8]

Starts its own SecantusDB, a RabbitMQ vhost of its own on the local broker (or
AMQP_URL), the mail sink in this process and the notifier as a subprocess (roles
api + worker), as in production. Figures go to docs/benchmarks.md by hand.

(a) one event to N confirmed subscribers until the sink holds N messages;
(b) the same N messages, rendered beforehand, sent by a plain aiosmtplib loop with
    the same concurrency to the same sink (the practical limit);
(c) latency from publishing a CloudEvent (as the registry's relay does) to the
    message in the sink, one subscriber, idle system, p50/p99 over `--changes`;
(d) latency from a registry status change (POST .../transitions on a registry
    subprocess, its outbox relay, RabbitMQ, the notifier) to the message in the sink,
    one subscriber following `all`, p50/p99 over `--changes` transitions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import aiosmtplib

from bench.service import wait_ready
from services.notifier.adapters import names
from services.notifier.adapters.documents import to_document
from services.notifier.domain.mail import Links, Sender, render_alert
from services.notifier.domain.subscriptions import (
    Subscription,
    SubscriptionStatus,
    new_subscription,
    subscription_request,
)
from shared.auth import ROLE_SECRETARIAT, SigningKey, issue_token
from shared.constants import EVENTS_EXCHANGE
from shared.contracts.topics import ALL
from shared.db import connect_mongo
from shared.dev.embedded_mongo import free_port, start_embedded_mongo
from shared.events import CloudEvent
from shared.mailsink import MailSink, start_mailsink

SECRET = "bench-secret-that-is-long-enough-for-links"  # noqa: S105 - a throwaway bench key
SIGNER = SigningKey.generate()  # mints the bench's tokens; the servers hold it too
DATABASE = "bench_fanout"
TOPIC = "modification:MP192"
EVENT_TYPE = "registry.modification.status_changed"


def status_change(n: int) -> dict[str, Any]:
    modification = {
        "ref": "MP192",
        "title": "Extend Scheduled Services for SMETS1 Devices",
        "summary": "Allow SRVs 4.3 and 4.4.3 to be scheduled for SMETS1 Devices.",
        "status": "report-phase",
        "status_label": "Report Phase",
        "path": "path-3",
        "path_label": "Path 3: Self-Governance",
        "working_group": "WG1",
        "high_impact": False,
        "proposer": "British Gas",
        "target_release": None,
        "is_draft": False,
        "url": "https://registry.sec.example.org/modifications/MP192",
        "classification": "white",
    }
    return {
        "modification": modification,
        "previous_ref": "MP192",
        "from_status": "refinement",
        "to_status": "report-phase",
        "from_label": "Refinement Process",
        "to_label": f"Report Phase ({n})",
        "reason": "",
        "actor": "bench",
        "changed_at": datetime.now(UTC).isoformat(),
    }


def subscribers(count: int, topic: str = TOPIC) -> list[Subscription]:
    now = datetime.now(UTC)
    made = []
    for i in range(count):
        pending = new_subscription(
            subscription_request(f"member{i}@bench.example.org", [topic]),
            now=now,
            feed_secret=SECRET.encode(),
        )
        made.append(
            replace(
                pending,
                status=SubscriptionStatus.CONFIRMED,
                confirmed_at=now,
                expires_at=None,
                confirm_nonce=None,
            )
        )
    return made


def vhost_command(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def start_service(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", module], env=env, stdout=out, stderr=out)


def stop_service(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


async def wait_count(sink: MailSink, count: int, seconds: float) -> float:
    """Wait until the sink holds `count` messages; return when (perf_counter) it did."""
    deadline = time.perf_counter() + seconds
    while len(sink.store) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"sink holds {len(sink.store)} of {count} messages")
        await asyncio.sleep(0.001)
    return time.perf_counter()


async def plain_loop(messages: list[EmailMessage], port: int, concurrency: int) -> float:
    """Send pre-rendered messages over `concurrency` connections; return the seconds taken."""
    queue: asyncio.Queue[EmailMessage] = asyncio.Queue()
    for message in messages:
        queue.put_nowait(message)

    async def worker() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await client.connect()
        while not queue.empty():
            message = queue.get_nowait()
            await client.send_message(message)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def render_all(people: list[Subscription], event: CloudEvent) -> list[EmailMessage]:
    sender = Sender("notifications@sec.example.org", "SEC alerts")
    links = Links(
        "https://alerts.example.org/manage?token=x",
        "https://alerts.example.org/unsubscribe?token=x",
        "mailto:unsubscribe@sec.example.org",
    )
    return [
        render_alert(
            event.type,
            event.data,
            person,
            links,
            None,
            event_id=event.id,
            sender=sender,
            sent_at=datetime.now(UTC),
            message_id_domain="sec.example.org",
        )
        for person in people
    ]


# A path-3 modification's moves, each one a `registry.modification.status_changed`.
PATH3_MOVES = (
    "refinement",
    "report-phase",
    "modification-report-consultation",
    "change-board-vote",
)


async def registry_latency(base: str, sink: MailSink, changes: int) -> list[float]:
    """Move fresh modifications through path 3; time each transition POST until its email.

    The one subscriber follows `all`, so each creation is alerted too (waited for, not
    timed).
    """
    staff = {"Authorization": "Bearer " + issue_token(SIGNER, "bench", {ROLE_SECRETARIAT})}
    api = f"{base}/api/v1/modifications"
    latencies: list[float] = []
    async with aiohttp.ClientSession(headers=staff) as http:
        number = 500
        while len(latencies) < changes:
            ref = f"MP{number}"
            number += 1
            body = {"ref": ref, "title": f"Bench modification {ref}", "path": "path-3"}
            async with http.post(api, json=body) as response:
                assert response.status == 201, await response.text()
            await wait_count(sink, len(sink.store) + 1, seconds=30)
            for to in PATH3_MOVES[: changes - len(latencies)]:
                await asyncio.sleep(0.02)  # idle between changes
                expected = len(sink.store) + 1
                started = time.perf_counter()
                async with http.post(
                    f"{api}/{ref}/transitions", json={"to": to, "reason": "bench"}
                ) as response:
                    assert response.status == 201, await response.text()
                latencies.append(await wait_count(sink, expected, seconds=30) - started)
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def run(args: argparse.Namespace, workdir: Path) -> None:
    mongo_server = start_embedded_mongo(workdir / "mongo", log_path=workdir / "mongo.log")
    vhost = None
    amqp_url = os.environ.get("AMQP_URL")
    if amqp_url is None:
        vhost = f"bench-fanout-{uuid.uuid4().hex[:8]}"
        vhost_command("add_vhost", vhost)
        vhost_command("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    sink = await start_mailsink(
        smtp_host="127.0.0.1",
        smtp_port=0,
        http_host="127.0.0.1",
        http_port=0,
        directory=workdir / "mail",
    )
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URL": mongo_server.url,
        "MONGODB_DB": DATABASE,
        "AMQP_URL": amqp_url,
        "SECRET_KEY": SECRET,
        "TOKEN_SIGNING_KEY": SIGNER.private_pem(),
        "PORT": str(port),
        "ROLES": '["api", "worker"]',
        "SMTP_URL": f"smtp://127.0.0.1:{sink.smtp_port}",
        "SMTP_CONCURRENCY": str(args.concurrency),
        "LOG_LEVEL": "WARNING",
    }
    notifier = start_service("services.notifier", env, workdir / "notifier.log")
    # Delivery workers are competing consumers of the batch queue: more processes send more.
    workers = [
        start_service(
            "services.notifier",
            {**env, "ROLES": '["worker"]', "PORT": str(free_port())},
            workdir / f"worker-{number}.log",
        )
        for number in range(1, args.workers)
    ]
    registry_port = free_port()
    registry = start_service(
        "services.registry",
        {**env, "MONGODB_DB": "bench_registry", "PORT": str(registry_port)},
        workdir / "registry.log",
    )
    mongo = connect_mongo(mongo_server.url, DATABASE, "bench")
    amqp = await aio_pika.connect_robust(amqp_url)
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        await wait_ready(f"http://127.0.0.1:{registry_port}")
        channel = await amqp.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )

        async def publish(event: CloudEvent) -> None:
            await exchange.publish(
                aio_pika.Message(
                    event.model_dump_json().encode(),
                    message_id=event.id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=event.type,
            )

        people = subscribers(args.subscribers)
        collection = mongo.collection(names.SUBSCRIPTIONS)
        await collection.insert_many([to_document(p) for p in people])
        print(f"{len(people)} confirmed subscribers loaded", flush=True)

        event = CloudEvent(
            source="/registry", type=EVENT_TYPE, subject="MP192", data=status_change(0)
        )
        started = time.perf_counter()
        await publish(event)
        finished = await wait_count(sink, len(people), seconds=max(600, len(people) * 0.25))
        notifier_seconds = finished - started
        n = len(people)
        # Each figure is printed as soon as it is measured: a later phase may fail.
        print(
            f"\nfan-out to {n} subscribers, concurrency {args.concurrency}, "
            f"{args.workers} worker process(es)"
        )
        print("| path | seconds | messages/s |")
        print("| --- | ---: | ---: |")
        print(
            f"| notifier (event → sink) | {notifier_seconds:.1f} | {n / notifier_seconds:.0f} |",
            flush=True,
        )
        await sink.store.delete()

        # In a thread: rendering 10,000 messages takes a minute, and a blocked loop misses
        # the AMQP heartbeats (the broker then resets the connection the later phases use).
        messages = await asyncio.to_thread(render_all, people, event)
        plain_seconds = await plain_loop(messages, sink.smtp_port, args.concurrency)
        assert len(sink.store) == len(people)
        print(f"| plain aiosmtplib loop | {plain_seconds:.1f} | {n / plain_seconds:.0f} |")
        print(f"ratio: {plain_seconds / notifier_seconds:.0%} of the plain loop", flush=True)
        await sink.store.delete()

        await collection.delete_many({})
        await collection.insert_one(to_document(people[0]))
        latencies = []
        for n in range(1, args.changes + 1):
            await asyncio.sleep(0.02)  # idle between changes
            sent_at = time.perf_counter()
            await publish(
                CloudEvent(
                    source="/registry", type=EVENT_TYPE, subject="MP192", data=status_change(n)
                )
            )
            latencies.append(await wait_count(sink, n, seconds=30) - sent_at)
        print(f"\nlatency CloudEvent publish → sink, {args.changes} changes, one subscriber:")
        print(
            f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms",
            flush=True,
        )

        await collection.delete_many({})
        await sink.store.delete()
        [follower] = subscribers(1, ALL)
        await collection.insert_one(to_document(follower))
        transitions = await registry_latency(
            f"http://127.0.0.1:{registry_port}", sink, args.changes
        )

        print(f"\nlatency registry transition POST → sink, {len(transitions)} transitions:")
        print(
            f"p50 {percentile(transitions, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(transitions, 0.99) * 1000:.0f} ms, "
            f"max {max(transitions) * 1000:.0f} ms"
        )
    finally:
        for worker in workers:
            stop_service(worker)
        stop_service(notifier)
        stop_service(registry)
        await amqp.close()
        await mongo.close()
        await sink.close()
        mongo_server.stop()
        if vhost is not None:
            vhost_command("delete_vhost", vhost)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, default=2, help="notifier processes consuming the delivery queue"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as workdir:
        asyncio.run(run(args, Path(workdir)))


if __name__ == "__main__":
    main()
