"""Keep this process's copy of the register as fresh as the database, one lookup per request.

Each request reads the shard versions (one `_id $in` lookup of SHARDS small
documents, shared by concurrent requests through SharedRead); for each shard
another process or this one wrote since, the copy is brought up to date first:
only the modifications those shards recorded as changed since its versions,
or everything when it fell too far behind. Both happen in one read-only
transaction so the versions and the documents are one snapshot.
docs/decisions/registry-read-model.md says why this and not a change stream.
"""

from __future__ import annotations

import asyncio

from services.registry.adapters.register_version import SHARDS, Versions
from services.registry.adapters.repository import Modifications
from services.registry.service.register import Register
from services.registry.service.shared_read import SharedRead
from shared.db import Mongo, Session


class RegisterReadModel:
    """The register as of the latest write committed before the caller asked."""

    def __init__(self, mongo: Mongo, modifications: Modifications) -> None:
        self._mongo = mongo
        self._modifications = modifications
        self._versions = SharedRead(modifications.version.versions)
        # No versions: nothing loaded yet, whatever the database holds.
        self._register = Register.build((), [])
        self._refreshing = asyncio.Lock()

    async def current(self) -> Register:
        """Return a register that includes every write committed before this call."""
        seen = await self._versions()
        if self._behind(seen):
            async with self._refreshing:
                # Another request may have refreshed (to these versions or later ones)
                # while this one waited: under a stream of writes, refreshing again
                # per waiting request made every request pay a transaction in turn.
                shards = self._behind(seen)
                if shards:
                    register = await self._mongo.transaction(
                        lambda session: self._refreshed(shards, session)
                    )
                    self._register = register
        return self._register

    def _behind(self, seen: Versions) -> list[int]:
        """Return the shards whose version `seen` is newer than the copy's."""
        applied = self._register.version
        if not applied:
            return list(range(SHARDS))
        return [shard for shard in range(SHARDS) if seen[shard] > applied[shard]]

    async def _refreshed(self, shards: list[int], session: Session) -> Register:
        register = self._register
        if not register.version:
            return await self._reloaded(session)
        # Shards not read keep the copy's version, so any change the snapshot holds
        # for them is picked up by the next request that sees them bumped.
        version = list(register.version)
        changed: set[str] = set()
        for shard, state in (await self._modifications.version.states(session, shards)).items():
            since = state.changed_since(register.version[shard])
            if since is None:
                # Further behind than the shard records (or its version went back).
                return await self._reloaded(session)
            changed |= since
            version[shard] = state.version
        rows = await self._modifications.stored(session, changed) if changed else []
        return register.updated(tuple(version), changed, rows)

    async def _reloaded(self, session: Session) -> Register:
        """Return the whole register and every shard's version, from `session`'s snapshot."""
        states = await self._modifications.version.states(session, range(SHARDS))
        version = tuple(states[shard].version for shard in range(SHARDS))
        return Register.build(version, await self._modifications.stored(session))
