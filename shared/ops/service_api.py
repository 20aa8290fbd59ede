"""The admin routes every service serves: its outbox backlog and the dead letters of its queues.

Each service mounts them from its `web/admin.py` (`add_platform_routes`), beside its own
admin routes; `python -m shared.ops` and the staff console call them over HTTP
(docs/decisions/ops-admin-api.md). Admin role only: dead letters hold event payloads of
any classification.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, Final, TypeVar

import aio_pika
from aio_pika.abc import AbstractConnection
from aio_pika.exceptions import ChannelInvalidStateError
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from pymongo import ASCENDING

from shared.app import PLATFORM
from shared.auth import PRINCIPAL_KEY, ROLE_ADMIN
from shared.deadletters import (
    Handled,
    QueueUnavailable,
    count_dead_letters,
    drop_dead_letters,
    find_dead_letter,
    list_dead_letters,
    replay_dead_letters,
)
from shared.errors import Problem
from shared.openapi import Operations, PathParam, Reply, publish
from shared.ops.responses import (
    DeadLetter,
    DeadLetterList,
    DeadLetterQueues,
    Dropped,
    OutboxBacklog,
    Replayed,
    admin_json,
)
from shared.outbox import PENDING, Outbox
from shared.text import StrictCleanText
from shared.topology import CONSUMER_QUEUES
from shared.web import read_model, read_query

log = logging.getLogger(__name__)

ADMIN_PREFIX: Final = "/api/v1/admin"
T = TypeVar("T")
LetterId = Annotated[StrictCleanText, Field(min_length=1, max_length=200)]


@dataclass(frozen=True)
class Backlog:
    """What waits in a service's outbox for the broker."""

    service: str
    pending: int
    oldest_pending_at: datetime | None

    def as_json(self, now: datetime) -> dict[str, Any]:
        oldest = self.oldest_pending_at
        return {
            "service": self.service,
            "pending": self.pending,
            "oldest_pending_at": oldest,
            "oldest_age_seconds": None if oldest is None else (now - oldest).total_seconds(),
        }


async def outbox_backlog(outbox: Outbox) -> Backlog:
    """Count the pending outbox records and find the oldest (both on the state index)."""
    pending = await outbox.collection.count_documents({"state": PENDING})
    oldest = await outbox.collection.find_one(
        {"state": PENDING}, sort=[("created_at", ASCENDING)], projection={"created_at": 1}
    )
    at = None if oldest is None else oldest["created_at"]
    if isinstance(at, datetime) and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # PyMongo hands back naive UTC
    return Backlog(outbox.service, pending, at)


def queues_of(service: str) -> list[str]:
    """Return the consumer queues a service owns (shared/topology.py)."""
    return [queue.name for queue in CONSUMER_QUEUES if queue.service == service]


class ListQuery(BaseModel):
    """`?limit=` of a dead-letter listing."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(100, ge=1, le=1000, description="How many letters to show, oldest first.")


class LettersBody(BaseModel):
    """Which dead letters to replay or drop, by id (as listed)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    ids: list[LetterId] = Field(min_length=1, max_length=100)


def _connection(request: web.Request) -> AbstractConnection:
    return request.app[PLATFORM].broker.connection


def _queue(request: web.Request) -> str:
    queue = request.match_info["queue"]
    service = request.app[PLATFORM].service
    if queue not in queues_of(service):
        raise Problem(
            404,
            "Not Found",
            f"{service} has no queue {queue[:100]!r}; its queues: "
            + (", ".join(queues_of(service)) or "none"),
        )
    return queue


async def _broker_call(call: Callable[[], Awaitable[T]]) -> T:
    """Run a dead-letter operation; a broker that cannot be reached is a 503, not a 500."""
    try:
        return await call()
    except (
        QueueUnavailable,
        aio_pika.exceptions.AMQPError,
        ChannelInvalidStateError,
        ConnectionError,
    ) as exc:
        raise Problem(
            503,
            "Service Unavailable",
            f"The dead letters cannot be read now: {exc}",
            headers={"Retry-After": "5"},
        ) from exc


def who(request: web.Request) -> str:
    """Return the subject of the caller's token, for the log of what an admin did."""
    principal = request.get(PRINCIPAL_KEY)
    return "unknown" if principal is None else principal.subject


ADMIN = Operations("admin")
QUEUE = {
    "queue": PathParam(
        "One of the service's consumer queues (GET /api/v1/admin/dead-letters lists them).",
        "notifier.deliveries",
    )
}
LETTER = {
    "letter_id": PathParam(
        "A dead letter's id as listed: its message id, or sha256-<hash> of its body.",
        "3f2c9a4e-0d8b-4c55-9a51-1b7f6e2d9c10",
    )
}
NO_QUEUE = "This service has no such consumer queue."
BROKER_DOWN = "The broker cannot be reached now; try again after Retry-After seconds."


@ADMIN.add(
    "GET",
    f"{ADMIN_PREFIX}/outbox",
    summary="How many events wait in this service's outbox for the broker, and for how long",
    roles=(ROLE_ADMIN,),
    replies={200: Reply("The pending count and the oldest pending event's time.", OutboxBacklog)},
)
async def show_outbox(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    backlog = await outbox_backlog(platform.outbox)
    return admin_json(OutboxBacklog, backlog.as_json(datetime.now(UTC)))


@ADMIN.add(
    "GET",
    f"{ADMIN_PREFIX}/dead-letters",
    summary="This service's consumer queues and how many dead letters each holds",
    roles=(ROLE_ADMIN,),
    replies={200: Reply("Every consumer queue of the service with its count.", DeadLetterQueues)},
    problems={503: BROKER_DOWN},
)
async def count_dead_letters_by_queue(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    counts = []
    for queue in queues_of(platform.service):
        count = await _broker_call(partial(count_dead_letters, _connection(request), queue))
        counts.append({"queue": queue, "dead_letters": count})
    return admin_json(DeadLetterQueues, {"service": platform.service, "queues": counts})


@ADMIN.add(
    "GET",
    f"{ADMIN_PREFIX}/dead-letters/{{queue}}",
    summary="List a queue's dead letters, oldest first, without their payloads",
    description="The letters are read and given back to the queue in their order.",
    query=ListQuery,
    path_params=QUEUE,
    roles=(ROLE_ADMIN,),
    replies={200: Reply("The queue's count and its first `limit` letters.", DeadLetterList)},
    problems={404: NO_QUEUE, 503: BROKER_DOWN},
)
async def list_queue_dead_letters(request: web.Request) -> web.Response:
    queue = _queue(request)
    query = read_query(request, ListQuery)
    connection = _connection(request)
    total = await _broker_call(lambda: count_dead_letters(connection, queue))
    letters = await _broker_call(lambda: list_dead_letters(connection, queue, query.limit))
    return admin_json(
        DeadLetterList,
        {"queue": queue, "count": total, "dead_letters": [letter.summary() for letter in letters]},
    )


@ADMIN.add(
    "GET",
    f"{ADMIN_PREFIX}/dead-letters/{{queue}}/{{letter_id}}",
    summary="Show one dead letter with its headers and payload",
    path_params={**QUEUE, **LETTER},
    roles=(ROLE_ADMIN,),
    replies={200: Reply("The letter, its headers and its payload.", DeadLetter)},
    problems={404: f"{NO_QUEUE} Or: no dead letter with this id.", 503: BROKER_DOWN},
)
async def show_dead_letter(request: web.Request) -> web.Response:
    queue = _queue(request)
    wanted = request.match_info["letter_id"]
    letter = await _broker_call(lambda: find_dead_letter(_connection(request), queue, wanted))
    if letter is None:
        raise Problem(404, "Not Found", f"No dead letter {wanted[:100]!r} in {queue}.dlq.")
    return admin_json(DeadLetter, letter.detail())


def _handled(queue: str, verb: str, handled: Handled) -> dict[str, Any]:
    return {"queue": queue, verb: handled.done, "missing": handled.missing}


LETTERS_EXAMPLE: Final = {"ids": ["3f2c9a4e-0d8b-4c55-9a51-1b7f6e2d9c10"]}


@ADMIN.add(
    "POST",
    f"{ADMIN_PREFIX}/dead-letters/{{queue}}/replay",
    summary="Put dead letters back on their queue, once each, for their consumer to try again",
    description="Every copy of each id leaves the dead-letter queue once the broker has "
    "confirmed one copy back on the queue; ids not found are listed as missing.",
    body=LettersBody,
    path_params=QUEUE,
    roles=(ROLE_ADMIN,),
    replies={200: Reply("The ids replayed and those not found.", Replayed)},
    problems={404: NO_QUEUE, 503: BROKER_DOWN},
    example=LETTERS_EXAMPLE,
)
async def replay_queue_dead_letters(request: web.Request) -> web.Response:
    queue = _queue(request)
    body = await read_model(request, LettersBody)
    handled = await _broker_call(lambda: replay_dead_letters(_connection(request), queue, body.ids))
    log.info("%s replayed %d dead letter(s) to %s", who(request), len(handled.done), queue)
    return admin_json(Replayed, _handled(queue, "replayed", handled))


@ADMIN.add(
    "POST",
    f"{ADMIN_PREFIX}/dead-letters/{{queue}}/drop",
    summary="Remove dead letters for good",
    body=LettersBody,
    path_params=QUEUE,
    roles=(ROLE_ADMIN,),
    replies={200: Reply("The ids dropped and those not found.", Dropped)},
    problems={404: NO_QUEUE, 503: BROKER_DOWN},
    example=LETTERS_EXAMPLE,
)
async def drop_queue_dead_letters(request: web.Request) -> web.Response:
    queue = _queue(request)
    body = await read_model(request, LettersBody)
    handled = await _broker_call(lambda: drop_dead_letters(_connection(request), queue, body.ids))
    log.info("%s dropped dead letter(s) %s of %s", who(request), ", ".join(handled.done), queue)
    return admin_json(Dropped, _handled(queue, "dropped", handled))


def add_platform_routes(app: web.Application) -> None:
    """Publish the routes every service has: outbox backlog and dead letters."""
    publish(app, ADMIN)
