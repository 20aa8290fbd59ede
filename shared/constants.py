"""Hold the names of exchanges, queues and platform collections in one place."""

from __future__ import annotations

EVENTS_EXCHANGE = "sec.events"

ATTEMPT_HEADER = "x-sec-attempt"
ERROR_HEADER = "x-sec-last-error"
# When a consumer put a message in its dead-letter queue (the broker records its own in x-death).
DEAD_LETTERED_AT_HEADER = "x-sec-dead-lettered-at"


def outbox_collection(service: str) -> str:
    return f"{service}_outbox"


def processed_collection(service: str) -> str:
    return f"{service}_processed_events"


def leases_collection(service: str) -> str:
    return f"{service}_leases"


def consumer_queue(service: str, consumer: str) -> str:
    return f"{service}.{consumer}"


def retry_queue(queue: str, delay_ms: int) -> str:
    # The delay is part of the name: a queue's TTL cannot change once declared, so a new
    # retry setting declares new queues instead of failing on the old ones.
    return f"{queue}.retry.{delay_ms}ms"


# Deliveries of one message before the broker dead-letters it: the safety net for a message
# that kills the consumer before it can ack (handled failures are retried by republishing).
CRASH_DELIVERY_LIMIT = 10


def dead_letter_queue(queue: str) -> str:
    return f"{queue}.dlq"
