"""Start the embedded MongoDB-protocol server (SecantusDB) as a subprocess."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_command() -> str:
    found = shutil.which("secantusd-py") or str(Path(sys.executable).with_name("secantusd-py"))
    if not Path(found).exists():
        raise RuntimeError(
            "The embedded MongoDB server is not installed: pip install 'secantusdb>=0.7.0b3' "
            "(make run and make test do it), or set MONGODB_URL to a MongoDB server."
        )
    return found


def _die_with_parent() -> list[str]:
    """Return a prefix that stops the server when its parent dies, even by SIGKILL.

    The server runs in a session of its own (Ctrl-C in a terminal must not reach it
    before the data is flushed), so nothing else would stop it if pytest or
    `make run` were killed; the kernel's parent-death signal does (util-linux setpriv).
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []


@dataclass
class EmbeddedMongo:
    """A running SecantusDB subprocess and its URL."""

    process: subprocess.Popen[bytes]
    port: int
    storage: Path

    @property
    def url(self) -> str:
        # No retryable writes: SecantusDB keeps a reply for each of the last 10,000 and
        # scans (past the cap, sorts) them all on every write, which made its CPU per write
        # grow with the traffic of the last 30 minutes (decision 0056).
        return f"mongodb://127.0.0.1:{self.port}/?retryWrites=false"

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_embedded_mongo(
    storage: Path, port: int | None = None, log_path: Path | None = None, timeout: float = 30.0
) -> EmbeddedMongo:
    """Start the server on `port` (a free one if None) and wait until it answers a ping."""
    storage.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log_file = open(log_path or os.devnull, "ab")  # noqa: SIM115 - the child owns it
    process = subprocess.Popen(  # noqa: S603 - fixed executable and arguments
        [
            *_die_with_parent(),
            _server_command(),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            str(storage),
            "--log-level",
            "WARNING",
            # Without it the server acknowledges a commit before it reaches the disk, and a
            # kill -9 right after the acknowledgement lost the write (docs/reliability.md).
            "--sync-on-commit",
        ],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log_file.close()
    server = EmbeddedMongo(process, port, storage)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the embedded MongoDB server exited with {process.returncode}")
        try:
            client: MongoClient[dict[str, object]]
            with MongoClient(server.url, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
            return server
        except PyMongoError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"the embedded MongoDB server did not answer on {port}"
                ) from None
            time.sleep(0.2)
