"""Read which bearer tokens were revoked (`platform_tokens`, written by `python -m shared.tokens`).

Staff tokens are recorded by id when minted; revoking one sets `revoked_at`. Every
service checks a token's id against the revoked ids, read again at most every few
seconds, so a revocation takes effect everywhere within that time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final

from shared.db import Mongo

log = logging.getLogger(__name__)

TOKENS_COLLECTION: Final = "platform_tokens"


class RevokedTokens:
    """Tell whether a token id was revoked; the list is read at most every `refresh_seconds`."""

    def __init__(self, mongo: Callable[[], Mongo], refresh_seconds: float) -> None:
        self._mongo = mongo
        self._refresh_seconds = refresh_seconds
        self._revoked: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    async def __call__(self, token_id: str) -> bool:
        if time.monotonic() - self._read_at >= self._refresh_seconds:
            try:
                cursor = (
                    self._mongo()
                    .collection(TOKENS_COLLECTION)
                    .find({"revoked_at": {"$ne": None}}, projection={"_id": 1})
                )
                self._revoked = frozenset([str(doc["_id"]) async for doc in cursor])
                self._read_at = time.monotonic()
            except Exception as exc:  # the database is down: keep the last list, try again
                log.warning("could not read revoked tokens: %r", exc)
        return token_id in self._revoked
