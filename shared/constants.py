"""Hold the names of exchanges, queues and platform collections in one place."""

from __future__ import annotations

EVENTS_EXCHANGE = "sec.events"

ATTEMPT_HEADER = "x-sec-attempt"
ERROR_HEADER = "x-sec-last-error"


def outbox_collection(service: str) -> str:
    return f"{service}_outbox"


def processed_collection(service: str) -> str:
    return f"{service}_processed_events"


def leases_collection(service: str) -> str:
    return f"{service}_leases"


def consumer_queue(service: str, consumer: str) -> str:
    return f"{service}.{consumer}"


def retry_queue(queue: str, attempt: int) -> str:
    return f"{queue}.retry.{attempt}"


def dead_letter_queue(queue: str) -> str:
    return f"{queue}.dlq"
