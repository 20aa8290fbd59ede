"""Sign email with DKIM and send it over a small pool of aiosmtplib connections."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Final

import aiosmtplib
import dkim
from yarl import URL

from services.notifier.domain.mail import wire_bytes
from shared.settings import NotifierSettings

log = logging.getLogger(__name__)

# What the signature covers: what a reader sees and trusts, and the one-click headers
# (RFC 8058 section 4: List-Unsubscribe and List-Unsubscribe-Post MUST be signed).
SIGNED_HEADERS: Final = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"auto-submitted",
)


@dataclass(frozen=True)
class DkimSigner:
    """Sign a message's wire bytes with one key: d=`domain`, s=`selector`, rsa-sha256."""

    domain: str
    selector: str
    private_key: bytes = field(repr=False)  # PEM; never in a log line or a traceback

    @classmethod
    def from_settings(cls, settings: NotifierSettings) -> DkimSigner | None:
        """Return the configured signer (checked by signing once), or None, saying which."""
        if settings.dkim_private_key is None or settings.dkim_selector is None:
            log.warning(
                "DKIM signing is off: outgoing mail is unsigned "
                "(set DKIM_PRIVATE_KEY and DKIM_SELECTOR; see docs/deliverability.md)"
            )
            return None
        configured = settings.dkim_private_key.get_secret_value().strip()
        try:
            pem = (
                # An environment variable may carry the PEM's line breaks as literal "\\n".
                configured.replace("\\n", "\n").encode()
                if configured.startswith("-----BEGIN")
                else Path(configured).expanduser().read_bytes()
            )
        except OSError as exc:
            raise ValueError(f"DKIM_PRIVATE_KEY: cannot read the key file: {exc}") from exc
        from_domain = parseaddr(settings.mail_from)[1].rpartition("@")[2].lower()
        signer = cls(
            domain=(settings.dkim_domain or from_domain).lower(),
            selector=settings.dkim_selector,
            private_key=pem,
        )
        # Fail at start-up, not at the first email, when the key is not a usable one.
        try:
            signer.sign(b"From: check@" + signer.domain.encode() + b"\r\n\r\ncheck\r\n")
        except (dkim.DKIMException, ValueError) as exc:
            raise ValueError(f"DKIM_PRIVATE_KEY is not a usable RSA private key: {exc}") from exc
        aligned = from_domain == signer.domain or from_domain.endswith("." + signer.domain)
        log.info(
            "DKIM signing on: d=%s s=%s%s",
            signer.domain,
            signer.selector,
            "" if aligned else f" (not aligned with the From domain {from_domain}: DMARC fails)",
        )
        return signer

    def sign(self, raw: bytes) -> bytes:
        """Return `raw` with a DKIM-Signature header in front (relaxed/relaxed)."""
        present = {
            line.split(b":", 1)[0].strip().lower()
            for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            if line[:1] not in (b" ", b"\t")
        }
        signature = dkim.sign(
            raw,
            self.selector.encode(),
            self.domain.encode(),
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[name for name in SIGNED_HEADERS if name in present],
            linesep=b"\r\n",
        )
        return bytes(signature) + raw


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


class SmtpConnection:
    """One pooled connection, used by one task at a time for one mail transaction.

    The transaction is split where it commits: `open` sends the envelope (MAIL, RCPT),
    which commits nothing (a server drops an unfinished transaction), and `deliver`
    sends DATA and the message, after which the email is out. A caller can so do the
    envelope of one email while an earlier one's outcome is still being stored.
    """

    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client
        self.last_used = time.monotonic()
        # Whether the session is known to be between transactions, fit for the next one.
        self.clean = True

    async def open(self, sender: str, recipient: str, size: int) -> None:
        """Start a transaction for one recipient of a `size`-octet message, or raise why not."""
        self.clean = False
        options = [f"SIZE={size}"] if self.client.supports_extension("size") else []
        try:
            await self.client.mail(sender, options=options)
            await self.client.rcpt(recipient)
        except aiosmtplib.SMTPRecipientRefused as exc:
            # Only this recipient is refused: the session stays usable once reset.
            await self._reset()
            raise _classify(exc.code, str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _classify(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryFailure(repr(exc)) from exc

    async def deliver(self, raw: bytes) -> None:
        """Send the message of the open transaction; once this returns, the email is out."""
        try:
            await self.client.data(raw)
        except aiosmtplib.SMTPResponseException as exc:
            raise _classify(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryFailure(repr(exc)) from exc
        self.clean = True

    async def _reset(self) -> None:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            await self.client.rset()
            self.clean = True


class SmtpPool:
    """At most `size` connections; a connection is used by one task at a time, never shared.

    aiosmtplib mixes up replies when two tasks share one client, so each transaction
    takes a connection out of the pool, and it goes back only if the session ended
    cleanly. Servers drop idle sessions silently, so a connection idle longer than
    `idle_seconds` is replaced rather than trusted.
    """

    def __init__(
        self,
        target: SmtpTarget,
        size: int,
        *,
        signer: DkimSigner | None = None,
        idle_seconds: float = 30.0,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._target = target
        self._signer = signer
        self._slots = asyncio.Semaphore(size)
        self._idle_seconds = idle_seconds
        self._timeout = timeout_seconds
        self._free: list[SmtpConnection] = []

    def wire(self, message: EmailMessage) -> bytes:
        """Return the exact bytes to send (`wire_bytes`, signed), never re-flattened later."""
        raw = wire_bytes(message)
        return raw if self._signer is None else self._signer.sign(raw)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[SmtpConnection]:
        """Lend a connection; it returns to the pool if its session ended cleanly.

        An error or a cancellation in the middle of a transaction leaves the session in
        a state no one knows, so that connection is closed instead.
        """
        async with self._slots:
            try:
                connection = await self._take()
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                raise TemporaryFailure(repr(exc)) from exc
            try:
                yield connection
            finally:
                if connection.clean and connection.client.is_connected:
                    connection.last_used = time.monotonic()
                    self._free.append(connection)
                else:
                    _discard(connection)

    async def _connect(self) -> SmtpConnection:
        client = aiosmtplib.SMTP(
            hostname=self._target.host,
            port=self._target.port,
            timeout=self._timeout,
            start_tls=self._target.starttls,
            username=self._target.username,
            password=self._target.password,
        )
        await client.connect()
        return SmtpConnection(client)

    async def _take(self) -> SmtpConnection:
        while self._free:
            connection = self._free.pop()
            fresh = time.monotonic() - connection.last_used < self._idle_seconds
            if fresh and connection.client.is_connected:
                return connection
            _discard(connection)
        return await self._connect()

    async def close(self) -> None:
        """Say QUIT on every idle connection."""
        free, self._free = self._free, []
        for connection in free:
            with contextlib.suppress(Exception):
                await connection.client.quit()


def _discard(connection: SmtpConnection) -> None:
    with contextlib.suppress(Exception):
        connection.client.close()


def _classify(code: int, text: str) -> Exception:
    if 400 <= code < 500:
        return TemporaryFailure(f"{code} {text}")
    return PermanentFailure(f"{code} {text}")
