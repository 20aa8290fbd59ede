"""Answer the hottest GETs from prebuilt bytes before aiohttp sees them.

A service may name a `Responder` (app key FAST_PATH): given a GET or HEAD target and
its headers, it answers with a `Prepared` response from memory, or declines. A
declined target it knows (a feed not rendered yet) it may first make answerable
(`warm`); the connection waits for that and asks once more. The connection's
protocol parses each request head with llhttp (httptools), the parser Node.js uses,
and writes prepared responses; any request llhttp does not accept without complaint,
that is stricter still than it (see `_parse_heads`), or that the responder still declines,
makes it hand the connection, bytes and all, to aiohttp's own protocol for the rest
of its life. So
everything but a cached hit keeps aiohttp's behaviour (routing, auth, problem+json,
limits), and a hit costs a fraction of a full aiohttp request
(docs/decisions/platform-fast-path.md).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from email.utils import formatdate
from typing import Protocol, cast

import httptools
from aiohttp import web

from shared.browser import ALWAYS
from shared.metrics import Metrics

# Longer heads go to aiohttp, whose limits answer them (431, 400).
MAX_HEAD_BYTES = 8192
MAX_FIELDS = 100  # more go to aiohttp, whose limit answers them
KEEPALIVE_SECONDS = 75.0  # aiohttp's default, so both paths time out alike
# Requests carrying any of these need what only aiohttp does: a body, an upgrade, an
# identity to check, or a correlation id to echo and log.
_HANDED_OFF_HEADERS = frozenset(
    {
        b"content-length",
        b"transfer-encoding",
        b"upgrade",
        b"expect",
        b"authorization",
        b"x-correlation-id",
    }
)
# Headers a responder sees; repeats are joined with ", " (RFC 9110 5.3).
_READ_HEADERS = frozenset(
    {b"accept-encoding", b"if-none-match", b"if-modified-since", b"connection"}
)
_METHODS = {b"GET": "GET", b"HEAD": "HEAD"}


@dataclass(frozen=True, slots=True)
class Prepared:
    """One response, ready to write: built once per representation, sent many times."""

    route: str  # the route template, for metrics: never the path
    status: int
    head: bytes  # status line and headers, each line ending CRLF; no Date, no blank line
    body: bytes


class Responder(Protocol):
    """What a service gives the fast path: synchronous answers, and a way to get ready."""

    def answer(self, target: bytes, headers: Mapping[bytes, bytes]) -> Prepared | None:
        """Return the response from memory, without awaiting; None declines."""

    def warm(self, target: bytes) -> Awaitable[object] | None:
        """Return what to await before asking again for a declined target; None: don't ask."""


FAST_PATH = web.AppKey[Responder]("fast_path")


def prepare(
    route: str, status: int, reason: str, headers: Mapping[str, str], body: bytes
) -> Prepared:
    """Serialise a response head once; Content-Length is the body's (also for HEAD)."""
    # The headers aiohttp's responses get from shared.browser.harden_response (a
    # prepared answer is never a page nor reached by a secret URL).
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in ALWAYS.items())]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append("Referrer-Policy: strict-origin-when-cross-origin")
    if status != 304:
        lines.append(f"Content-Length: {len(body)}")
    # latin-1: header values are ours (digests, dates, media types); a non-Latin-1
    # character would be a bug and raises here, once, not per request.
    head = "".join(line + "\r\n" for line in lines).encode("latin-1")
    return Prepared(route, status, head, body if status != 304 else b"")


class _Date:
    """The Date header line, formatted once a second (RFC 9110 6.6.1 asks for it)."""

    second = -1
    line = b""

    @classmethod
    def now(cls) -> bytes:
        second = int(time.time())
        if second != cls.second:
            cls.second = second
            cls.line = b"Date: " + formatdate(second, usegmt=True).encode("ascii") + b"\r\n"
        return cls.line


@dataclass
class FastPathStats:
    served: int = 0
    handed_off: int = 0


class FastPathProtocol(asyncio.Protocol):
    """One connection: prepared responses while every request is a hit, then aiohttp."""

    def __init__(self, site: FastPathSite) -> None:
        self._site = site
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._paused = False  # the peer reads slower than we write: stop parsing
        # Waiting for the responder to get ready (held: the loop keeps tasks only weakly).
        self._warming: asyncio.Future[object] | None = None
        self._warmed = False  # the current request was warmed for: a second "no" hands off
        self._last_active = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP server's transport (uvloop's is not an asyncio.Transport subclass).
        self._transport = cast(asyncio.Transport, transport)
        self._site.connections.add(self)
        loop = asyncio.get_running_loop()
        self._last_active = loop.time()
        self._timer = loop.call_later(self._site.keepalive_seconds, self._check_idle)

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()

    def eof_received(self) -> bool | None:
        # What is left unanswered is aiohttp's to judge, with the end of input after it.
        if self._buffer and self._transport is not None:
            handler = self._hand_off()
            return handler.eof_received()
        return None

    def data_received(self, data: bytes) -> None:
        self._buffer = self._buffer + data if self._buffer else data
        self._process()

    def pause_writing(self) -> None:
        self._paused = True
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        self._paused = False
        if self._transport is not None and not self._transport.is_closing():
            if self._warming is None:
                self._transport.resume_reading()
            self._process()

    def close(self) -> None:
        """Close after what is already written (server shutdown)."""
        if self._transport is not None:
            self._transport.close()

    @property
    def _held_back(self) -> bool:
        """Whether parsing waits: for the peer to read, or for the responder to get ready."""
        return self._paused or self._warming is not None

    def _process(self) -> None:
        transport = self._transport
        while (
            transport is not None
            and self._buffer
            and not (self._paused or self._warming is not None)
        ):
            started = time.perf_counter()
            heads = _parse_heads(self._buffer)
            if heads is None:
                self._hand_off()  # llhttp or the stricter checks refuse something in hand
                return
            if not heads:
                if len(self._buffer) > MAX_HEAD_BYTES:
                    self._hand_off()  # an oversized head is aiohttp's to judge (431)
                return  # the rest of the head is still on its way
            end, method, target, headers = heads[0]
            prepared = self._site.responder.answer(target, headers)
            if prepared is None:
                pending = None if self._warmed else self._site.responder.warm(target)
                if pending is None:
                    self._hand_off()
                else:
                    self._warm(pending)
                return
            closing = b"close" in headers.get(b"connection", b"").lower()
            self._warmed = False
            self._buffer = self._buffer[end:]
            tail = b"Connection: close\r\n\r\n" if closing else b"\r\n"
            head = prepared.head + _Date.now() + tail
            if method == "HEAD" or not prepared.body:
                transport.write(head)
            else:
                transport.writelines((head, prepared.body))
            self._last_active = asyncio.get_running_loop().time()
            self._site.record(method, prepared, time.perf_counter() - started)
            if closing:
                transport.close()
                return

    def _warm(self, pending: Awaitable[object]) -> None:
        """Stop parsing until `pending` is done, then ask about the same request again."""
        assert self._transport is not None
        self._transport.pause_reading()
        self._warming = asyncio.ensure_future(pending)
        self._warming.add_done_callback(self._warm_done)

    def _warm_done(self, done: asyncio.Future[object]) -> None:
        if not done.cancelled():
            done.exception()  # a failure is aiohttp's to report, when the retry declines
        self._warming, self._warmed = None, True
        if self._transport is not None and not self._transport.is_closing():
            if not self._paused:
                self._transport.resume_reading()
            self._process()

    def _hand_off(self) -> asyncio.Protocol:
        """Give the connection and every unanswered byte to aiohttp's protocol."""
        transport = self._transport
        assert transport is not None
        self._forget()
        self._site.record_hand_off()
        handler = self._site.fallback()
        transport.set_protocol(handler)
        handler.connection_made(transport)
        if self._buffer:
            handler.data_received(self._buffer)
        self._buffer = b""
        return handler

    def _forget(self) -> None:
        self._site.connections.discard(self)
        self._transport = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check_idle(self) -> None:
        # One timer per connection, re-armed lazily: a request only stamps the time.
        loop = asyncio.get_running_loop()
        left = self._last_active + self._site.keepalive_seconds - loop.time()
        if self._held_back:  # a peer still reading, or a request waiting, is not idle
            left = self._site.keepalive_seconds
        if left > 0:
            self._timer = loop.call_later(left, self._check_idle)
        elif self._transport is not None:
            self._timer = None
            self._transport.close()


# RFC 9110 5.6.2 token characters: what a field name may be made of.
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Visible ASCII, space and tab: llhttp also lets obs-text (0x80-0xFF) through in values,
# which aiohttp refuses; such a head is aiohttp's.
_FIELD_VALUE = frozenset(range(0x21, 0x7F)) | {0x20, 0x09}
# A target the responder may be asked about: a plain path, no query, no escapes.
_PLAIN_PATH = frozenset(range(0x21, 0x7F)) - frozenset(b"%?#\\")


Request = tuple[int, str, bytes, dict[bytes, bytes]]
"""Where a request head ends in the buffer, its method, target and the headers read."""


class _Heads:
    """llhttp's callbacks for the request heads in hand, and whether each may be answered."""

    __slots__ = ("done", "fields", "headers", "hosts", "parser", "plain", "target")

    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.done: list[tuple[str | None, bytes, dict[bytes, bytes]] | None] = []
        self.on_message_begin()

    def on_message_begin(self) -> None:
        self.target = b""
        self.headers: dict[bytes, bytes] = {}
        self.fields = 0
        self.hosts = 0
        self.plain = True  # nothing seen that only aiohttp may judge

    def on_url(self, url: bytes) -> None:
        self.target += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.fields += 1
        if not _TOKEN.issuperset(name) or not _FIELD_VALUE.issuperset(value):
            self.plain = False
            return
        name = name.lower()
        if name in _HANDED_OFF_HEADERS:
            self.plain = False
        elif name == b"host":
            self.hosts += 1
        elif name in _READ_HEADERS:
            value = value.strip(b" \t")
            seen = self.headers.get(name)
            self.headers[name] = value if seen is None else seen + b", " + value

    def on_message_complete(self) -> None:
        method = _METHODS.get(self.parser.get_method())
        answerable = (
            method is not None
            and self.plain
            and self.hosts == 1
            and self.fields <= MAX_FIELDS
            and self.parser.get_http_version() == "1.1"
            and self.target.startswith(b"/")
            and _PLAIN_PATH.issuperset(self.target)
        )
        self.done.append((method, self.target, self.headers) if answerable else None)


def _parse_heads(buffer: bytes) -> list[Request] | None:
    """Return the complete request heads in `buffer`, in order; None if aiohttp must judge.

    llhttp reads the whole buffer at once, as aiohttp's own llhttp reads what one
    `data_received` brought: an error anywhere in it (a bad second head, bytes after a
    `Connection: close`) makes aiohttp answer 400 to all of it, so the fast path answers
    nothing of it. Each complete head must then be one the fast path may answer, and
    stricter than llhttp: HTTP/1.1 GET or HEAD of a plain path, exactly one Host (RFC
    9112 3.2), field names of token characters and values of visible ASCII, at most
    MAX_FIELDS fields, nothing that needs a body, an upgrade, an identity or a
    correlation id. A head still arriving is not in the list.
    """
    heads = _Heads()
    try:
        heads.parser.feed_data(buffer)
    except httptools.HttpParserError:
        return None
    requests: list[Request] = []
    end = 0
    for done in heads.done:
        start, end = end, buffer.find(b"\r\n\r\n", end) + 4
        # An oversized head is aiohttp's to refuse (431), a missing end a parser mismatch.
        if done is None or end < 4 or end - start > MAX_HEAD_BYTES:
            return None
        method, target, headers = done
        assert method is not None
        if b"close" in headers.get(b"connection", b"").lower() and end < len(buffer):
            return None  # aiohttp refuses bytes after a close
        requests.append((end, method, target, headers))
    return requests


class FastPathSite(web.BaseSite):
    """A TCP site whose connections start on the fast path and fall back to the runner's server."""

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str | None,
        port: int,
        responder: Responder,
        metrics: Metrics,
        *,
        keepalive_seconds: float = KEEPALIVE_SECONDS,
    ) -> None:
        super().__init__(runner)
        self.keepalive_seconds = keepalive_seconds
        self._host = host
        self._port = port
        self.responder = responder
        self.metrics = metrics
        self.stats = FastPathStats()
        self.connections: set[FastPathProtocol] = set()

    @property
    def name(self) -> str:
        return f"http://{self._host or '0.0.0.0'}:{self.port}"  # noqa: S104 - display only

    @property
    def port(self) -> int:
        # asyncio's and uvloop's servers both have sockets; AbstractServer does not say so.
        sockets = getattr(self._server, "sockets", None)
        return int(sockets[0].getsockname()[1]) if sockets else self._port

    def fallback(self) -> asyncio.Protocol:
        server = self._runner.server
        assert server is not None
        return server()

    def record(self, method: str, prepared: Prepared, seconds: float) -> None:
        """Count a served request in the same series aiohttp's requests are counted in."""
        self.stats.served += 1
        self.metrics.http_request(method, prepared.route, prepared.status).inc()
        self.metrics.http_latency_of(prepared.route).observe(seconds)
        self.metrics.fast_path("served").inc()

    def record_hand_off(self) -> None:
        self.stats.handed_off += 1
        self.metrics.fast_path("handed_off").inc()

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: FastPathProtocol(self), self._host, self._port, backlog=self._backlog
        )

    async def stop(self) -> None:
        await super().stop()
        for connection in list(self.connections):
            connection.close()
