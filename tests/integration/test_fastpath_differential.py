"""The fast path answers every byte sequence exactly as aiohttp alone would.

Two sites serve one app: one through the fast path, one through aiohttp only. The
fast path's responder answers the app's public feed route with the very bytes aiohttp
answers it with. Hypothesis generates request heads (valid ones, and ones mutated
with the bytes request smuggling is made of: bare LF, NUL, DEL, obs-text, TAB and
control characters in targets, folded lines, duplicate Host, many fields, other
methods and versions), pipelines up to three, and writes them in random TCP segments.
Both sites must give the same number of responses with the same status lines,
header lines and bodies, except the Date and the correlation id, which differ by
nature (and which the fast path leaves to aiohttp: it adds no correlation id), and
the text of aiohttp's own 400 diagnostics, which quotes whatever read it failed in.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.browser import harden_response, hide_server_version
from shared.fastpath import FastPathSite, Prepared, prepare
from shared.metrics import Metrics

ROUTE = "/feeds/all.ics"
BODY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
HEADERS = {"Content-Type": "text/calendar; charset=utf-8", "ETag": '"v1"'}
SENTINEL = b"GET /sentinel HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
READ_SECONDS = 3.0


class Feed:
    """Answers the one route from memory, with the bytes aiohttp's handler gives."""

    prepared: Prepared = prepare(ROUTE, 200, "OK", HEADERS, BODY)

    def answer(self, target: bytes, headers: Mapping[bytes, bytes]) -> Prepared | None:
        return self.prepared if target == ROUTE.encode() else None

    def warm(self, target: bytes) -> None:
        return None


async def feed(request: web.Request) -> web.Response:
    return web.Response(body=BODY, headers=HEADERS)


async def sentinel(request: web.Request) -> web.Response:
    return web.Response(text="sentinel")


@dataclass
class Pair:
    fast: int
    plain: int


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    """Both sites on one app, served by a loop of their own (the test talks plain sockets)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    ports: dict[str, int] = {}
    stop = asyncio.Event()

    async def serve() -> None:
        hide_server_version()
        app = web.Application()
        app.router.add_get(ROUTE, feed)
        app.router.add_get("/sentinel", sentinel)
        app.on_response_prepare.append(harden_response)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        fast = FastPathSite(runner, "127.0.0.1", 0, Feed(), Metrics("differential"))
        plain = web.TCPSite(runner, "127.0.0.1", 0)
        await fast.start()
        await plain.start()
        ports["fast"] = fast.port
        ports["plain"] = plain._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        await stop.wait()
        await runner.cleanup()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield Pair(ports["fast"], ports["plain"])
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)


def exchange(port: int, segments: list[bytes]) -> bytes:
    """Write `segments` as separate TCP writes, then read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=READ_SECONDS) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            for segment in segments:
                sock.sendall(segment)
                time.sleep(0.0005)  # lets each segment arrive as its own read
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed after an error: read what it said
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return received


_VARYING = re.compile(rb"^(Date|X-Correlation-ID): [^\r\n]*", re.IGNORECASE | re.MULTILINE)


def responses(raw: bytes, sent: bytes = b"") -> list[tuple[bytes, list[bytes], bytes]]:
    """Split a byte stream into (status line, sorted header lines, body) per response.

    `sent` is what was asked: the answer to a HEAD carries the Content-Length of the
    body it does not send, so the split must know which answers are to a HEAD.
    """
    methods = [request.split(b" ", 1)[0] for request in sent.split(b"\r\n\r\n")]
    found = []
    while raw:
        end = raw.find(b"\r\n\r\n")
        if end < 0:
            found.append((raw, [], b""))  # a torn head: compared as is
            break
        lines = _VARYING.sub(rb"\1: *", raw[:end]).split(b"\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if len(found) < len(methods) and methods[len(found)] == b"HEAD":
            length = 0
        body = raw[end + 4 : end + 4 + length]
        if lines[0].endswith(b" 400 Bad Request"):
            # aiohttp's parser diagnostics quote the bytes of the read they failed in,
            # so their text (and length) varies with TCP segmentation even between two
            # runs of aiohttp alone; the status and the other headers must still agree.
            lines = [line for line in lines if not line.lower().startswith(b"content-length")]
            body = b"<diagnostic>"
        found.append((lines[0], sorted(lines[1:]), body))
        raw = raw[end + 4 + length :]
    return found


# The pieces a request head is made of, and the bytes that make one ambiguous.
METHODS = [b"GET", b"HEAD", b"POST", b"get", b"OPTIONS", b"GET "]
TARGETS = [
    ROUTE.encode(),
    b"/feeds/all.ics?x=1",
    b"/feeds/%61ll.ics",
    b"//feeds/all.ics",
    b"/feeds/./all.ics",
    b"/feeds/all.ics#frag",
    b"http://x/feeds/all.ics",
    b"/feeds/\tall.ics",
    b"/feeds/\x1call.ics",
    b"/nowhere",
    b"*",
]
VERSIONS = [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0", b"http/1.1", b"HTTP/1.1 "]
FIELDS = [
    b"Host: x",
    b"Host: y",
    b"Accept-Encoding: gzip",
    b'If-None-Match: "v1"',
    b"Connection: keep-alive",
    b"Connection: close",
    b"Content-Length: 0",
    b"Transfer-Encoding: chunked",
    b"X-Folded: a\r\n b",
    b"X-Bare: a\nb",
    b"X-Nul: a\x00b",
    b"X-Del: a\x7fb",
    b"X-High: a\xffb",
    b"X Space: a",
    b"X-Empty:",
    b": no name",
    b"Authorization: Bearer x",
    b"X-Big: " + b"a" * 9000,
]
SMUGGLING_BYTES = [b"\n", b"\r", b"\r\n", b"\x00", b"\x7f", b"\xff", b"\t", b"\x0b", b" ", b":"]


@st.composite
def head(draw: st.DrawFn) -> bytes:
    method = draw(st.sampled_from(METHODS))
    target = draw(st.sampled_from(TARGETS))
    version = draw(st.sampled_from(VERSIONS))
    fields = draw(st.lists(st.sampled_from(FIELDS), max_size=5))
    if draw(st.booleans()):
        fields = [b"Host: x", *fields]
    many = draw(st.sampled_from([0, 0, 0, 99, 101, 130]))
    fields += [b"X-Many-%d: v" % i for i in range(many)]
    text = method + b" " + target + b" " + version + b"\r\n" + b"".join(f + b"\r\n" for f in fields)
    text += b"\r\n"
    # Mutate: put an ambiguous byte somewhere in the head.
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(SMUGGLING_BYTES)) + text[at:]
    return text


@st.composite
def conversation(draw: st.DrawFn) -> list[bytes]:
    """Return up to three pipelined heads and the sentinel, cut into TCP segments."""
    stream = b"".join(draw(st.lists(head(), min_size=1, max_size=3))) + SENTINEL
    cuts = sorted(draw(st.lists(st.integers(1, len(stream) - 1), max_size=4, unique=True)))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


def test_a_valid_head_is_served_from_memory(pair: Pair) -> None:
    request = b"GET /feeds/all.ics HTTP/1.1\r\nHost: x\r\n\r\n" + SENTINEL
    fast, plain = exchange(pair.fast, [request]), exchange(pair.plain, [request])
    assert responses(fast) == responses(plain)
    assert [status for status, _, _ in responses(fast)] == [b"HTTP/1.1 200 OK"] * 2


def coalescings(segments: list[bytes]) -> Iterator[list[bytes]]:
    """Yield every way TCP may have merged adjacent segments on the way to the server."""
    for mask in range(2 ** (len(segments) - 1)):
        merged = [segments[0]]
        for index, segment in enumerate(segments[1:]):
            if mask >> index & 1:
                merged[-1] += segment
            else:
                merged.append(segment)
        yield merged


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(segments=conversation())
def test_every_conversation_gets_the_answers_aiohttp_alone_gives(
    pair: Pair, segments: list[bytes]
) -> None:
    sent = b"".join(segments)
    fast = responses(exchange(pair.fast, segments), sent)
    if fast == responses(exchange(pair.plain, segments), sent):
        return
    # aiohttp answers what one read brought as a whole, and the kernel may merge
    # segments written apart, on either connection: the fast path must give an answer
    # aiohttp alone gives to the same bytes read in one of the ways they can arrive.
    alone = [responses(exchange(pair.plain, merged), sent) for merged in coalescings(segments)]
    assert fast in alone, b"".join(segments)
