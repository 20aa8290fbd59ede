"""Inspect and replay a consumer's dead-letter queue: python -m shared.deadletters."""

from __future__ import annotations

import argparse
import asyncio
import json
import os

import aio_pika

from shared.constants import ATTEMPT_HEADER, ERROR_HEADER, dead_letter_queue
from shared.messaging import copy_message


async def list_dead_letters(amqp_url: str, queue: str, limit: int) -> list[dict[str, object]]:
    """Return up to `limit` dead letters without removing them."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        dlq = await channel.declare_queue(dead_letter_queue(queue), passive=True)
        seen: list[dict[str, object]] = []
        held = []
        while len(seen) < limit:
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            held.append(message)
            headers = message.headers or {}
            seen.append(
                {
                    "message_id": message.message_id,
                    "type": message.type,
                    "attempts": headers.get(ATTEMPT_HEADER),
                    "last_error": headers.get(ERROR_HEADER),
                    "body": message.body[:300].decode(errors="replace"),
                }
            )
        for message in held:
            await message.nack(requeue=True)
        return seen
    finally:
        await connection.close()


async def replay_dead_letters(amqp_url: str, queue: str, limit: int) -> int:
    """Move up to `limit` dead letters back to `queue` with a fresh attempt count."""
    connection = await aio_pika.connect(amqp_url)
    replayed = 0
    try:
        channel = await connection.channel(publisher_confirms=True)
        dlq = await channel.declare_queue(dead_letter_queue(queue), passive=True)
        while replayed < limit:
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            await channel.default_exchange.publish(
                copy_message(message, {ATTEMPT_HEADER: 1}), routing_key=queue
            )
            await message.ack()
            replayed += 1
        return replayed
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument(
        "--queue", required=True, help="consumer queue, e.g. calendar.registry-events"
    )
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument(
        "--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    args = parser.parse_args()
    if args.action == "list":
        letters = asyncio.run(list_dead_letters(args.amqp_url, args.queue, args.limit))
        print(json.dumps(letters, indent=2, default=str))
    else:
        count = asyncio.run(replay_dead_letters(args.amqp_url, args.queue, args.limit))
        print(f"replayed {count} message(s) to {args.queue}")


if __name__ == "__main__":
    main()
