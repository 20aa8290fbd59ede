"""The system as the README starts it (`make run`), and Chromium pages checked by axe-core.

`product` runs `python -m shared.dev.run` in a directory of its own (its var/ holds the
database, the mail and the development token), waits for what it prints, and stops it
with SIGTERM as Ctrl-C would. Every page a journey visits goes through `Visit.look`:
axe-core finds no serious or critical violation, and screenshots at 375 and 1280 px are
kept under test-artifacts/journeys/ (CI keeps that folder).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE.parent.parent / "test-artifacts" / "journeys"
PORTS = {"registry": 8081, "calendar": 8082, "notifier": 8083, "mail": 8025, "smtp": 1025}
WIDTHS = (375, 1280)
BLOCKING = {"serious", "critical"}


@dataclass
class Product:
    """The running system: where each part listens, and the admin token it printed."""

    home: Path
    token: str
    printed: list[str] = field(default_factory=list)

    def url(self, part: str, path: str = "") -> str:
        return f"http://127.0.0.1:{PORTS[part]}{path}"

    @property
    def mongodb_url(self) -> str:
        return next(line.split()[-1] for line in self.printed if line.strip().startswith("MongoDB"))

    def staff_account(self, username: str, roles: str, password: str) -> None:
        """Create a console account the way an operator does (python -m shared.staff)."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "shared.staff",
                "create",
                username,
                "--name",
                username,
                "--roles",
                roles,
                "--password-stdin",
            ],
            input=password,
            text=True,
            check=True,
            capture_output=True,
            timeout=60,
            env={**os.environ, "MONGODB_URL": self.mongodb_url},
        )

    def log(self, name: str) -> str:
        path = self.home / "var" / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    busy = [f"{name} {port}" for name, port in PORTS.items() if _taken(port)]
    if busy:
        pytest.fail(f"ports of `make run` are in use ({', '.join(busy)}): stop that system first")
    home = tmp_path_factory.mktemp("make-run")
    env = {key: value for key, value in os.environ.items() if key not in {"PORT", "SEED"}}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "shared.dev.run"],
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 180
    for line in process.stdout:
        printed.append(line.rstrip())
        if "Ctrl-C stops everything" in line or time.monotonic() > deadline:
            break
    token_file = home / "var" / "dev-token"
    if process.poll() is not None or not token_file.exists():
        process.kill()
        pytest.fail("make run did not come up:\n" + "\n".join(printed[-40:]))
    system = Product(home=home, token=token_file.read_text().strip(), printed=printed)
    try:
        yield system
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Visit:
    """Look at pages the way a person does, and check what a screen reader meets."""

    context: Any
    page: Any
    name: str
    console: list[str] = field(default_factory=list)
    shots: int = 0

    async def look(self, label: str) -> None:
        """Run axe-core on the current page, then screenshot it at each width."""
        refused = [text for text in self.console if "Content Security Policy" in text]
        assert not refused, f"{label}: the page broke its own CSP: {refused}"
        result = await self.page.evaluate(
            "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
        )
        violations = [v for v in json.loads(result)["violations"] if v.get("impact") in BLOCKING]
        assert not violations, f"{label} ({self.page.url}): " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
            for v in violations
        )
        self.shots += 1
        folder = ARTIFACTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        for width in WIDTHS:
            await self.page.set_viewport_size({"width": width, "height": 900})
            await self.page.screenshot(
                path=str(folder / f"{self.shots:02d}-{slug}-{width}.png"), full_page=True
            )
            overflow = await self.page.evaluate(
                "document.scrollingElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"{label} scrolls sideways by {overflow}px at {width}px"
        await self.page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
async def visit(browser: Any, request: pytest.FixtureRequest) -> AsyncIterator[Visit]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    # An init script is not subject to the page's CSP, which stays on: a page that
    # breaks its own policy shows up in the console and fails the look.
    await context.add_init_script(path=str(AXE))
    await context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = await context.new_page()
    seen = Visit(context=context, page=page, name=request.node.name)
    page.on("console", lambda message: seen.console.append(message.text))
    yield seen
    await context.close()
