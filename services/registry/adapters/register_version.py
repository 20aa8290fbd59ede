"""The register's version document: bumped in the same transaction as every register write.

`registry_meta` holds one document `{_id: "register", version: N, changes: [...]}`.
Each bump adds 1 to `version` and appends the references it touched to
`changes` (the last CHANGES_KEPT bumps only), in one update, so the last entry
always belongs to `version`, the one before to `version - 1`, and so on. A
reader holding version M < N can therefore refetch just the modifications
changed since M by an indexed `_id` lookup, and reload everything only when
it fell further behind (docs/decisions/registry-read-model.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.db import Collection, Mongo, Session

META = "registry_meta"
REGISTER = "register"
# Enough for bursts of writes between two reads; a reader further behind reloads all.
# Small, because every request reads this document and every write rewrites it.
CHANGES_KEPT = 32


@dataclass(frozen=True)
class VersionState:
    """The register's version and, newest last, the references changed by recent bumps."""

    version: int
    changes: tuple[frozenset[str], ...] = ()

    def changed_since(self, version: int) -> frozenset[str] | None:
        """Return the references changed after `version`, or None if no longer known."""
        behind = self.version - version
        if behind < 0 or behind > len(self.changes):
            return None
        return frozenset().union(*self.changes[len(self.changes) - behind :])


class RegisterVersion:
    """Read and bump the register's version document."""

    def __init__(self, mongo: Mongo) -> None:
        self.collection: Collection = mongo.collection(META)

    async def bump(self, refs: Iterable[str], session: Session) -> None:
        """Record a change of `refs`; call it in the transaction that writes them."""
        change = {"refs": sorted(set(refs))}
        await self.collection.update_one(
            {"_id": REGISTER},
            {
                "$inc": {"version": 1},
                "$push": {"changes": {"$each": [change], "$slice": -CHANGES_KEPT}},
            },
            upsert=True,
            session=session,
        )

    async def version(self) -> int:
        """Return the current version (0 before the first write): one indexed lookup."""
        doc = await self.collection.find_one({"_id": REGISTER}, {"version": 1})
        return 0 if doc is None else int(doc["version"])

    async def state(self, session: Session) -> VersionState:
        """Return the version with its recent changes, as seen by `session`'s snapshot."""
        doc = await self.collection.find_one({"_id": REGISTER}, session=session)
        if doc is None:
            return VersionState(0)
        changes = tuple(frozenset(change["refs"]) for change in doc.get("changes", []))
        return VersionState(int(doc["version"]), changes)
