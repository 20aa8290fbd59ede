"""Measure the registry's list, read and transition latency at 1, 16 and 64 clients.

python -m bench.registry [--modifications 5000] [--seconds 4]

Starts its own SecantusDB, uses the local RabbitMQ (AMQP_URL to override) and
runs the registry as a subprocess, as in production; the clients are aiohttp
in this process. Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import aiohttp

from bench.registry.data import GROUPS, load, modifications
from bench.service import wait_ready
from shared.auth import ROLE_SECRETARIAT, SigningKey, issue_token
from shared.dev.embedded_mongo import free_port, start_embedded_mongo

SECRET = "bench-secret"  # noqa: S105 - signs tokens for a throwaway server
SIGNER = SigningKey.generate()  # mints the bench's tokens; the servers hold it too
DATABASE = "bench_registry"
LEVELS = (1, 16, 64)
STATUSES = ("refinement", "report-phase", "approved", "implemented", "withdrawn")

Request = Callable[[aiohttp.ClientSession, int, int], Awaitable[int]]


@dataclass
class Result:
    operation: str
    clients: int
    latencies: list[float]
    errors: int
    seconds: float

    def row(self) -> str:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0

        rate = len(ordered) / self.seconds
        return (
            f"| {self.operation:<10} | {self.clients:>7} | {len(ordered):>8} | {rate:>8.0f} "
            f"| {pct(0.50):>7.1f} | {pct(0.99):>7.1f} | {self.errors:>6} |"
        )


def start_registry(mongo_url: str, amqp_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MONGODB_URL": mongo_url,
        "MONGODB_DB": DATABASE,
        "AMQP_URL": amqp_url,
        "SECRET_KEY": SECRET,
        "TOKEN_SIGNING_KEY": SIGNER.private_pem(),
        "PORT": str(port),
        "SEED": "false",
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "services.registry"], env=env, stdout=out, stderr=out
        )


async def run(operation: str, clients: int, seconds: float, request: Request) -> Result:
    """Run `clients` loops of `request` for `seconds`; each loop waits for its answer."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        stop = time.perf_counter() + seconds

        async def client(index: int) -> None:
            nonlocal errors
            turn = 0
            while time.perf_counter() < stop:
                started = time.perf_counter()
                status = await request(session, index, turn)
                if status >= 400:
                    errors += 1
                else:
                    latencies.append(time.perf_counter() - started)
                turn += 1

        began = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        return Result(operation, clients, latencies, errors, time.perf_counter() - began)


async def benchmark(base: str, count: int, moving: int, seconds: float) -> list[Result]:
    api = f"{base}/api/v1/modifications"
    refs = [str(mod.ref) for mod in modifications(count, moving)]
    staff = {"Authorization": "Bearer " + issue_token(SIGNER, "bench", {ROLE_SECRETARIAT})}
    rng = random.Random(1)
    # Each transition client owns its own slice of the pool, so no two race on one MP.
    position: dict[str, str] = dict.fromkeys(refs[:moving], "refinement")

    async def read(session: aiohttp.ClientSession, index: int, turn: int) -> int:
        async with session.get(f"{api}/{rng.choice(refs)}") as response:
            await response.read()
            return response.status

    async def listing(session: aiohttp.ClientSession, index: int, turn: int) -> int:
        params = rng.choice(
            (
                {"status": rng.choice(STATUSES)},
                {"working_group": rng.choice(GROUPS)},
                {"q": "smart"},
                {},
            )
        )
        async with session.get(api, params={**params, "limit": "50"}) as response:
            await response.read()
            return response.status

    async def move(session: aiohttp.ClientSession, index: int, turn: int, clients: int) -> int:
        owned = refs[index:moving:clients]
        ref = owned[turn % len(owned)]
        to = "report-phase" if position[ref] == "refinement" else "refinement"
        body = {"to": to, "reason": "benchmark"}
        async with session.post(f"{api}/{ref}/transitions", json=body, headers=staff) as response:
            await response.read()
            if response.status == 201:
                position[ref] = to
            return response.status

    results = []
    for clients in LEVELS:
        results.append(await run("list", clients, seconds, listing))
        results.append(await run("read", clients, seconds, read))
        results.append(
            await run(
                "transition",
                clients,
                seconds,
                partial(move, clients=clients),
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modifications", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    amqp_url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        storage = Path(tmp)
        mongo = start_embedded_mongo(storage / "data", log_path=storage / "mongo.log")
        registry = None
        try:
            moving = 1000
            started = time.perf_counter()
            load(mongo.url, DATABASE, modifications(args.modifications, moving))
            print(
                f"loaded {args.modifications} modifications in {time.perf_counter() - started:.1f}s"
            )
            port = free_port()
            registry = start_registry(mongo.url, amqp_url, port, storage / "registry.log")
            base = f"http://127.0.0.1:{port}"
            asyncio.run(wait_ready(base))
            results = asyncio.run(benchmark(base, args.modifications, moving, args.seconds))
            print("| operation  | clients | requests |    req/s | p50 ms  | p99 ms  | errors |")
            print("| ---------- | ------: | -------: | -------: | ------: | ------: | -----: |")
            for result in results:
                print(result.row())
        finally:
            if registry is not None:
                registry.terminate()
                registry.wait(10)
            mongo.stop()


if __name__ == "__main__":
    main()
