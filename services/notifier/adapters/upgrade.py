"""Bring a database written by an earlier build to the shape this one reads, at start-up."""

from __future__ import annotations

import logging
from typing import Final

from pymongo.errors import DuplicateKeyError

from services.notifier.adapters import names
from shared.db import Document, Mongo, Session, find_by_ids

log = logging.getLogger(__name__)

# One document a delivery, its batch listing their ids: the shape before decision 0059.
LEGACY_DELIVERIES: Final = "notifier_deliveries"


def _held(batch: Document, legacy: list[Document]) -> Document:
    """Return the `notifier_batch_deliveries` document of a batch stored the old way."""
    sources = {str(document["source_key"]) for document in legacy}
    if len(sources) > 1:
        # Every earlier build queued one source a batch; anything else is not ours to guess.
        raise RuntimeError(f"batch {batch['_id']} holds deliveries of {len(sources)} sources")
    by_id = {str(document["_id"]): document for document in legacy}
    return {
        "_id": batch["_id"],
        "kind": batch["kind"],
        "source_key": sources.pop() if sources else "",
        "deliveries": [
            {key: by_id[i][key] for key in ("_id", "subscription_id", "payload", "created_at")}
            for i in map(str, batch["delivery_ids"])
            if i in by_id
        ],
    }


async def upgrade_storage(mongo: Mongo) -> None:
    """Bring what an earlier build stored to this build's shape (decision 0059)."""
    await hold_deliveries_in_their_batches(mongo)
    await count_pages_of_open_fanouts(mongo)


async def count_pages_of_open_fanouts(mongo: Mongo) -> None:
    """Give a fan-out opened the old way (a cursor, `after`) a count of pages instead.

    Zero is safe whatever it had queued: its holder skips who has a delivery of the
    source when it has any, and adds digest items idempotently.
    """
    await mongo.collection(names.FANOUTS).update_many(
        {"pages": {"$exists": False}}, {"$set": {"pages": 0}, "$unset": {"after": ""}}
    )


async def hold_deliveries_in_their_batches(mongo: Mongo) -> int:
    """Move each delivery stored on its own into its batch's document; return how many batches.

    Idempotent, and safe when replicas start together: each batch moves in a transaction
    of its own, and one already moved by another replica is left as it is. The old
    collection is dropped once no batch lists ids any more; without it there is nothing
    to look for (every start would otherwise scan all batches).
    """
    if LEGACY_DELIVERIES not in await mongo.db.list_collection_names():
        return 0
    batches = mongo.collection(names.BATCHES)
    legacy = mongo.collection(LEGACY_DELIVERIES)
    held = mongo.collection(names.DELIVERIES)
    moved = 0
    async for batch in batches.find({"delivery_ids": {"$exists": True}}):
        document = _held(batch, [d async for d in find_by_ids(legacy, batch["delivery_ids"])])

        async def move(
            session: Session, batch: Document = batch, document: Document = document
        ) -> None:
            await held.insert_one(document, session=session)
            await batches.update_one(
                {"_id": batch["_id"]}, {"$unset": {"delivery_ids": ""}}, session=session
            )

        try:
            await mongo.transaction(move)
            moved += 1
        except DuplicateKeyError:
            continue  # another replica moved it first
    if moved:
        log.info("moved the deliveries of %d batches into their batch's document", moved)
    if await batches.find_one({"delivery_ids": {"$exists": True}}, {"_id": 1}) is None:
        await legacy.drop()
    return moved
