"""Render each feed once per change and keep the bytes, gzipped and plain, in memory.

Entries are keyed by the feed's FeedSpec and stamped with the feed version they
were rendered from; a request whose version is newer renders again (once, however
many requests wait), from a snapshot in which only the entries the version's change
log names were read again and only those entries' VEVENTs are rendered again.
Rendering runs on a one-thread executor so the event loop keeps serving cached
feeds meanwhile (docs/decisions/calendar-feed-cache.md).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from services.calendar.adapters.repository import EventRepository, FeedVersion
from services.calendar.adapters.versions import VersionWatcher
from services.calendar.domain.feeds import FeedSpec, select
from services.calendar.domain.model import CalendarEvent
from services.calendar.domain.rendering import (
    DEFAULT_ORGANIZER,
    Organizer,
    assemble_feed,
    render_event,
)

T = TypeVar("T")
# Cancelled entries leave feeds 90 days after cancellation without any change being
# committed; re-rendering hourly bounds how long one lingers past that.
MAX_AGE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    """One feed's bytes and validators; identical on every replica for the same data."""

    version: int
    plain: bytes
    gzipped: bytes
    digest: str
    last_modified: datetime
    rendered_at: float


# An entry's rendered VEVENT bytes, keyed by (id, version, include_green).
Pieces = dict[tuple[str, int, bool], bytes]


def render_bundle(
    events: list[CalendarEvent],
    spec: FeedSpec,
    version: FeedVersion,
    pieces: Pieces,
    *,
    base_url: str,
    now: datetime,
    organizer: Organizer = DEFAULT_ORGANIZER,
) -> RenderedFeed:
    """Select, render and compress one feed (CPU-bound: run it on the executor).

    Entries already rendered at their version come from `pieces`, so after one
    change only that entry is rendered again; the bytes equal `render_feed`'s.
    """
    chosen = select(events, spec, now)
    parts = []
    for event in chosen:
        key = (event.id, event.version, spec.include_green)
        piece = pieces.get(key)
        if piece is None:
            piece = render_event(
                event, base_url=base_url, include_green=spec.include_green, organizer=organizer
            )
            pieces[key] = piece
        parts.append(piece)
    base = base_url.rstrip("/")
    plain = assemble_feed(
        chosen,
        parts,
        name=spec.name,
        description=spec.description,
        page_url=f"{base}/",
        source_url=None if spec.path is None else f"{base}{spec.path}",
    )
    return RenderedFeed(
        version=version.number,
        plain=plain,
        # mtime=0: the same bytes on every replica, so the gzip ETag agrees too.
        gzipped=gzip.compress(plain, compresslevel=6, mtime=0),
        digest=hashlib.sha256(plain).hexdigest()[:32],
        last_modified=version.changed_at,
        rendered_at=time.monotonic(),
    )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every stored entry as of one feed version."""

    version: FeedVersion
    events: list[CalendarEvent]


class FeedCache:
    """Rendered feeds of this process, invalidated by the feed version."""

    def __init__(
        self,
        repository: EventRepository,
        versions: VersionWatcher,
        executor: Executor,
        *,
        base_url: str,
        max_entries: int = 512,
        organizer: Organizer = DEFAULT_ORGANIZER,
    ) -> None:
        self._repository = repository
        self._versions = versions
        self._executor = executor
        self._base_url = base_url
        self._organizer = organizer
        self._max_entries = max_entries
        self._feeds: OrderedDict[FeedSpec, RenderedFeed] = OrderedDict()
        self._snapshot: Snapshot | None = None
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        # Touched only on the executor's one thread.
        self._pieces: Pieces = {}

    async def snapshot(self) -> Snapshot:
        """Return every entry at the current version, read once per version."""
        version = await self._versions.current()
        held = self._snapshot
        if held is not None and held.version.number >= version.number:
            return held
        return await self._once(("snapshot", version.number), lambda: self._load(version))

    def fresh(self, spec: FeedSpec) -> RenderedFeed | None:
        """Return the feed if it is known current without awaiting anything, else None.

        Current means: rendered at or after the version the live change stream vouches
        for, and within MAX_AGE_SECONDS. The fast path serves only what this returns.
        """
        version = self._versions.live()
        return None if version is None else self._held(spec, version.number)

    async def feed(self, spec: FeedSpec) -> RenderedFeed:
        """Return the feed's bytes at the current version, rendering them if needed."""
        # The common case (a cached feed, the stream live) awaits nothing.
        held = self.fresh(spec)
        if held is not None:
            return held
        held = self._held(spec, (await self._versions.current()).number)
        if held is not None:
            return held
        snapshot = await self.snapshot()
        return await self._once(
            (spec, snapshot.version.number), lambda: self._render(spec, snapshot)
        )

    async def forget(self) -> list[FeedSpec]:
        """Drop every rendered feed, piece and snapshot; return the feeds that were held.

        The next request of each feed reads the store and renders it whole again.
        """
        held = list(self._feeds)
        self._feeds.clear()
        self._snapshot = None
        await asyncio.get_running_loop().run_in_executor(self._executor, self._pieces.clear)
        return held

    def _held(self, spec: FeedSpec, version: int) -> RenderedFeed | None:
        held = self._feeds.get(spec)
        if (
            held is None
            or held.version < version
            or time.monotonic() - held.rendered_at >= MAX_AGE_SECONDS
        ):
            return None
        self._feeds.move_to_end(spec)
        return held

    async def _load(self, version: FeedVersion) -> Snapshot:
        snapshot = Snapshot(version, await self._read(version))
        if self._snapshot is None or self._snapshot.version.number < version.number:
            self._snapshot = snapshot
            current = {(e.id, e.version) for e in snapshot.events}
            await asyncio.get_running_loop().run_in_executor(self._executor, self._prune, current)
        return snapshot

    async def _read(self, version: FeedVersion) -> list[CalendarEvent]:
        """Return every entry at `version`: the held snapshot with only what changed re-read.

        Falls back to reading all entries when nothing is held or the version's
        change log does not cover every step since the held snapshot.
        """
        held = self._snapshot
        changed = None if held is None else version.changed_since(held.version.number)
        if held is None or changed is None:
            return await self._repository.all()
        fresh = await self._repository.by_ids(changed) if changed else []
        kept = [event for event in held.events if event.id not in changed]
        return kept + fresh

    def _prune(self, current: set[tuple[str, int]]) -> None:
        # Drop pieces of versions no entry has any more, so memory stays one piece per entry.
        for key in [k for k in self._pieces if (k[0], k[1]) not in current]:
            del self._pieces[key]

    async def _render(self, spec: FeedSpec, snapshot: Snapshot) -> RenderedFeed:
        loop = asyncio.get_running_loop()
        now = datetime.now(UTC)
        rendered = await loop.run_in_executor(
            self._executor,
            lambda: render_bundle(
                snapshot.events,
                spec,
                snapshot.version,
                self._pieces,
                base_url=self._base_url,
                now=now,
                organizer=self._organizer,
            ),
        )
        held = self._feeds.get(spec)
        if held is None or held.version <= rendered.version:
            self._feeds[spec] = rendered
            self._feeds.move_to_end(spec)
            while len(self._feeds) > self._max_entries:
                self._feeds.popitem(last=False)
        return rendered

    async def _once(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """Run `make` once for concurrent callers with the same key; all get its result."""
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(make())
            self._inflight[key] = future
            future.add_done_callback(lambda _: self._inflight.pop(key, None))
        # shield: one caller giving up (client gone) must not cancel the others' render.
        return cast(T, await asyncio.shield(future))
