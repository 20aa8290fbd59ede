"""Open the MongoDB client, create indexes idempotently and run transactions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
Collection = AsyncCollection[Document]
Session = AsyncClientSession
T = TypeVar("T")

# SecantusDB checks every document an `$in` finds against the whole list, so one query
# for n ids costs n² comparisons: 1,000 subscriptions by id took 515 ms, in queries of
# 20 ids 47 ms. (A range of ids is no way out there: it scans the whole index.)
IDS_PER_QUERY: Final = 20


@dataclass(frozen=True)
class Mongo:
    """The client and the product's database."""

    client: AsyncMongoClient[Document]
    db: AsyncDatabase[Document]

    def collection(self, name: str) -> Collection:
        return self.db[name]

    async def transaction(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run `work` in a multi-document transaction, retried on transient errors."""
        async with self.client.start_session() as session:
            return await session.with_transaction(work)

    async def ping(self, seconds: float = 2.0) -> None:
        async with asyncio.timeout(seconds):
            await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()


def connect_mongo(url: str, database: str, app_name: str) -> Mongo:
    """Create the client; it connects lazily, so this never blocks."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        url,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        # An acknowledged write is on a majority's journal: it survives a kill -9 of any
        # one server. Transactions inherit this concern for their commit.
        w="majority",
        journal=True,
    )
    return Mongo(client, client[database])


async def find_by_ids(
    collection: Collection,
    ids: Iterable[Any],
    *,
    field: str = "_id",
    also: Document | None = None,
    projection: Document | None = None,
    session: Session | None = None,
) -> AsyncIterator[Document]:
    """Yield the documents whose `field` is one of `ids` (and that match `also`).

    The ids go IDS_PER_QUERY to a query; for a few ids this is one ordinary `$in`.
    """
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), IDS_PER_QUERY):
        query = {**(also or {}), field: {"$in": wanted[start : start + IDS_PER_QUERY]}}
        async for document in collection.find(query, projection, session=session):
            yield document


async def ensure_indexes(mongo: Mongo, indexes: dict[str, Sequence[IndexModel]]) -> None:
    """Create each collection's indexes; creating an existing index is a no-op."""
    for name, models in indexes.items():
        if models:
            await mongo.collection(name).create_indexes(list(models))
