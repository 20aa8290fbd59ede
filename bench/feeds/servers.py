"""Start the three servers side by side: calendar replicas, nginx, Radicale."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from bench.processes import start_module

NGINX = "/usr/sbin/nginx"


def start_calendar(
    mongo_url: str,
    database: str,
    amqp_url: str,
    secret: str,
    signing_key: str,
    port: int,
    log: Path,
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MONGODB_URL": mongo_url,
        "MONGODB_DB": database,
        "AMQP_URL": amqp_url,
        "SECRET_KEY": secret,
        "TOKEN_SIGNING_KEY": signing_key,
        "PORT": str(port),
        "ROLES": '["api"]',
        "SEED": "false",
        "LOG_LEVEL": "WARNING",
        "PUBLIC_BASE_URL_CALENDAR": "https://calendar.sec.example.org",
    }
    return start_module("services.calendar", env, log)


def start_nginx(root: Path, port: int) -> subprocess.Popen[bytes]:
    """Serve `root` statically: one worker, gzip_static (pre-compressed), ETag, no access log."""
    prefix = root.parent / "nginx"
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ text/calendar ics; }}
    charset utf-8;
    charset_types text/calendar;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        gzip_static on;
        etag on;
    }}
}}
"""
    )
    return subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=(prefix / "logs" / "stderr.log").open("ab"),
    )


def start_radicale(folder: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """Radicale with no authentication, everyone may read and write, storage in `folder`."""
    config = folder.parent / "radicale.conf"
    rights = folder.parent / "radicale.rights"
    rights.write_text("[everyone]\nuser: .*\ncollection: .*\npermissions: RrWw\n")
    config.write_text(
        f"""
[server]
hosts = 127.0.0.1:{port}
[auth]
type = none
[rights]
type = from_file
file = {rights}
[storage]
filesystem_folder = {folder}
[logging]
level = warning
"""
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)], stdout=out, stderr=out
        )


async def wait_http(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} did not answer; see the logs")


async def upload_radicale(collection_url: str, ics: bytes) -> None:
    """Create the parent collection, then PUT the whole calendar as a new collection."""
    parent = collection_url.rstrip("/").rsplit("/", 1)[0] + "/"
    async with aiohttp.ClientSession() as session:
        async with session.request("MKCOL", parent) as response:
            if response.status not in {201, 405}:
                raise SystemExit(f"Radicale MKCOL {parent}: {response.status}")
        headers = {"Content-Type": "text/calendar"}
        async with session.put(collection_url, data=ics, headers=headers) as response:
            if response.status not in {201, 204}:
                raise SystemExit(f"Radicale PUT: {response.status} {await response.text()}")
