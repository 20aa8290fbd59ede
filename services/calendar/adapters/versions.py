"""Know the current feed version in every replica without a database read per request.

A change stream on `calendar_feed_versions` tells each process within milliseconds
that some replica (or the registry-event consumer) committed a change. While the
stream is down, `current()` falls back to one indexed read per call, so a replica
never serves a stale feed for longer than a request takes.
"""

from __future__ import annotations

import asyncio
import logging

from pymongo.errors import PyMongoError

from services.calendar.adapters.repository import FEED_VERSION_ID, EventRepository, FeedVersion
from services.calendar.adapters.repository import version_from_document as read_version

log = logging.getLogger(__name__)


class VersionWatcher:
    """Hold the latest FeedVersion this process has seen."""

    def __init__(self, repository: EventRepository, retry_seconds: float = 1.0) -> None:
        self._repository = repository
        self._retry = retry_seconds
        self._known: FeedVersion | None = None
        self._live = False

    def live(self) -> FeedVersion | None:
        """Return the version the live stream vouches for, or None (then await `current`).

        Synchronous, so that serving a cached feed costs no coroutine of its own.
        """
        return self._known if self._live else None

    async def current(self) -> FeedVersion:
        """Return the version to serve: from memory while the stream is live, else from MongoDB."""
        known = self.live()
        if known is not None:
            return known
        return await self.refresh()

    async def refresh(self) -> FeedVersion:
        """Read the version now (after a local commit, or while the stream is down)."""
        version = await self._repository.feed_version()
        self._remember(version)
        return version

    def _remember(self, version: FeedVersion) -> None:
        # Never go backwards: a slow read must not undo a newer stream notification.
        if self._known is None or version.number > self._known.number:
            self._known = version

    async def run(self) -> None:
        """Follow the change stream until cancelled, reopening it after an error."""
        while True:
            try:
                await self._follow()
            except PyMongoError as exc:
                log.warning("feed version stream closed (%r); reopening", exc)
            finally:
                self._live = False
            await asyncio.sleep(self._retry)

    async def _follow(self) -> None:
        pipeline = [{"$match": {"documentKey._id": FEED_VERSION_ID}}]
        async with await self._repository.versions.watch(
            pipeline, full_document="updateLookup"
        ) as stream:
            # Read after opening the stream, so that no change falls between the two.
            await self.refresh()
            self._live = True
            async for change in stream:
                document = change.get("fullDocument")
                if document is not None:
                    self._remember(read_version(document))
                else:
                    await self.refresh()
