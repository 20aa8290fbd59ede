"""Inspect, replay and drop the dead letters of a consumer queue.

The services' admin API (`shared/ops/service_api.py`) and `python -m shared.ops
dead-letters` use these functions through a running service; `python -m shared.deadletters`
uses them straight on the broker, for when the services are down.

A dead letter is named by its message id (the CloudEvent id), or, for a foreign message
that has none, by the hash of its body. The same event can sit in a dead-letter queue
more than once (published twice, replayed and failed again): replaying it puts one copy
back on its queue and removes every copy, so an operator's replay happens once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage
from pamqp.commands import Basic

from shared.constants import (
    ATTEMPT_HEADER,
    DEAD_LETTERED_AT_HEADER,
    ERROR_HEADER,
    dead_letter_queue,
)
from shared.messaging import copy_message

REPLAYS_HEADER: Final = "x-sec-replays"
# A search for given ids holds every message it reads until it is done; this bounds the
# memory one request may take. Beyond it, a letter is reported missing, not lost.
SCAN_LIMIT: Final = 10_000


class QueueUnavailable(RuntimeError):
    """The dead-letter queue cannot be read: the broker is unreachable or the queue missing."""


@dataclass(frozen=True)
class FirstDeath:
    """Where and why the broker first dead-lettered a message (its x-death record)."""

    queue: str
    reason: str
    at: datetime | None


@dataclass(frozen=True)
class DeadLetter:
    """One message in a dead-letter queue, as an operator needs to judge it."""

    id: str
    queue: str
    message_id: str | None
    type: str | None
    attempts: int | None
    reason: str | None
    first_death: FirstDeath | None
    replays: int
    size: int
    headers: dict[str, Any]
    body: bytes

    def summary(self) -> dict[str, Any]:
        """Return what a listing shows: everything but the headers and the payload."""
        return {
            "id": self.id,
            "queue": self.queue,
            "message_id": self.message_id,
            "type": self.type,
            "attempts": self.attempts,
            "reason": self.reason,
            "first_death": None
            if self.first_death is None
            else {
                "queue": self.first_death.queue,
                "reason": self.first_death.reason,
                "at": self.first_death.at,
            },
            "replays": self.replays,
            "size": self.size,
        }

    def detail(self) -> dict[str, Any]:
        """Return the summary with every header and the payload (JSON, text or base64)."""
        return {**self.summary(), "headers": plain(self.headers), **payload_of(self.body)}


def letter_id(message: AbstractIncomingMessage) -> str:
    """Return the id a dead letter is named by: its message id, else its body's hash."""
    if message.message_id:
        return message.message_id
    return "sha256-" + hashlib.sha256(message.body).hexdigest()[:32]


def payload_of(body: bytes) -> dict[str, Any]:
    """Return the body as JSON if it is, as text if it is UTF-8, else as base64."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return {"payload_encoding": "base64", "payload": base64.b64encode(body).decode()}
    try:
        return {"payload_encoding": "json", "payload": json.loads(text)}
    except ValueError:
        return {"payload_encoding": "text", "payload": text}


def plain(value: Any) -> Any:
    """Return AMQP header values as JSON-ready ones (tables, arrays, bytes, timestamps)."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode(errors="replace")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _text(value: Any) -> str | None:
    return None if value is None else str(plain(value))


def _instant(text: str) -> datetime | None:
    """Read the consumer's timestamp; a foreign or garbled one is unknown, never an error."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _first_death(queue: str, headers: Mapping[str, Any]) -> FirstDeath | None:
    died_in, reason = _text(headers.get("x-first-death-queue")), headers.get("x-first-death-reason")
    if died_in is None:
        # Put there by `queue`'s consumer itself (no retry could help, or retries ran out).
        forwarded = _text(headers.get(DEAD_LETTERED_AT_HEADER))
        if forwarded is None:
            return None
        return FirstDeath(queue, "rejected by its consumer", _instant(forwarded))
    at = None
    for death in headers.get("x-death") or []:
        if isinstance(death, Mapping) and _text(death.get("queue")) == died_in:
            time = death.get("time")
            at = time if isinstance(time, datetime) else None
    return FirstDeath(died_in, _text(reason) or "unknown", at)


def dead_letter(queue: str, message: AbstractIncomingMessage) -> DeadLetter:
    """Read what the consumer and the broker recorded on a dead-lettered message."""
    headers = dict(message.headers or {})
    attempts = headers.get(ATTEMPT_HEADER)
    first_death = _first_death(queue, headers)
    return DeadLetter(
        id=letter_id(message),
        queue=queue,
        message_id=message.message_id,
        type=message.type,
        attempts=int(str(attempts)) if attempts is not None else None,
        # The consumer's own record of the last error; else the broker's (delivery limit).
        reason=_text(headers.get(ERROR_HEADER))
        or (first_death.reason if first_death is not None else None),
        first_death=first_death,
        replays=int(str(headers.get(REPLAYS_HEADER, 0))),
        size=len(message.body),
        headers=headers,
        body=message.body,
    )


@asynccontextmanager
async def _channel(connection: AbstractConnection) -> AsyncIterator[AbstractChannel]:
    """A channel of one operation's own, with publisher confirms; closing it returns the rest."""
    try:
        channel = await connection.channel(publisher_confirms=True)
    except (aio_pika.exceptions.AMQPError, RuntimeError, OSError) as exc:
        raise QueueUnavailable(f"the broker is not reachable ({exc!r})") from exc
    try:
        yield channel
    finally:
        with suppress(Exception):
            await channel.close()


@asynccontextmanager
async def _held(
    channel: AbstractChannel, queue: str, limit: int
) -> AsyncIterator[list[AbstractIncomingMessage]]:
    """Take up to `limit` dead letters without acking them; whatever is not acked goes back.

    While held they are invisible to other readers, so one pass sees each message once.
    """
    try:
        dlq = await channel.declare_queue(dead_letter_queue(queue), passive=True)
    except aio_pika.exceptions.AMQPError as exc:
        raise QueueUnavailable(f"{dead_letter_queue(queue)} cannot be read ({exc!r})") from exc
    held: list[AbstractIncomingMessage] = []
    try:
        while len(held) < limit:
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            held.append(message)
        yield held
    finally:
        for message in held:
            if not message.processed:
                with suppress(Exception):
                    await message.nack(requeue=True)


async def count_dead_letters(connection: AbstractConnection, queue: str) -> int:
    """Return how many messages the queue's dead-letter queue holds."""
    async with _channel(connection) as channel:
        try:
            dlq = await channel.declare_queue(dead_letter_queue(queue), passive=True)
        except aio_pika.exceptions.AMQPError as exc:
            raise QueueUnavailable(f"{dead_letter_queue(queue)} cannot be read ({exc!r})") from exc
        declared = dlq.declaration_result
        return int(declared.message_count or 0)


async def list_dead_letters(
    connection: AbstractConnection, queue: str, limit: int
) -> list[DeadLetter]:
    """Return up to `limit` dead letters, oldest first, leaving them in place."""
    async with _channel(connection) as channel, _held(channel, queue, limit) as held:
        return [dead_letter(queue, message) for message in held]


async def find_dead_letter(
    connection: AbstractConnection, queue: str, wanted: str
) -> DeadLetter | None:
    """Return the first dead letter named `wanted`, leaving it in place."""
    async with _channel(connection) as channel, _held(channel, queue, SCAN_LIMIT) as held:
        for message in held:
            if letter_id(message) == wanted:
                return dead_letter(queue, message)
    return None


@dataclass(frozen=True)
class Handled:
    """Which of the asked-for dead letters an operation acted on, and which it did not find."""

    done: list[str]
    missing: list[str]


def _by_id(
    held: Iterable[AbstractIncomingMessage], wanted: set[str] | None
) -> dict[str, list[AbstractIncomingMessage]]:
    found: dict[str, list[AbstractIncomingMessage]] = {}
    for message in held:
        name = letter_id(message)
        if wanted is None or name in wanted:
            found.setdefault(name, []).append(message)
    return found


async def replay_dead_letters(
    connection: AbstractConnection, queue: str, ids: Iterable[str] | None, limit: int = SCAN_LIMIT
) -> Handled:
    """Put the named dead letters (all, up to `limit`, if `ids` is None) back on `queue`.

    Each goes back once, with a fresh attempt count and its replay counted, and only once
    the broker has confirmed the copy into the queue are its dead-letter copies removed.
    """
    wanted = None if ids is None else set(ids)
    scan = limit if wanted is None else SCAN_LIMIT
    async with _channel(connection) as channel, _held(channel, queue, scan) as held:
        found = _by_id(held, wanted)
        for copies in found.values():
            first = copies[0]
            replays = int(str((first.headers or {}).get(REPLAYS_HEADER, 0))) + 1
            confirmation = await channel.default_exchange.publish(
                copy_message(first, {ATTEMPT_HEADER: 1, REPLAYS_HEADER: replays}),
                routing_key=queue,
                mandatory=True,
            )
            if not isinstance(confirmation, Basic.Ack):
                raise QueueUnavailable(f"{queue} did not take the replayed message")
            for message in copies:
                await message.ack()
    return Handled(list(found), sorted((wanted or set()) - set(found)))


async def drop_dead_letters(
    connection: AbstractConnection, queue: str, ids: Iterable[str]
) -> Handled:
    """Remove every copy of the named dead letters for good."""
    wanted = set(ids)
    async with _channel(connection) as channel, _held(channel, queue, SCAN_LIMIT) as held:
        found = _by_id(held, wanted)
        for copies in found.values():
            for message in copies:
                await message.ack()
    return Handled(list(found), sorted(wanted - set(found)))


async def _with_connection(amqp_url: str, action: str, queue: str, limit: int) -> str:
    connection = await aio_pika.connect(amqp_url)
    try:
        if action == "list":
            letters = await list_dead_letters(connection, queue, limit)
            return json.dumps([letter.detail() for letter in letters], indent=2, default=str)
        handled = await replay_dead_letters(connection, queue, None, limit)
        return f"replayed {len(handled.done)} message(s) to {queue}"
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m shared.deadletters",
        description="Dead letters straight on the broker; with the services up, prefer "
        "python -m shared.ops dead-letters.",
    )
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument(
        "--queue", required=True, help="consumer queue, e.g. calendar.registry-events"
    )
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument(
        "--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    args = parser.parse_args()
    print(asyncio.run(_with_connection(args.amqp_url, args.action, args.queue, args.limit)))


if __name__ == "__main__":
    main()
