"""Send email over a small pool of aiosmtplib connections, one per concurrent send."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib
from yarl import URL

from services.notifier.domain.mail import wire_bytes

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """4xx replies, timeouts and connection errors: try again later."""


class PermanentFailure(Exception):
    """5xx replies: the address or message is refused for good."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to connect, read from SMTP_URL `smtp://[user:pass@]host:port[?starttls=1]`."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parsed = URL(url)
        if parsed.scheme not in {"smtp", "smtps"} or not parsed.host:
            raise ValueError("SMTP_URL must look like smtp://[user:pass@]host:port[?starttls=1]")
        return cls(
            host=parsed.host,
            port=parsed.port or 25,
            username=parsed.user,
            password=parsed.password,
            starttls=parsed.query.get("starttls", "0").lower() in {"1", "true", "yes"},
        )


class _Connection:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client
        self.last_used = time.monotonic()


class SmtpPool:
    """At most `size` connections; a connection is used by one task at a time, never shared.

    aiosmtplib mixes up replies when two tasks share one client, so each send takes a
    connection out of the pool and puts it back only after a clean transaction. Servers
    drop idle sessions silently, so a connection idle longer than `idle_seconds` is
    replaced rather than trusted.
    """

    def __init__(
        self,
        target: SmtpTarget,
        size: int,
        *,
        idle_seconds: float = 30.0,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._target = target
        self._slots = asyncio.Semaphore(size)
        self._idle_seconds = idle_seconds
        self._timeout = timeout_seconds
        self._free: list[_Connection] = []

    async def _connect(self) -> _Connection:
        client = aiosmtplib.SMTP(
            hostname=self._target.host,
            port=self._target.port,
            timeout=self._timeout,
            start_tls=self._target.starttls,
            username=self._target.username,
            password=self._target.password,
        )
        await client.connect()
        return _Connection(client)

    async def _take(self) -> _Connection:
        while self._free:
            connection = self._free.pop()
            fresh = time.monotonic() - connection.last_used < self._idle_seconds
            if fresh and connection.client.is_connected:
                return connection
            await self._discard(connection)
        return await self._connect()

    @staticmethod
    async def _discard(connection: _Connection) -> None:
        with contextlib.suppress(Exception):
            connection.client.close()

    async def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Send to one recipient; raise TemporaryFailure or PermanentFailure when refused.

        The message goes as the exact bytes `wire_bytes` makes, never re-flattened by
        the client library.
        """
        raw = wire_bytes(message)
        async with self._slots:
            connection: _Connection | None = None
            try:
                connection = await self._take()
                refused, _ = await connection.client.sendmail(sender, [recipient], raw)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                # The transaction ended cleanly; the connection stays usable.
                codes = [refusal.code for refusal in exc.recipients]
                self._release(connection)
                raise _classify(min(codes, default=450), str(exc)) from exc
            except aiosmtplib.SMTPResponseException as exc:
                await self._drop(connection)
                raise _classify(exc.code, exc.message) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._drop(connection)
                raise TemporaryFailure(repr(exc)) from exc
            except BaseException:
                # Cancelled mid-transaction: the session state is unknown.
                await self._drop(connection)
                raise
            # aiosmtplib reports per-recipient refusals without raising when some succeed.
            if recipient in refused:
                self._release(connection)
                raise _classify(refused[recipient].code, refused[recipient].message)
            self._release(connection)

    def _release(self, connection: _Connection | None) -> None:
        if connection is not None:
            connection.last_used = time.monotonic()
            self._free.append(connection)

    async def _drop(self, connection: _Connection | None) -> None:
        if connection is not None:
            await self._discard(connection)

    async def close(self) -> None:
        """Say QUIT on every idle connection."""
        free, self._free = self._free, []
        for connection in free:
            with contextlib.suppress(Exception):
                await connection.client.quit()


def _classify(code: int, text: str) -> Exception:
    if 400 <= code < 500:
        return TemporaryFailure(f"{code} {text}")
    return PermanentFailure(f"{code} {text}")
