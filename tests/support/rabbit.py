"""Give a test run its own RabbitMQ vhost, created and deleted with rabbitmqctl."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def create_vhost() -> str:
    if shutil.which("rabbitmqctl") is None:
        raise RuntimeError(
            "rabbitmqctl is missing: install RabbitMQ (apt-get install -y rabbitmq-server) "
            "or set AMQP_URL to a broker whose vhost the tests may use."
        )
    vhost = f"sec-test-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    return vhost


def delete_vhost(vhost: str) -> None:
    rabbitmqctl("delete_vhost", vhost)


@contextmanager
def amqp_url_of_own() -> Iterator[str]:
    """AMQP_URL when given, else the local broker in a new vhost, deleted afterwards."""
    if url := os.environ.get("AMQP_URL"):
        yield url
        return
    vhost = create_vhost()
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        delete_vhost(vhost)
