"""The whole system as processes on a database, vhost and mail sink of its own, to break.

The registry, calendar and notifier run as the product runs them (`python -m
services.<name>`, product defaults), their RabbitMQ connections through a TCP proxy
that can cut them, against an embedded database this harness can kill and restart on
the same storage, and a mail sink process (`python -m shared.mailsink`) that may refuse
chosen recipients.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from shared.auth import ROLE_SECRETARIAT, issue_token
from shared.db import Mongo, connect_mongo
from shared.dev.embedded_mongo import EmbeddedMongo, free_port, start_embedded_mongo
from tests.conftest import TEST_SECRET, TEST_SIGNER
from tests.support.rabbit import create_vhost, delete_vhost
from tests.support.tcpproxy import TcpProxy

SERVICES = ("registry", "calendar", "notifier")
DATABASE = "chaos"
RABBIT = ("127.0.0.1", 5672)


@dataclass(frozen=True)
class Mail:
    """One message in the sink, as its listing shows it."""

    message_id: str
    recipient: str
    subject: str
    arrived: datetime


@dataclass
class ChaosSystem:
    """Processes, ports and the means to break them; `close()` stops everything it started."""

    root: Path
    vhost: str
    proxy: TcpProxy
    database: EmbeddedMongo
    ports: dict[str, int]
    smtp_port: int
    mail_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    seed: bool = False
    mail_faults: Sequence[str] = ()
    _mongo: Mongo | None = None

    @property
    def amqp_direct(self) -> str:
        """The vhost on the broker itself, for the test's own publishing and peeking."""
        return f"amqp://guest:guest@{RABBIT[0]}:{RABBIT[1]}/{self.vhost}"

    @property
    def staff_headers(self) -> dict[str, str]:
        return {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "chaos", {ROLE_SECRETARIAT})}

    @property
    def mongo(self) -> Mongo:
        """The test's own client on the system's database (lazy: it survives restarts)."""
        if self._mongo is None:
            self._mongo = connect_mongo(self.database.url, DATABASE, "chaos-test")
        return self._mongo

    def url(self, service: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "MONGODB_URL": self.database.url,
            "MONGODB_DB": DATABASE,
            "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{self.proxy.port}/{self.vhost}",
            "SMTP_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "SECRET_KEY": TEST_SECRET,
            "TOKEN_SIGNING_KEY": TEST_SIGNER.private_pem(),
            "SEED": "true" if self.seed else "false",
            **{f"PUBLIC_BASE_URL_{n.upper()}": self.url(n) for n in SERVICES},
            **{f"{n.upper()}_URL": self.url(n) for n in SERVICES},
        }

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def spawn(self, name: str) -> None:
        """Start one process (a service, or the mail sink) as the product starts it."""
        if name == "mailsink":
            command = [
                sys.executable, "-m", "shared.mailsink",
                "--smtp-port", str(self.smtp_port), "--http-port", str(self.mail_port),
                "--dir", str(self.root / "mail"),
                *(f"--fail-rcpt={fault}" for fault in self.mail_faults),
            ]  # fmt: skip
            env = self.environment()
        else:
            command = [sys.executable, "-m", f"services.{name}"]
            env = {**self.environment(), "PORT": str(self.ports[name])}
        with open(self.root / f"{name}.log", "ab") as log_file:
            self.processes[name] = subprocess.Popen(
                command, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )

    async def start(self, *names: str, seconds: float = 90.0) -> None:
        """Spawn `names` and wait until each answers its readiness probe."""
        for name in names:
            self.spawn(name)
        for name in names:
            await self.wait_ready(name, seconds)

    def kill(self, name: str) -> None:
        """kill -9 one process and reap it."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    async def kill_database(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Stop the database server abruptly (or with `sig`) and wait until it is gone."""
        self.database.process.send_signal(sig)
        await asyncio.to_thread(self.database.process.wait)

    async def start_database(self) -> None:
        """Start the database server again on the same storage and port."""
        self.database = await asyncio.to_thread(
            start_embedded_mongo,
            self.database.storage,
            port=self.database.port,
            log_path=self.root / "database.log",
        )

    async def ready(self, name: str, http: aiohttp.ClientSession) -> bool:
        probe = f"http://127.0.0.1:{self.mail_port}/readyz" if name == "mailsink" else None
        try:
            async with http.get(probe or self.url(name, "/readyz")) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def wait_ready(self, name: str, seconds: float = 90.0) -> None:
        deadline = time.monotonic() + seconds
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
            while not await self.ready(name, http):
                if not self.alive(name):
                    raise RuntimeError(f"{name} exited:\n{self.log(name)[-4000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not ready in {seconds}s:\n{self.log(name)[-4000:]}")
                await asyncio.sleep(0.2)

    async def all_ready_within(self, seconds: float) -> float | None:
        """Seconds until every service answered /readyz 200 by itself, None if not in time."""
        started = time.monotonic()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
            while time.monotonic() - started < seconds:
                answers = [await self.ready(name, http) for name in SERVICES]
                if all(answers):
                    return time.monotonic() - started
                await asyncio.sleep(0.5)
        return None

    async def mail_total(self) -> int:
        async with aiohttp.ClientSession() as http:
            messages = f"http://127.0.0.1:{self.mail_port}/api/v1/messages"
            async with http.get(messages, params={"limit": "1"}) as response:
                return int((await response.json())["total"])

    async def mail(self) -> list[Mail]:
        """Every message the sink holds."""
        async with aiohttp.ClientSession() as http:
            messages = f"http://127.0.0.1:{self.mail_port}/api/v1/messages"
            async with http.get(messages, params={"limit": "1000000"}) as response:
                listing = await response.json()
        return [
            Mail(
                message_id=str(summary["MessageID"]),
                recipient=str(summary["To"][0]["Address"]).lower(),
                subject=str(summary["Subject"]),
                arrived=datetime.fromisoformat(str(summary["Created"])),
            )
            for summary in listing["messages"]
        ]

    async def queue_depths(self) -> dict[str, int]:
        """Messages (ready and unacknowledged) in every queue of the vhost, by name."""
        process = await asyncio.create_subprocess_exec(
            "rabbitmqctl", "-q", "list_queues", "-p", self.vhost,
            "--no-table-headers", "name", "messages",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        output, _ = await process.communicate()
        depths: dict[str, int] = {}
        for line in output.decode().splitlines():
            name, _, count = line.rpartition("\t")
            if name:
                depths[name] = int(count)
        return depths

    async def close(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
        if self._mongo is not None:
            with suppress(Exception):
                await self._mongo.close()
        await self.proxy.cut()
        self.database.stop()
        await asyncio.to_thread(delete_vhost, self.vhost)


async def open_system(
    root: Path, *, seed: bool = False, mail_faults: Sequence[str] = ()
) -> ChaosSystem:
    """Make the database, vhost, proxy and mail sink; the services are started by the caller."""
    await asyncio.to_thread(root.mkdir, parents=True, exist_ok=True)
    vhost = await asyncio.to_thread(create_vhost)
    proxy = TcpProxy(*RABBIT)
    await proxy.start()
    database = await asyncio.to_thread(
        start_embedded_mongo, root / "data", log_path=root / "database.log"
    )
    system = ChaosSystem(
        root=root,
        vhost=vhost,
        proxy=proxy,
        database=database,
        ports={name: free_port() for name in SERVICES},
        smtp_port=free_port(),
        mail_port=free_port(),
        seed=seed,
        mail_faults=mail_faults,
    )
    await system.start("mailsink")
    return system


async def post(
    http: aiohttp.ClientSession,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
) -> tuple[int, dict[str, Any]]:
    """POST JSON; return the status and the JSON answer (empty when it is not JSON)."""
    async with http.post(url, json=body, headers=headers) as response:
        text = await response.text()
    try:
        answer = json.loads(text)
    except ValueError:
        answer = {}
    return response.status, answer if isinstance(answer, dict) else {}
