"""Feed benchmark: python -m bench.feeds (about two minutes; not part of make test).

Serves one 1,000-entry feed three ways, side by side in one run: the calendar
service (`python -m services.calendar`, two replicas on one SecantusDB), nginx
serving the same bytes as a static file (gzip_static), and Radicale serving a
collection of the same entries. `wrk` drives each at 32 connections for 200
(gzip) and 304 (Radicale for 30 s, as it takes seconds a request); then a PATCH
on replica B is timed until replica A serves the new feed; finally each
server's peak RSS is read from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.feeds.data import entries, load
from bench.feeds.servers import (
    NGINX,
    start_calendar,
    start_nginx,
    start_radicale,
    upload_radicale,
    wait_http,
)
from bench.feeds.visibility import change_to_visible
from bench.processes import children, cpu_seconds, peak_rss_mib, stop
from shared.auth import SigningKey
from shared.dev.embedded_mongo import free_port, start_embedded_mongo

DATABASE = "bench_feeds"
SECRET = "bench-secret-not-for-production"  # noqa: S105 - signs the bench's own token
SIGNER = SigningKey.generate()  # mints the bench's tokens; the servers hold it too
CONNECTIONS = 32
RADICALE_SECONDS = 30


@dataclass(frozen=True)
class Load:
    rps: float
    p99_ms: float
    bad: int
    # Server CPU per request: unlike req/s, barely moved by other load on the machine.
    cpu_us: float


def wrk(url: str, headers: dict[str, str], seconds: int, pids: list[int]) -> Load:
    # A long timeout: a slow server's latency is measured, not dropped as a socket error.
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    cpu_before = cpu_seconds(*pids)
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(*pids) - cpu_before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    return Load(rps, p99, int(bad[1]) if bad else 0, cpu / max(requests, 1) * 1e6)


async def probe(url: str) -> tuple[str, bool, int]:
    """Return the gzip ETag, whether gzip is served, and the status of a conditional GET."""
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        async with session.get(url, headers={"Accept-Encoding": "gzip"}) as response:
            await response.read()
            etag = response.headers.get("ETag", "")
            gzipped = response.headers.get("Content-Encoding") == "gzip"
        headers = {"Accept-Encoding": "gzip", "If-None-Match": etag}
        async with session.get(url, headers=headers) as response:
            return etag, gzipped, response.status


async def fetch_plain(url: str) -> bytes:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        response.raise_for_status()
        return await response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None or not Path(NGINX).exists():
        raise SystemExit("wrk or nginx is missing: apt-get install -y wrk nginx-light")
    amqp_url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        work = Path(tmp)
        # nginx's worker runs as an unprivileged user and must read the static file.
        work.chmod(0o755)
        mongo = start_embedded_mongo(work / "data", log_path=work / "mongo.log")
        processes: list[subprocess.Popen[bytes] | None] = []
        try:
            load(mongo.url, DATABASE, entries(args.entries))
            ports = {name: free_port() for name in ("a", "b", "nginx", "radicale")}
            for name in ("a", "b"):
                processes.append(
                    start_calendar(
                        mongo.url,
                        DATABASE,
                        amqp_url,
                        SECRET,
                        SIGNER.private_pem(),
                        ports[name],
                        work / f"{name}.log",
                    )
                )
            replica_a, replica_b = (f"http://127.0.0.1:{ports[n]}" for n in ("a", "b"))
            for base in (replica_a, replica_b):
                asyncio.run(wait_http(f"{base}/readyz"))
            plain = asyncio.run(fetch_plain(f"{replica_a}/feeds/all.ics"))
            root = work / "www"
            root.mkdir()
            (root / "all.ics").write_bytes(plain)
            (root / "all.ics.gz").write_bytes(gzip.compress(plain, compresslevel=6, mtime=0))
            nginx = start_nginx(root, ports["nginx"])
            radicale = start_radicale(work / "radicale", ports["radicale"], work / "radicale.log")
            processes += [nginx, radicale]
            nginx_url = f"http://127.0.0.1:{ports['nginx']}/all.ics"
            radicale_url = f"http://127.0.0.1:{ports['radicale']}/bench/calendar/"
            asyncio.run(wait_http(nginx_url))
            asyncio.run(wait_http(f"http://127.0.0.1:{ports['radicale']}/"))
            asyncio.run(upload_radicale(radicale_url, plain))
            servers = {
                "calendar": f"{replica_a}/feeds/all.ics",
                "nginx": nginx_url,
                "radicale": radicale_url,
            }
            print(f"feed: {args.entries} entries, {len(plain):,} bytes plain")
            pids = {
                "calendar": [processes[0].pid],  # type: ignore[union-attr]
                "nginx": children(nginx.pid),  # the worker; the master only waits
                "radicale": [radicale.pid],
            }
            results: dict[str, tuple[Load, Load, bool, int]] = {}
            for name, url in servers.items():
                etag, gzipped, conditional = asyncio.run(probe(url))
                # Radicale takes seconds per request: a longer window gives it a rate at all.
                seconds = (
                    max(args.seconds, RADICALE_SECONDS) if name == "radicale" else args.seconds
                )
                full = wrk(url, {"Accept-Encoding": "gzip"}, seconds, pids[name])
                cached = wrk(
                    url,
                    {"Accept-Encoding": "gzip", "If-None-Match": etag},
                    seconds,
                    pids[name],
                )
                results[name] = (full, cached, gzipped, conditional)
            changed = ["bench-0500"] * args.rounds
            delays = asyncio.run(change_to_visible(replica_b, replica_a, SIGNER, changed))
            same = asyncio.run(change_to_visible(replica_a, replica_a, SIGNER, changed))
            rss = {
                "calendar": peak_rss_mib(processes[0].pid),  # type: ignore[union-attr]
                "nginx": peak_rss_mib(nginx.pid, *children(nginx.pid)),
                "radicale": peak_rss_mib(radicale.pid),
            }
            report(results, rss, delays, same)
        finally:
            for process in processes:
                stop(process)
            mongo.stop()


def times(ours: float, theirs: float) -> str:
    """Say how many times faster; a server that finished no request cannot be divided by."""
    if theirs == 0:
        return "inf (it completed no request in the window)"
    return f"{ours / theirs:.0f}x"


def report(
    results: dict[str, tuple[Load, Load, bool, int]],
    rss: dict[str, float],
    delays: list[float],
    same: list[float],
) -> None:
    print(f"\nwrk -t2 -c{CONNECTIONS}, Accept-Encoding: gzip; one process per server")
    print(
        "| server | 200 req/s | 200 p99 ms | 200 CPU µs/req | gzip "
        "| 304 req/s | 304 p99 ms | 304 CPU µs/req | cond. | RSS MiB |"
    )
    print("| --- | --: | --: | --: | --- | --: | --: | --: | --: | --: |")
    for name, (full, cached, gzipped, conditional) in results.items():
        print(
            f"| {name} | {full.rps:.0f} | {full.p99_ms:.1f} | {full.cpu_us:.0f} "
            f"| {'yes' if gzipped else 'no'} | {cached.rps:.0f} | {cached.p99_ms:.1f} "
            f"| {cached.cpu_us:.0f} | {conditional} | {rss[name]:.1f} |"
        )
    ours, nginx, radicale = results["calendar"], results["nginx"], results["radicale"]
    print(
        f"\ncalendar/nginx: 200 {ours[0].rps / nginx[0].rps:.0%} (goal 40%), "
        f"304 {ours[1].rps / nginx[1].rps:.0%} (goal 30%); by CPU per request: "
        f"200 {nginx[0].cpu_us / ours[0].cpu_us:.0%}, 304 {nginx[1].cpu_us / ours[1].cpu_us:.0%}; "
        f"calendar/radicale: 200 {times(ours[0].rps, radicale[0].rps)}, "
        f"304 {times(ours[1].rps, radicale[1].rps)} (goal 10x)"
    )
    print(
        f"change to visible, other replica: median {statistics.median(delays) * 1000:.0f} ms, "
        f"max {max(delays) * 1000:.0f} ms; same replica: median "
        f"{statistics.median(same) * 1000:.0f} ms, max {max(same) * 1000:.0f} ms (goal 1 s)"
    )


if __name__ == "__main__":
    main()
