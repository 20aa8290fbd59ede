"""Run the SMTP and HTTP sides of the mail sink together in the running event loop."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP

from shared.mailsink.smtp import RcptFault, SinkHandler
from shared.mailsink.store import MessageStore
from shared.mailsink.web import create_app

HOSTNAME = "mailsink.localhost"
DATA_SIZE_LIMIT = 32 * 1024 * 1024


class MailSink:
    """A running sink: its bound ports, its store and faults, and how to stop it."""

    def __init__(
        self,
        *,
        smtp_server: asyncio.Server,
        http_runner: web.AppRunner,
        handler: SinkHandler,
        connections: weakref.WeakSet[Any],
    ) -> None:
        """Wrap servers already listening; use start_mailsink() to make one."""
        self._smtp_server = smtp_server
        self._http_runner = http_runner
        self._handler = handler
        self._connections = connections
        self.smtp_port: int = smtp_server.sockets[0].getsockname()[1]
        self.http_port: int = _port_of(http_runner)

    @property
    def store(self) -> MessageStore:
        """Return the messages, for in-process tests that skip the HTTP API."""
        return self._handler.store

    @property
    def faults(self) -> list[RcptFault]:
        """Return the active RCPT faults."""
        return self._handler.faults

    @faults.setter
    def faults(self, faults: Sequence[RcptFault]) -> None:
        """Replace the RCPT faults; new transactions see them at once."""
        self._handler.faults = list(faults)

    async def close(self) -> None:
        """Stop listening, drop open SMTP sessions and stop the HTTP server."""
        self._smtp_server.close()
        for protocol in list(self._connections):
            if protocol.transport is not None:
                protocol.transport.close()
        await self._smtp_server.wait_closed()
        await self._http_runner.cleanup()


async def start_mailsink(
    *,
    smtp_host: str,
    smtp_port: int,
    http_host: str,
    http_port: int,
    directory: str | Path,
    faults: Sequence[RcptFault] = (),
) -> MailSink:
    """Load the messages kept in directory and start listening; port 0 picks a free port."""
    store = MessageStore(Path(directory))
    await store.load()
    handler = SinkHandler(store, list(faults))
    connections: weakref.WeakSet[Any] = weakref.WeakSet()
    loop = asyncio.get_running_loop()

    def new_session() -> Any:
        # hostname given, or aiosmtpd resolves the FQDN (a DNS lookup) per connection.
        protocol = SMTP(
            handler,
            hostname=HOSTNAME,
            ident="SEC mailsink",
            data_size_limit=DATA_SIZE_LIMIT,
            enable_SMTPUTF8=True,
            loop=loop,
        )
        connections.add(protocol)
        return protocol

    smtp_server = await loop.create_server(new_session, smtp_host, smtp_port, reuse_address=True)
    runner = web.AppRunner(create_app(store), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, http_host, http_port).start()
    except BaseException:
        smtp_server.close()
        await runner.cleanup()
        raise
    return MailSink(
        smtp_server=smtp_server, http_runner=runner, handler=handler, connections=connections
    )


def _port_of(runner: web.AppRunner) -> int:
    address: Any = runner.addresses[0]
    return int(address[1])
