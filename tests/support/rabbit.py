"""Give a test run its own RabbitMQ vhost, created and deleted with rabbitmqctl."""

from __future__ import annotations

import shutil
import subprocess
import uuid


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
