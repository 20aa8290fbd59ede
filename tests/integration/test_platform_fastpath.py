"""The fast path's HTTP/1.1 handling on a real socket, in front of a real aiohttp app.

Bytes are written by hand so that pipelining, malformed heads and slow readers are
exactly what the test says; the aiohttp app answers with "aiohttp ..." bodies so
every response names who produced it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass

import pytest
from aiohttp import web

from shared.fastpath import FastPathSite, Prepared, prepare
from shared.metrics import Metrics

BIG = bytes(range(256)) * 4096  # 1 MiB: more than a socket buffer holds
HOT = prepare("/hot", 200, "OK", {"Content-Type": "text/plain"}, b"fast hot")
LARGE = prepare("/big", 200, "OK", {"Content-Type": "application/octet-stream"}, BIG)
LATER = prepare("/later", 200, "OK", {"Content-Type": "text/plain"}, b"fast later")


class Toy:
    """Answers /hot and /big; /later once warmed; /never and /broken never."""

    def __init__(self) -> None:
        self.warmed: list[bytes] = []

    def answer(self, target: bytes, headers: Mapping[bytes, bytes]) -> Prepared | None:
        if target == b"/later" and target in self.warmed:
            return LATER
        return {b"/hot": HOT, b"/big": LARGE}.get(target)

    def warm(self, target: bytes) -> Awaitable[object] | None:
        if target not in {b"/later", b"/never", b"/broken"}:
            return None
        return self._warm(target)

    async def _warm(self, target: bytes) -> None:
        await asyncio.sleep(0.05)
        if target == b"/broken":
            raise RuntimeError("render failed")
        self.warmed.append(target)


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=b"aiohttp " + await request.read())


async def hot(request: web.Request) -> web.Response:
    return web.Response(body=b"aiohttp hot")


@dataclass
class Server:
    site: FastPathSite
    runner: web.AppRunner
    toy: Toy

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.site.port)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/hot", hot)
    runner = web.AppRunner(app)
    await runner.setup()
    toy = Toy()
    site = FastPathSite(runner, "127.0.0.1", 0, toy, Metrics("toy"), keepalive_seconds=0.5)
    await site.start()
    yield Server(site, runner, toy)
    await runner.cleanup()


async def read_response(
    reader: asyncio.StreamReader, *, head_only: bool = False
) -> tuple[int, dict[str, str], bytes]:
    async with asyncio.timeout(10):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        length = 0 if head_only else int(headers.get("content-length", "0"))
        return status, headers, await reader.readexactly(length)


async def test_pipelined_hits_are_answered_in_order_from_memory(server: Server) -> None:
    reader, writer = await server.connect()
    writer.write(b"GET /hot HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
    bodies = [(await read_response(reader))[2] for _ in range(3)]
    assert bodies == [b"fast hot"] * 3
    assert (server.site.stats.served, server.site.stats.handed_off) == (3, 0)
    writer.close()


async def test_a_pipeline_holding_a_request_it_cannot_answer_goes_to_aiohttp_whole(
    server: Server,
) -> None:
    # aiohttp answers what one read brought as a whole (a bad head anywhere is a 400
    # to all of it), so the fast path answers nothing of such a read.
    reader, writer = await server.connect()
    writer.write(
        b"GET /hot HTTP/1.1\r\nHost: x\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        b"GET /hot HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    bodies = [(await read_response(reader))[2] for _ in range(3)]
    assert bodies == [b"aiohttp hot", b"aiohttp hello", b"aiohttp hot"]
    assert (server.site.stats.served, server.site.stats.handed_off) == (0, 1)
    writer.close()


async def test_a_target_made_ready_is_answered_without_leaving_the_fast_path(
    server: Server,
) -> None:
    reader, writer = await server.connect()
    writer.write(b"GET /later HTTP/1.1\r\nHost: x\r\n\r\nGET /hot HTTP/1.1\r\nHost: x\r\n\r\n")
    bodies = [(await read_response(reader))[2] for _ in range(2)]
    assert bodies == [b"fast later", b"fast hot"]
    assert server.toy.warmed == [b"/later"]
    assert (server.site.stats.served, server.site.stats.handed_off) == (2, 0)
    writer.close()


@pytest.mark.parametrize("target", [b"/never", b"/broken"])
async def test_a_target_still_declined_after_warming_goes_to_aiohttp_once(
    server: Server, target: bytes
) -> None:
    reader, writer = await server.connect()
    writer.write(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _, _ = await read_response(reader)
    assert status == 404
    assert (server.site.stats.served, server.site.stats.handed_off) == (0, 1)
    writer.close()


async def test_head_has_the_get_headers_and_no_body_and_close_is_honoured(
    server: Server,
) -> None:
    reader, writer = await server.connect()
    writer.write(b"HEAD /hot HTTP/1.1\r\nHost: x\r\n\r\n")
    status, headers, _ = await read_response(reader, head_only=True)
    assert status == 200
    assert headers["content-length"] == "8"
    assert "date" in headers
    writer.write(b"GET /hot HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    status, headers, body = await read_response(reader)
    assert (status, body, headers["connection"]) == (200, b"fast hot", "close")
    async with asyncio.timeout(5):
        assert await reader.read() == b""
    assert server.site.stats.served == 2


@pytest.mark.parametrize(
    ("request_bytes", "expected_status"),
    [
        (b"GET /hot HTTP/1.0\r\nHost: x\r\n\r\n", 200),
        (b"GET /hot HTTP/1.1\r\n\r\n", 400),
        (b"GET /hot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\n\r\n", 200),
        (b"GET /hot HTTP/1.1\r\nHost: x\r\nX-Correlation-ID: abc\r\n\r\n", 200),
        (b"GET /hot HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 200),
        (b"GET /cold HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"GET /hot HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n", 400),
        (b"GET /hot HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        (b"GET /hot HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 400),
    ],
    ids=[
        "http-1.0",
        "no-host",
        "authorization",
        "correlation-id",
        "content-length",
        "declined",
        "folded-header",
        "space-before-colon",
        "oversized-head",
    ],
)
async def test_requests_it_does_not_understand_get_aiohttps_answer(
    server: Server, request_bytes: bytes, expected_status: int
) -> None:
    reader, writer = await server.connect()
    writer.write(request_bytes)
    status, _, body = await read_response(reader)
    assert status == expected_status, body
    if status == 200:
        assert body == b"aiohttp hot"
    assert (server.site.stats.served, server.site.stats.handed_off) == (0, 1)
    writer.close()


async def test_a_bare_lf_head_is_left_to_aiohttp(server: Server) -> None:
    reader, writer = await server.connect()
    writer.write(b"GET /hot HTTP/1.1\nHost: x\n\n")
    async with asyncio.timeout(10):
        answer = await reader.read(100)
    assert not answer.endswith(b"fast hot")
    assert (server.site.stats.served, server.site.stats.handed_off) == (0, 1)
    writer.close()


async def test_a_peer_that_reads_late_gets_every_response_whole(server: Server) -> None:
    reader, writer = await server.connect()
    count = 40  # 40 MiB of responses: far past the transport's high-water mark
    writer.write(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n" * count)
    await asyncio.sleep(0.3)
    for _ in range(count):
        status, _, body = await read_response(reader)
        assert status == 200
        assert body == BIG
    assert server.site.stats.served == count
    writer.close()


async def test_an_idle_connection_is_closed_after_the_keepalive_time(server: Server) -> None:
    reader, writer = await server.connect()
    writer.write(b"GET /hot HTTP/1.1\r\nHost: x\r\n\r\n")
    await read_response(reader)
    async with asyncio.timeout(5):
        assert await reader.read() == b""
    silent_reader, _ = await server.connect()
    async with asyncio.timeout(5):
        assert await silent_reader.read() == b""


async def test_shutdown_closes_connections_between_requests(server: Server) -> None:
    reader, writer = await server.connect()
    writer.write(b"GET /hot HTTP/1.1\r\nHost: x\r\n\r\n")
    await read_response(reader)
    assert len(server.site.connections) == 1
    await server.runner.cleanup()
    async with asyncio.timeout(5):
        assert await reader.read() == b""
