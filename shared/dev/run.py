"""Start the whole system on its embedded default: python -m shared.dev.run (make run)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import parseaddr
from functools import partial
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.calendar.seed import demo as calendar_demo
from services.notifier.seed import demo as notifier_demo
from services.registry.seed import demo as registry_demo
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, SigningKey, issue_token
from shared.dev.demo import load_demo
from shared.dev.embedded_mongo import EmbeddedMongo, free_port, start_embedded_mongo
from shared.settings import NotifierSettings

VAR = Path("var")
SERVICES = (("registry", 8081), ("calendar", 8082), ("notifier", 8083))
# What a newcomer expects: the register's real history, and a living calendar around today.
DEFAULT_SEED = "history+demo"
SEED_PARTS = frozenset({"history", "demo"})


def say(message: str) -> None:
    print(f"[make run] {message}", flush=True)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(
    check: Callable[[], bool],
    what: str,
    timeout: float,
    children: Sequence[tuple[str, subprocess.Popen[bytes]]] = (),
) -> None:
    """Wait for `check`; give up at the deadline or as soon as a child has exited."""
    deadline = time.monotonic() + timeout
    while not check():
        for name, process in children:
            if process.poll() is not None:
                sys.exit(
                    f"[make run] {name} exited with {process.returncode} while waiting for {what}; "
                    f"see var/logs/{name}.log"
                )
        if time.monotonic() > deadline:
            sys.exit(f"[make run] {what} did not come up within {timeout:.0f}s")
        time.sleep(0.3)


def stop_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl-C so that everything started is stopped in order."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def ensure_rabbitmq() -> None:
    """Use the local broker; start it if installed and stopped; else say how to get it."""
    if port_open("127.0.0.1", 5672):
        return
    if shutil.which("rabbitmq-server") is None:
        sys.exit(
            "[make run] RabbitMQ is not running and not installed: run "
            "'apt-get install -y rabbitmq-server' (or set AMQP_URL to a broker) and try again."
        )
    say("starting RabbitMQ (rabbitmq-server -detached) ...")
    subprocess.run(["rabbitmq-server", "-detached"], check=False)  # noqa: S607
    wait_until(lambda: port_open("127.0.0.1", 5672), "RabbitMQ", 90)


def signing_key(path: Path) -> SigningKey:
    """Return the development signing key kept in `path` (made once, mode 0600)."""
    if not path.exists():
        path.write_text(SigningKey.generate().private_pem())
        path.chmod(0o600)
    return SigningKey.from_pem(path.read_text())


def secret_key() -> str:
    path = VAR / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


DKIM_KEY = VAR / "dkim-private.pem"
DKIM_DEV_SELECTOR = "dev"


def new_dkim_key() -> bytes:
    """Return a new 2048-bit RSA private key as PKCS#1 PEM (what dkimpy reads)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def dkim_txt_record(private_pem: bytes) -> str:
    """Return the DKIM key record (RFC 6376 3.6.1) of the public half of `private_pem`."""
    key = serialization.load_pem_private_key(private_pem, password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"


def zone_line(selector: str, domain: str, record: str) -> str:
    """Return the record as a zone-file line, in strings of at most 255 octets (RFC 1035)."""
    chunks = [record[i : i + 255] for i in range(0, len(record), 255)]
    quoted = " ".join(f'"{chunk}"' for chunk in chunks)
    return f"{selector}._domainkey.{domain}. IN TXT ( {quoted} )"


def development_dkim(env: dict[str, str]) -> str:
    """Make (once) a development DKIM key in var/, point the notifier at it; return the DNS line."""
    if not DKIM_KEY.exists():
        # Created 0600 from the start: the private key is never readable by others.
        descriptor = os.open(DKIM_KEY, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as key_file:
            key_file.write(new_dkim_key())
    DKIM_KEY.chmod(0o600)
    env["DKIM_PRIVATE_KEY"] = str(DKIM_KEY.resolve())
    env.setdefault("DKIM_SELECTOR", DKIM_DEV_SELECTOR)
    mail_from = env.get("MAIL_FROM") or str(NotifierSettings.model_fields["mail_from"].default)
    domain = env.get("DKIM_DOMAIN") or parseaddr(mail_from)[1].rpartition("@")[2]
    record = dkim_txt_record(DKIM_KEY.read_bytes())
    return zone_line(env["DKIM_SELECTOR"], domain, record)


def seed_choice(value: str) -> frozenset[str]:
    """Read make run's SEED: history, demo, none, or both joined by "+" (the default)."""
    wanted = value.strip().lower()
    if wanted in {"none", "false", "0", "no", ""}:
        return frozenset()
    if wanted in {"true", "1", "yes"}:  # SEED's older yes/no meaning: the history
        return frozenset({"history"})
    parts = frozenset(part.strip() for part in wanted.replace(",", "+").split("+"))
    if not parts <= SEED_PARTS:
        sys.exit(f"[make run] SEED={value!r}: use history, demo, none or history+demo")
    return parts


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own URL
            return bool(response.status == 200)
    except OSError:
        return False


def main() -> None:
    stop_on_sigterm()
    VAR.mkdir(exist_ok=True)
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    mongo: EmbeddedMongo | None = None
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", secret_key())
    # Development: the services hold the signing key and mint their own service tokens.
    signer = signing_key(VAR / "token-signing-key.pem")
    env.setdefault("TOKEN_SIGNING_KEY", signer.private_pem())
    # The staff console mints its users' calls with a key of its own, which the services
    # trust (docs/decisions/console-in-the-registry.md).
    console_key = signing_key(VAR / "console-signing-key.pem")
    env.setdefault("CONSOLE_SIGNING_KEY", console_key.private_pem())
    env.setdefault("TOKEN_PUBLIC_KEYS", json.dumps([console_key.public_pem()]))
    seeds = seed_choice(env.get("SEED", DEFAULT_SEED))
    # A service's own SEED loads the history; the demo set goes through their APIs below.
    env["SEED"] = "true" if "history" in seeds else "false"
    sink_url: str | None = None
    env.setdefault("LOG_JSON", "true")
    try:
        if "MONGODB_URL" not in env:
            port = 27117 if not port_open("127.0.0.1", 27117) else free_port()
            say(
                f"starting the embedded MongoDB-protocol server (SecantusDB) on {port}, "
                "data in var/mongo"
            )
            mongo = start_embedded_mongo(VAR / "mongo", port, log_path=VAR / "mongo.log")
            env["MONGODB_URL"] = mongo.url
        if "AMQP_URL" not in env:
            ensure_rabbitmq()
        if "SMTP_URL" not in env:
            say("starting the development mail sink (SMTP 1025, web 8025), mail kept in var/mail")
            sink = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "shared.mailsink",
                    "--smtp-port",
                    "1025",
                    "--http-port",
                    "8025",
                    "--dir",
                    str(VAR / "mail"),
                ],
                env=env,
            )
            children.append(("mail sink", sink))
            wait_until(lambda: port_open("127.0.0.1", 8025), "the mail sink", 20, children)
            env["SMTP_URL"] = "smtp://127.0.0.1:1025"
            sink_url = "http://127.0.0.1:8025"
        dkim_dns = None
        if "DKIM_PRIVATE_KEY" not in env:
            dkim_dns = development_dkim(env)
            say(f"signing mail with the development DKIM key {DKIM_KEY} (mode 0600)")
        logs = VAR / "logs"
        logs.mkdir(exist_ok=True)
        for name, port in SERVICES:
            say(f"starting {name} on {port} (log: var/logs/{name}.log)")
            with open(logs / f"{name}.log", "ab") as log_file:
                process = subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", f"services.{name}"],
                    env={**env, "PORT": str(port)},
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            children.append((name, process))
        for name, port in SERVICES:
            wait_until(partial(ready, f"http://127.0.0.1:{port}/readyz"), name, 90, children)
        # Good for 30 days, readable by its owner only.
        token = issue_token(signer, "dev-admin", {ROLE_SECRETARIAT, ROLE_ADMIN}, 30 * 86400)
        dev_token = VAR / "dev-token"
        dev_token.write_text(token + "\n")
        dev_token.chmod(0o600)
        say(f"seed: {' + '.join(sorted(seeds, reverse=True)) or 'none'} (SEED=history|demo|none)")
        if "demo" in seeds:
            say("loading the demonstration set (titles start with [Demo]) through the APIs ...")
            now = datetime.now(UTC)
            report = load_demo(
                (notifier_demo.DEMO_SUBSCRIBER, notifier_demo.demo_calls()),
                registry_demo.demo_calls(now) + calendar_demo.demo_calls(now),
                {name: f"http://127.0.0.1:{port}" for name, port in SERVICES},
                token,
                sink_url,
                say,
            )
            say(f"demo: {report.created} created, {report.already} there from an earlier run")
            for failure in report.failed:
                say(f"demo: refused {failure}")
        print(
            "\n".join(
                [
                    "",
                    "The SEC calendar and notification services are running:",
                    "  Register      http://127.0.0.1:8081/modifications",
                    "  Staff console http://127.0.0.1:8081/console/ (python -m shared.staff)",
                    "  Calendar      http://127.0.0.1:8082/",
                    "  Feeds         http://127.0.0.1:8082/feeds/all.ics",
                    "  Subscribe     http://127.0.0.1:8083/subscribe",
                    "  Mail sink     http://127.0.0.1:8025/",
                    f"  MongoDB       {env['MONGODB_URL']}",
                    "",
                    "Admin token (also in var/dev-token):",
                    f"  {token}",
                    "",
                    *(
                        [
                            "DKIM: publish this DNS TXT record for the development key",
                            "(docs/deliverability.md):",
                            f"  {dkim_dns}",
                            "",
                        ]
                        if dkim_dns
                        else []
                    ),
                    "Ctrl-C stops everything this command started.",
                ]
            ),
            flush=True,
        )
        while all(process.poll() is None for _, process in children):
            time.sleep(0.5)
        for name, process in children:
            if process.poll() is not None:
                say(f"{name} exited with {process.returncode}; see var/logs/{name}.log")
    except KeyboardInterrupt:
        pass
    finally:
        say("stopping ...")
        for _, process in reversed(children):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in reversed(children):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if mongo is not None:
            mongo.stop()
        say("stopped.")


if __name__ == "__main__":
    main()
