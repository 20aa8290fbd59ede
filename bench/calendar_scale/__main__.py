"""A 10,000-entry calendar: python -m bench.calendar_scale [--entries 10000] [--changes 20].

Loads the entries in bulk into its own SecantusDB, starts two calendar replicas
(`python -m services.calendar`, role api, as bench.feeds does) on the local RabbitMQ
(AMQP_URL to override) and measures:

(a) cold render: the first GET /feeds/all.ics after a replica is ready, which reads
    every entry and renders the whole feed; then a warm GET for comparison;
(b) change to visible: PATCH /api/v1/events/{id} (a new title) on one replica, then
    GET /feeds/all.ics with the old ETag until the feed answers 200 with the new title,
    `--changes` times on the same replica and as many from the other one, each change
    to another entry;
(c) each replica's resident memory: peak (VmHWM) and now (VmRSS).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.feeds.data import entries, load
from bench.feeds.servers import start_calendar
from bench.feeds.visibility import FEED, change_to_visible
from bench.processes import load_average, peak_rss_mib, stop
from bench.service import wait_ready
from shared.auth import SigningKey
from shared.dev.embedded_mongo import free_port, start_embedded_mongo

DATABASE = "bench_calendar_scale"
SECRET = "bench-secret-not-for-production"  # noqa: S105 - signs the bench's own token
SIGNER = SigningKey.generate()  # mints the bench's tokens; the servers hold it too


def resident_mib(pid: int) -> float:
    """Return a process's resident set now (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def timed_get(url: str, gzip: bool) -> tuple[float, bytes]:
    """GET `url` once on a new connection; return the seconds to the last byte and the body."""
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        started = time.perf_counter()
        async with session.get(url, headers=headers) as response:
            body = await response.read()
            response.raise_for_status()
        return time.perf_counter() - started, body


def pair(plain: float, gzipped: float) -> str:
    return f"{plain * 1000:.1f} / {gzipped * 1000:.1f} ms"


def p50_max(delays: list[float]) -> str:
    return f"{statistics.median(delays) * 1000:.0f} / {max(delays) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    amqp_url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    print(f"before: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-calendar-scale-") as tmp:
        work = Path(tmp)
        mongo = start_embedded_mongo(work / "data", log_path=work / "mongo.log")
        replicas = []
        try:
            started = time.perf_counter()
            load(mongo.url, DATABASE, entries(args.entries))
            print(
                f"{args.entries:,} entries loaded in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            ports = {name: free_port() for name in ("a", "b")}
            bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
            spawned = time.perf_counter()
            for name, port in ports.items():
                replicas.append(
                    start_calendar(
                        mongo.url,
                        DATABASE,
                        amqp_url,
                        SECRET,
                        SIGNER.private_pem(),
                        port,
                        work / f"calendar-{name}.log",
                    )
                )
            for base in bases.values():
                asyncio.run(wait_ready(base))
            ready = time.perf_counter() - spawned
            print(f"both replicas ready {ready:.1f} s after start", flush=True)
            cold, plain = asyncio.run(timed_get(bases["a"] + FEED, gzip=False))
            cold_gzip, _ = asyncio.run(timed_get(bases["b"] + FEED, gzip=True))
            warm, _ = asyncio.run(timed_get(bases["a"] + FEED, gzip=False))
            warm_gzip, gzipped = asyncio.run(timed_get(bases["a"] + FEED, gzip=True))
            print(
                f"cold render: {cold * 1000:.0f} ms (plain, replica A), "
                f"{cold_gzip * 1000:.0f} ms (gzip, replica B)",
                flush=True,
            )
            chosen = [
                f"bench-{i:04d}" for i in random.sample(range(args.entries), 2 * args.changes)
            ]
            same = asyncio.run(
                change_to_visible(
                    bases["a"], bases["a"], SIGNER, chosen[: args.changes], "same replica"
                )
            )
            other = asyncio.run(
                change_to_visible(
                    bases["b"], bases["a"], SIGNER, chosen[args.changes :], "other replica"
                )
            )
            memory = {
                name: (peak_rss_mib(process.pid), resident_mib(process.pid))
                for name, process in zip(("A", "B"), replicas, strict=True)
            }
        finally:
            for process in replicas:
                stop(process)
            mongo.stop()
    print(
        f"\n{args.entries:,} entries; /feeds/all.ics {len(plain):,} bytes plain, "
        f"{len(gzipped):,} gzipped, {plain.count(b'BEGIN:VEVENT'):,} VEVENTs"
    )
    print("| measure | result |")
    print("| --- | ---: |")
    print(f"| replicas ready after start | {ready:.1f} s |")
    print(
        f"| cold render, first GET (plain / gzip) | {cold * 1000:.0f} / {cold_gzip * 1000:.0f} ms |"
    )
    print(f"| warm GET (plain / gzip) | {pair(warm, warm_gzip)} |")
    print(f"| change to visible, same replica (p50 / max) | {p50_max(same)} |")
    print(f"| change to visible, other replica (p50 / max) | {p50_max(other)} |")
    for name, (peak, now) in memory.items():
        print(f"| replica {name} RSS (peak / now) | {peak:.0f} / {now:.0f} MiB |")
    print(f"after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
