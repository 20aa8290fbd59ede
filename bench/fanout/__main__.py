"""Fan-out to N subscribers: the notifier's throughput against a plain aiosmtplib loop.

python -m bench.fanout [--subscribers 100000] [--workers 2] [--concurrency 8] [--changes 100]
                       [--logs DIR]

Runs the notifier as docker-compose.yml and the k8s manifests do: one
process with roles api + scheduler and `--workers` processes with role worker, competing
for the delivery batches; its own SecantusDB, its own RabbitMQ vhost on the local broker
(or AMQP_URL), a registry subprocess for the latency phase, and the mail sink
(`python -m shared.mailsink`) in a process of its own, so that the sink does not share a
core with whichever sender it measures. Subscribers are inserted in bulk as the notifier
stores them. In one run, side by side:

(a) the plain loop: `--subscribers` messages, rendered beforehand, sent over
    `--concurrency` aiosmtplib connections to the sink (the practical limit), before and
    after (b), since other work on the machine moves the figures;
(b) the notifier: the event published, its fan-out (a page of followers a transaction)
    and one alert to every subscriber, until the sink holds them all; then each
    worker's peak RSS (VmHWM);
(c) latency from publishing a CloudEvent to its email, one subscriber, idle system;
(d) latency from a registry transition POST to its email, one subscriber following `all`.

Each phase says how far it got every few seconds, and the CPU each process spent in it,
which shows what limited it. Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aio_pika

from bench.fanout.latency import event_latency, registry_latency, summary
from bench.fanout.people import EVENT_TYPE, SECRET, TOPIC, seed, status_change, subscribers
from bench.fanout.plain import plain_loop, render_sample
from bench.fanout.sink import SinkProcess
from bench.processes import cpu_seconds, load_average, peak_rss_mib, start_module, stop
from bench.service import wait_ready
from services.notifier.adapters import names
from services.notifier.adapters.documents import to_document
from shared.auth import SigningKey
from shared.constants import EVENTS_EXCHANGE
from shared.contracts.topics import ALL
from shared.db import connect_mongo
from shared.dev.embedded_mongo import free_port, start_embedded_mongo
from shared.events import CloudEvent

SIGNER = SigningKey.generate()  # mints the bench's tokens; the servers hold it too
DATABASE = "bench_fanout"
SHARED_MEMORY = "/dev/shm"


def vhost_command(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@dataclass
class Phase:
    """One measured phase: its seconds and the CPU seconds each process spent in it."""

    name: str
    seconds: float
    cpu: dict[str, float]


class Processes:
    """The processes whose CPU the phases account for, by name."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids

    def cpu(self) -> dict[str, float]:
        return {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    async def measure(self, name: str, run: Callable[[], Awaitable[float]]) -> Phase:
        """Run a phase that returns its own seconds; note the CPU each process spent."""
        before = self.cpu()
        seconds = await run()
        after = self.cpu()
        return Phase(name, seconds, {k: after[k] - before[k] for k in after})


def report(phases: list[Phase], count: int, rss: dict[str, float], concurrency: int) -> None:
    names_ = list(phases[0].cpu)
    print(f"\nfan-out to {count:,} subscribers, SMTP concurrency {concurrency}; CPU s per process")
    print("| phase | seconds | messages/s | " + " | ".join(names_) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in names_) + " |")
    for phase in phases:
        cpu = " | ".join(f"{phase.cpu[n]:.0f}" for n in names_)
        print(f"| {phase.name} | {phase.seconds:.1f} | {count / phase.seconds:.0f} | {cpu} |")
    # Steadier than the rates, which follow whatever else the machine does: what a
    # message costs each process, and all of them (the cores the phase kept busy beside).
    print("\nCPU ms per message (all processes; cores busy on average)")
    for phase in phases:
        each = ", ".join(f"{n} {1000 * phase.cpu[n] / count:.2f}" for n in names_)
        total = sum(phase.cpu.values())
        print(
            f"  {phase.name}: {each}; all {1000 * total / count:.2f}"
            f" ({total / phase.seconds:.2f} cores)"
        )
    notifier = next(p for p in phases if p.name.startswith("notifier"))
    plain = [p.seconds for p in phases if p.name.startswith("plain")]
    mean = sum(plain) / len(plain)
    print(
        f"\nnotifier / plain loop: {mean / notifier.seconds:.0%} (goal 70%; plain loop "
        f"{', '.join(f'{count / s:.0f}' for s in plain)} msg/s, notifier "
        f"{count / notifier.seconds:.0f} msg/s)"
    )
    print(
        "peak RSS (VmHWM) MiB: "
        + ", ".join(f"{name} {mib:.0f}" for name, mib in rss.items())
        + " (goal: each worker under 300)",
        flush=True,
    )


async def run(args: argparse.Namespace, workdir: Path, logs: Path, mail: Path) -> None:
    print(f"before: {load_average()}", flush=True)
    mongo_server = start_embedded_mongo(workdir / "mongo", log_path=logs / "mongo.log")
    vhost = None
    amqp_url = os.environ.get("AMQP_URL")
    if amqp_url is None:
        vhost = f"bench-fanout-{uuid.uuid4().hex[:8]}"
        vhost_command("add_vhost", vhost)
        vhost_command("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    sink = SinkProcess(logs, mail)
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URL": mongo_server.url,
        "MONGODB_DB": DATABASE,
        "AMQP_URL": amqp_url,
        "SECRET_KEY": SECRET,
        "TOKEN_SIGNING_KEY": SIGNER.private_pem(),
        "PORT": str(port),
        "ROLES": '["api", "scheduler"]',
        "SMTP_URL": f"smtp://127.0.0.1:{sink.smtp_port}",
        "SMTP_CONCURRENCY": str(args.concurrency),
        "LOG_LEVEL": "WARNING",
    }
    api = start_module("services.notifier", env, logs / "notifier-api.log")
    # Delivery workers are competing consumers of the batch queue, as compose and k8s run them.
    worker_ports = [free_port() for _ in range(args.workers)]
    workers = [
        start_module(
            "services.notifier",
            {**env, "ROLES": '["worker"]', "PORT": str(worker_port)},
            logs / f"notifier-worker-{number}.log",
        )
        for number, worker_port in enumerate(worker_ports, 1)
    ]
    registry_port = free_port()
    registry = start_module(
        "services.registry",
        {**env, "MONGODB_DB": "bench_registry", "PORT": str(registry_port), "ROLES": '["api"]'},
        logs / "registry.log",
    )
    mongo = connect_mongo(mongo_server.url, DATABASE, "bench")
    amqp = await aio_pika.connect_robust(amqp_url)
    try:
        await sink.ready()
        for ready in (port, *worker_ports):
            await wait_ready(f"http://127.0.0.1:{ready}")
        await wait_ready(f"http://127.0.0.1:{registry_port}")
        processes = Processes(
            {
                "sink": sink.pid,
                **{f"worker {i}": w.pid for i, w in enumerate(workers, 1)},
                "api": api.pid,
                "database": mongo_server.process.pid,
                "bench": os.getpid(),
            }
        )
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

        count = args.subscribers
        collection = mongo.collection(names.SUBSCRIPTIONS)
        await seed(collection, count)
        event = CloudEvent(
            source="/registry", type=EVENT_TYPE, subject="MP192", data=status_change(0)
        )
        # In a thread: the loop keeps answering the broker's heartbeats meanwhile.
        messages = await asyncio.to_thread(render_sample, subscribers(100), event)
        recipients = [f"member{i}@bench.example.org" for i in range(count)]

        async def plain() -> float:
            seconds = await plain_loop(messages, recipients, sink.smtp_port, args.concurrency)
            print(f"  plain loop: {count / seconds:.0f} msg/s", flush=True)
            return seconds

        async def notifier() -> float:
            started = time.perf_counter()
            await publish(event)
            limit = max(600.0, count * 0.05)
            finished = await sink.wait_for(count, started, limit, "notifier")
            print(f"  notifier: {count / (finished - started):.0f} msg/s", flush=True)
            return finished - started

        phases = []
        for name, phase in (("plain loop", plain), ("notifier", notifier), ("plain loop", plain)):
            print(f"{name}: {count:,} messages", flush=True)
            phases.append(await processes.measure(name, phase))
            await sink.clear()
        rss = {f"worker {i}": peak_rss_mib(w.pid) for i, w in enumerate(workers, 1)}
        rss["api"] = peak_rss_mib(api.pid)
        report(phases, count, rss, args.concurrency)

        if args.changes:
            # A connection of its own: SecantusDB closes one left idle through the phases.
            await mongo.close()
            mongo = connect_mongo(mongo_server.url, DATABASE, "bench")
            collection = mongo.collection(names.SUBSCRIPTIONS)
            await collection.delete_many({})
            await collection.insert_one(to_document(subscribers(1, TOPIC)[0]))
            latencies = await event_latency(publish, sink, args.changes)
            print(f"\nCloudEvent publish → sink, {args.changes} changes, one subscriber:")
            print(summary(latencies), flush=True)
            await collection.delete_many({})
            await collection.insert_one(to_document(subscribers(1, ALL)[0]))
            transitions = await registry_latency(
                f"http://127.0.0.1:{registry_port}", SIGNER, sink, args.changes
            )
            print(f"registry transition POST → sink, {len(transitions)} transitions:")
            print(summary(transitions))
    finally:
        for process in (*workers, api, registry):
            stop(process)
        await amqp.close()
        await mongo.close()
        await sink.close()
        mongo_server.stop()
        if vhost is not None:
            vhost_command("delete_vhost", vhost)
        print(f"after: {load_average()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, default=2, help="notifier processes with role worker"
    )
    parser.add_argument("--logs", help="keep the processes' logs in this directory")
    args = parser.parse_args()
    # The sink's files on tmpfs, so that writing 100,000 of them never waits on the disk
    # the database syncs every commit to.
    memory = SHARED_MEMORY if Path(SHARED_MEMORY).is_dir() else None
    with (
        tempfile.TemporaryDirectory(prefix="bench-fanout-") as workdir,
        tempfile.TemporaryDirectory(prefix="bench-fanout-mail-", dir=memory) as mail,
    ):
        logs = Path(args.logs or workdir)
        logs.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(args, Path(workdir), logs, Path(mail)))


if __name__ == "__main__":
    main()
