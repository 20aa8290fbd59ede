"""Let a client retry a POST safely: the same `Idempotency-Key` gets the first answer again.

A client whose request timed out cannot know whether it took effect; retrying a create
used to answer 409 "exists already" although its first try had committed. With an
`Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header) the first
successful answer is kept for a day under (caller, method, path, key) and replayed to a
retry with the same body, marked `Idempotent-Replayed: true`. A retry while the first is
still running gets 409; the same key with another body 422. Only successes are kept: a
refused request changed nothing, so running it again is as safe as replaying it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pymongo
from aiohttp import web
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError, PyMongoError

from shared.auth import PRINCIPAL_KEY
from shared.errors import Problem

HEADER: Final = "Idempotency-Key"
KEPT: Final = timedelta(hours=24)
# A first try that never finished (its process died) stops blocking retries after this.
ABANDONED: Final = timedelta(minutes=2)
_REPLAYED_HEADERS: Final = ("Content-Type", "Location", "ETag")
# How long a keyed request may wait on the database, its transaction's retries included.
KEYED_REQUEST_SECONDS: Final = 15.0
# How often a record the database refused is tried again while it is away.
RECORD_RETRY_SECONDS: Final = 0.5

log = logging.getLogger(__name__)


def idempotency_collection(service: str) -> str:
    return f"{service}_idempotency"


def idempotency_indexes(service: str) -> dict[str, list[IndexModel]]:
    return {
        idempotency_collection(service): [
            IndexModel([("created_at", ASCENDING)], expireAfterSeconds=int(KEPT.total_seconds()))
        ]
    }


def idempotency_middleware(service: str, mongo_of: Any) -> Any:
    """Return the middleware; `mongo_of(app)` gives the service's Mongo once it has started."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            response: web.StreamResponse = await handler(request)
            return response
        if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
            raise Problem(400, "Bad Request", f"{HEADER} must be 1-255 printable ASCII characters.")
        collection = mongo_of(request.app).collection(idempotency_collection(service))
        principal = request.get(PRINCIPAL_KEY)
        caller = principal.subject if principal is not None else "anonymous"
        scope = json.dumps([caller, request.method, request.path, key])
        record_id = hashlib.sha256(scope.encode()).hexdigest()
        fingerprint = hashlib.sha256(await request.read()).hexdigest()
        now = datetime.now(UTC)
        try:
            await collection.insert_one(
                {
                    "_id": record_id,
                    "state": "running",
                    "fingerprint": fingerprint,
                    "created_at": now,
                }
            )
        except DuplicateKeyError:
            return await _replay(collection, record_id, fingerprint, now)
        try:
            # A bounded wait for the database (pymongo's transactions retry for 120 s):
            # behind a restart, the key would stay "running" and its retries wait as long.
            with pymongo.timeout(KEYED_REQUEST_SECONDS):
                response = await handler(request)
        except BaseException:
            await settle(lambda: collection.delete_one({"_id": record_id}), f"release {key!r}")
            raise
        body = response.body if isinstance(response, web.Response) else None
        if 200 <= response.status < 300 and isinstance(body, bytes | bytearray):
            answer = {
                "state": "done",
                "status": response.status,
                "headers": {
                    name: response.headers[name]
                    for name in _REPLAYED_HEADERS
                    if name in response.headers
                },
                "body": bytes(body),
            }
            await settle(
                lambda: collection.update_one({"_id": record_id}, {"$set": answer}),
                f"record the answer to {key!r}",
            )
        else:
            await settle(lambda: collection.delete_one({"_id": record_id}), f"release {key!r}")
        return response

    async def settle(write: Callable[[], Awaitable[Any]], what: str) -> None:
        """Write now; if the database is away, keep trying in the background.

        The effect has happened (or not) whatever this write does: the caller gets its
        answer now, and retries get "still running" until the record lands, then the
        first answer. Without this, a database that stopped just after the use case's
        commit left the key "running" until abandoned, and the retry then ran again
        and met "exists already" (the chaos suite's database restart mid-burst).
        """
        try:
            await write()
        except PyMongoError as exc:
            log.warning("could not %s now (%r); retrying in the background", what, exc)
            task = asyncio.create_task(_until_written(write, what))
            pending.add(task)
            task.add_done_callback(pending.discard)

    # Background writes are held here so that they are not collected while they wait.
    pending: set[asyncio.Task[None]] = set()
    return middleware


async def _until_written(write: Callable[[], Awaitable[Any]], what: str) -> None:
    """Try `write` until the database takes it; give up when the key is abandoned anyway."""
    deadline = asyncio.get_running_loop().time() + ABANDONED.total_seconds()
    while True:
        await asyncio.sleep(RECORD_RETRY_SECONDS)
        try:
            await write()
        except PyMongoError as exc:
            if asyncio.get_running_loop().time() > deadline:
                log.error("gave up trying to %s: %r", what, exc)
                return
        else:
            log.info("did %s once the database was back", what)
            return


async def _replay(collection: Any, record_id: str, fingerprint: str, now: datetime) -> web.Response:
    first = await collection.find_one({"_id": record_id})
    if first is None:  # expired or given up between the two reads: the caller may retry
        raise Problem(409, "Conflict", "The first request with this key just ended; retry.")
    if first["fingerprint"] != fingerprint:
        raise Problem(
            422, "Unprocessable Content", f"This {HEADER} was used with another request body."
        )
    if first["state"] == "running":
        if now - first["created_at"] > ABANDONED:
            await collection.delete_one({"_id": record_id, "state": "running"})
        raise Problem(
            409, "Conflict", f"A request with this {HEADER} is still running; retry later."
        )
    headers = {**first["headers"], "Idempotent-Replayed": "true"}
    return web.Response(status=first["status"], body=first["body"], headers=headers)
