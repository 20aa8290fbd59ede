"""Keep this process's copy of the register as fresh as the database, one lookup per request.

Each request reads the version document (an indexed `_id` lookup, shared by
concurrent requests through SharedRead); if another process or this one wrote
since, the copy is brought up to date first: only the modifications changed
since its version, or everything when it fell too far behind. Both happen in
one read-only transaction so the version and the documents are one snapshot.
docs/decisions/registry-read-model.md says why this and not a change stream.
"""

from __future__ import annotations

import asyncio

from services.registry.adapters.repository import Modifications
from services.registry.service.register import Register
from services.registry.service.shared_read import SharedRead
from shared.db import Mongo, Session


class RegisterReadModel:
    """The register as of the latest write committed before the caller asked."""

    def __init__(self, mongo: Mongo, modifications: Modifications) -> None:
        self._mongo = mongo
        self._modifications = modifications
        self._version = SharedRead(modifications.version.version)
        # Version -1: nothing loaded yet, whatever the database holds.
        self._register = Register.build(-1, [])
        self._refreshing = asyncio.Lock()

    async def current(self) -> Register:
        """Return a register that includes every write committed before this call."""
        version = await self._version()
        if self._register.version < version:
            async with self._refreshing:
                # Another request may have refreshed (to this version or a later one)
                # while this one waited: under a stream of writes, refreshing again
                # per waiting request made every request pay a transaction in turn.
                if self._register.version < version:
                    self._register = await self._mongo.transaction(self._refreshed)
        return self._register

    async def _refreshed(self, session: Session) -> Register:
        register = self._register
        state = await self._modifications.version.state(session)
        if state.version == register.version:
            return register
        # None: never loaded, or further behind than the recorded changes.
        changed = state.changed_since(register.version) if register.version >= 0 else None
        if changed is None:
            return Register.build(state.version, await self._modifications.stored(session))
        rows = await self._modifications.stored(session, changed) if changed else []
        return register.updated(state.version, changed, rows)
