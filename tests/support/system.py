"""Start the whole system as processes on free ports, against the test servers.

One system per test session, shared by the e2e journeys and the security matrix
(tests/conftest.py registers the fixtures); `running_system` starts another, for a
suite whose writes must not reach that one (the contract tests).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import aiohttp
import pytest

from shared.auth import ROLE_SECRETARIAT, SigningKey, issue_token
from shared.dev.embedded_mongo import free_port
from tests.conftest import TEST_SECRET, TEST_SIGNER
from tests.support.rabbit import amqp_url_of_own

SERVICES = ("registry", "calendar", "notifier")
CONSOLE_SIGNER = SigningKey.generate()


@dataclass
class System:
    """The running processes and where they listen."""

    ports: dict[str, int]
    mail_http_port: int
    logs: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, service: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    @property
    def mail_api(self) -> str:
        return f"http://127.0.0.1:{self.mail_http_port}/api/v1"

    @property
    def staff_token(self) -> str:
        return issue_token(TEST_SIGNER, "e2e-staff", {ROLE_SECRETARIAT})

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except OSError:
        return False


def _wait(system: System, name: str, url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not _ready(url):
        process = system.processes[name]
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{system.log(name)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} not ready within {seconds}s:\n{system.log(name)}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def system_amqp_url() -> Iterator[str]:
    """A vhost of the system's own, so no message left by other tests reaches it."""
    with amqp_url_of_own() as url:
        yield url


@pytest.fixture(scope="session")
def system(
    mongo_url: str, system_amqp_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """The mail sink and the three services with seed data, each its own process."""
    with running_system(mongo_url, system_amqp_url, tmp_path_factory.mktemp("system")) as system:
        yield system


@contextmanager
def running_system(
    mongo_url: str, amqp_url: str, root: Path, database: str = "e2e_system"
) -> Iterator[System]:
    """Run the mail sink and the three services (seeded) in `database`; stop them after."""
    ports = {name: free_port() for name in SERVICES}
    smtp_port, mail_http_port = free_port(), free_port()
    env = {
        **os.environ,
        "MONGODB_URL": mongo_url,
        "MONGODB_DB": database,
        "AMQP_URL": amqp_url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SECRET_KEY": TEST_SECRET,
        "TOKEN_SIGNING_KEY": TEST_SIGNER.private_pem(),
        # The staff console's own key; every service trusts its public half (decision 0053).
        "CONSOLE_SIGNING_KEY": CONSOLE_SIGNER.private_pem(),
        "TOKEN_PUBLIC_KEYS": json.dumps([CONSOLE_SIGNER.public_pem()]),
        "SEED": "true",
        "OUTBOX_POLL_SECONDS": "0.2",
        **{
            f"PUBLIC_BASE_URL_{name.upper()}": f"http://127.0.0.1:{port}"
            for name, port in ports.items()
        },
        **{f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()},
    }
    system = System(ports, mail_http_port, root, env)
    commands = {
        "mailsink": [
            sys.executable,
            "-m",
            "shared.mailsink",
            "--smtp-port",
            str(smtp_port),
            "--http-port",
            str(mail_http_port),
            "--dir",
            str(root / "mail"),
        ],
        **{name: [sys.executable, "-m", f"services.{name}"] for name in SERVICES},
    }
    try:
        for name, command in commands.items():
            port_env = {"PORT": str(ports[name])} if name in ports else {}
            with open(root / f"{name}.log", "wb") as log_file:
                system.processes[name] = subprocess.Popen(
                    command, env={**env, **port_env}, stdout=log_file, stderr=subprocess.STDOUT
                )
        _wait(system, "mailsink", f"http://127.0.0.1:{mail_http_port}/api/v1/messages")
        for name in SERVICES:
            _wait(system, name, system.url(name, "/readyz"))
        yield system
    finally:
        for process in system.processes.values():
            process.terminate()
        for process in system.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


async def messages_to(
    http: aiohttp.ClientSession, system: System, address: str
) -> list[EmailMessage]:
    """Return every message the system's mail sink holds for `address`, parsed."""
    async with http.get(f"{system.mail_api}/messages", params={"limit": "2000"}) as response:
        listing = await response.json()
    found = []
    for summary in listing["messages"]:
        if any(to["Address"] == address for to in summary["To"]):
            async with http.get(f"{system.mail_api}/message/{summary['ID']}/raw") as raw:
                message = email.message_from_bytes(await raw.read(), policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                found.append(message)
    return found
