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
from shared.auth import PRINCIPAL_KEY, ROLE_ADMIN, requires
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
from shared.outbox import PENDING, Outbox
from shared.text import StrictCleanText
from shared.topology import CONSUMER_QUEUES
from shared.web import json_response, read_model, read_query

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

    limit: int = Field(100, ge=1, le=1000)


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


@requires(ROLE_ADMIN)
async def outbox_view(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    backlog = await outbox_backlog(platform.outbox)
    return json_response(backlog.as_json(datetime.now(UTC)))


@requires(ROLE_ADMIN)
async def queues_view(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    counts = []
    for queue in queues_of(platform.service):
        count = await _broker_call(partial(count_dead_letters, _connection(request), queue))
        counts.append({"queue": queue, "dead_letters": count})
    return json_response({"service": platform.service, "queues": counts})


@requires(ROLE_ADMIN)
async def list_view(request: web.Request) -> web.Response:
    queue = _queue(request)
    query = read_query(request, ListQuery)
    connection = _connection(request)
    total = await _broker_call(lambda: count_dead_letters(connection, queue))
    letters = await _broker_call(lambda: list_dead_letters(connection, queue, query.limit))
    return json_response(
        {"queue": queue, "count": total, "dead_letters": [letter.summary() for letter in letters]}
    )


@requires(ROLE_ADMIN)
async def show_view(request: web.Request) -> web.Response:
    queue = _queue(request)
    wanted = request.match_info["letter_id"]
    letter = await _broker_call(lambda: find_dead_letter(_connection(request), queue, wanted))
    if letter is None:
        raise Problem(404, "Not Found", f"No dead letter {wanted[:100]!r} in {queue}.dlq.")
    return json_response(letter.detail())


def _handled(queue: str, verb: str, handled: Handled) -> dict[str, Any]:
    return {"queue": queue, verb: handled.done, "missing": handled.missing}


@requires(ROLE_ADMIN)
async def replay_view(request: web.Request) -> web.Response:
    queue = _queue(request)
    body = await read_model(request, LettersBody)
    handled = await _broker_call(lambda: replay_dead_letters(_connection(request), queue, body.ids))
    log.info("%s replayed %d dead letter(s) to %s", who(request), len(handled.done), queue)
    return json_response(_handled(queue, "replayed", handled))


@requires(ROLE_ADMIN)
async def drop_view(request: web.Request) -> web.Response:
    queue = _queue(request)
    body = await read_model(request, LettersBody)
    handled = await _broker_call(lambda: drop_dead_letters(_connection(request), queue, body.ids))
    log.info("%s dropped dead letter(s) %s of %s", who(request), ", ".join(handled.done), queue)
    return json_response(_handled(queue, "dropped", handled))


def add_platform_routes(app: web.Application) -> None:
    """Mount the routes every service has: outbox backlog and dead letters."""
    router = app.router
    router.add_get(f"{ADMIN_PREFIX}/outbox", outbox_view)
    router.add_get(f"{ADMIN_PREFIX}/dead-letters", queues_view)
    router.add_get(f"{ADMIN_PREFIX}/dead-letters/{{queue}}", list_view)
    router.add_get(f"{ADMIN_PREFIX}/dead-letters/{{queue}}/{{letter_id}}", show_view)
    router.add_post(f"{ADMIN_PREFIX}/dead-letters/{{queue}}/replay", replay_view)
    router.add_post(f"{ADMIN_PREFIX}/dead-letters/{{queue}}/drop", drop_view)
