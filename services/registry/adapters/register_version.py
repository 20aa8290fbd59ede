"""The register's version, sharded: bumped in the same transaction as every register write.

`registry_meta` holds SHARDS documents `{_id: "register:<k>", version: N, changes: [...]}`;
a modification belongs to shard `k = crc32(ref) mod SHARDS`. A write bumps the
shard of each reference it touches: adds 1 to `version` and appends the
references to `changes` (the last CHANGES_KEPT bumps only), in one update, so
the last entry always belongs to `version`, the one before to `version - 1`,
and so on. A reader holding shard version M < N can therefore refetch just the
modifications changed since M by an indexed `_id` lookup, and reload
everything only when it fell further behind.

One document for the whole register made every concurrent write transaction
conflict on it (and be retried); with shards, writes to different
modifications mostly touch different documents, at the price of a read
fetching SHARDS small documents by `_id $in` instead of one
(docs/decisions/registry-read-model.md).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from shared.db import Collection, Document, Mongo, Session

META = "registry_meta"
# 16: concurrent writes to different modifications rarely meet on a shard, while
# the per-request `$in` lookup stays cheap (SecantusDB's cost grows per document).
SHARDS = 16
# Per shard; enough for bursts of writes between two reads, a reader further
# behind reloads all. Small, because every write rewrites its shard's document.
CHANGES_KEPT = 16

# One version per shard, index k for shard k.
Versions = tuple[int, ...]
NO_WRITES: Versions = (0,) * SHARDS


def shard_of(ref: str) -> int:
    """Return the shard of a reference; stable across processes (unlike `hash`)."""
    return zlib.crc32(ref.encode()) % SHARDS


def _shard_id(shard: int) -> str:
    return f"register:{shard}"


_IDS = [_shard_id(shard) for shard in range(SHARDS)]


@dataclass(frozen=True)
class ShardState:
    """One shard's version and, newest last, the references changed by its recent bumps."""

    version: int
    changes: tuple[frozenset[str], ...] = ()

    def changed_since(self, version: int) -> frozenset[str] | None:
        """Return the references changed after `version`, or None if no longer known."""
        behind = self.version - version
        if behind < 0 or behind > len(self.changes):
            return None
        return frozenset().union(*self.changes[len(self.changes) - behind :])


class RegisterVersion:
    """Read and bump the register's version documents."""

    def __init__(self, mongo: Mongo) -> None:
        self.collection: Collection = mongo.collection(META)

    async def bump(self, refs: Iterable[str], session: Session) -> None:
        """Record a change of `refs`; call it in the transaction that writes them."""
        changed = sorted(set(refs))
        # Every touched shard records all of the write's references: a reader that
        # sees one shard of a DP's conversion bumped refetches both the DP and its MP
        # from one snapshot, never showing the DP gone and the MP not yet there.
        change = {"$each": [{"refs": changed}], "$slice": -CHANGES_KEPT}
        # Shard order, so two writes touching the same two shards meet on the first.
        for shard in sorted({shard_of(ref) for ref in changed}):
            await self.collection.update_one(
                {"_id": _shard_id(shard)},
                {"$inc": {"version": 1}, "$push": {"changes": change}},
                upsert=True,
                session=session,
            )

    async def versions(self) -> Versions:
        """Return every shard's version (0 before its first write): one `_id $in` lookup."""
        docs = self.collection.find({"_id": {"$in": _IDS}}, {"version": 1})
        found = {str(doc["_id"]): int(doc["version"]) async for doc in docs}
        return tuple(found.get(shard_id, 0) for shard_id in _IDS)

    async def states(self, session: Session, shards: Iterable[int]) -> dict[int, ShardState]:
        """Return the state of `shards` as seen by `session`'s snapshot."""
        wanted = sorted(set(shards))
        docs = self.collection.find(
            {"_id": {"$in": [_shard_id(shard) for shard in wanted]}}, session=session
        )
        found = {str(doc["_id"]): doc async for doc in docs}
        return {shard: _state(found.get(_shard_id(shard))) for shard in wanted}


def _state(doc: Document | None) -> ShardState:
    """Return the state a shard document holds; a shard never written is at version 0."""
    if doc is None:
        return ShardState(0)
    changes = tuple(frozenset(change["refs"]) for change in doc.get("changes", []))
    return ShardState(int(doc["version"]), changes)
