"""Store entries in `calendar_events`; count feed changes in `calendar_feed_versions`."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.calendar.adapters.documents import from_document, to_document
from services.calendar.domain.errors import VersionConflict
from services.calendar.domain.model import CalendarEvent
from shared.db import Collection, Mongo, Session

EVENTS = "calendar_events"
FEED_VERSIONS = "calendar_feed_versions"
# The one document whose counter every change bumps (docs/decisions/calendar-feed-cache.md).
FEED_VERSION_ID = "feeds"

INDEXES: dict[str, Sequence[IndexModel]] = {
    EVENTS: [
        IndexModel([("committee", ASCENDING)]),
        IndexModel([("type", ASCENDING)]),
        # Multikey: the per-modification filter is one equality lookup.
        IndexModel([("modification_refs", ASCENDING)]),
        IndexModel([("starts_at", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("status", ASCENDING)]),
        IndexModel([("source", ASCENDING)]),
    ],
}


class EventExists(Exception):
    """An entry with this id is already stored."""


# The version document logs which entries each of its last changes touched, so a
# replica that learns of a new version re-reads only those (not all entries).
CHANGE_LOG_LENGTH = 256
# A change touching more entries than this is logged without ids: readers reload all.
CHANGE_LOG_MAX_IDS = 500


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """The entry ids one feed version changed; None when too many to log."""

    number: int
    ids: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class FeedVersion:
    """How many changes the calendar has seen, when the last one committed, and what changed."""

    number: int
    changed_at: datetime
    changes: tuple[LoggedChange, ...] = ()

    def changed_since(self, number: int) -> frozenset[str] | None:
        """Return the ids changed after version `number` up to this one, or None if unknown.

        None (the log has a gap: too old, too large, or written without ids) means
        the reader must read every entry again.
        """
        logged = {change.number: change.ids for change in self.changes}
        changed: set[str] = set()
        for step in range(number + 1, self.number + 1):
            ids = logged.get(step)
            if ids is None:
                return None
            changed |= ids
        return frozenset(changed)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Filters of the list API; each is an indexed lookup (equality, or a range on starts_at)."""

    starts_from: datetime | None = None
    starts_before: datetime | None = None
    committee: str | None = None
    type: str | None = None
    modification: str | None = None
    classifications: tuple[str, ...] | None = None

    def filter(self) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if self.committee is not None:
            query["committee"] = self.committee
        if self.type is not None:
            query["type"] = self.type
        if self.modification is not None:
            query["modification_refs"] = self.modification
        if self.classifications is not None:
            query["classification"] = {"$in": list(self.classifications)}
        window: dict[str, datetime] = {}
        if self.starts_from is not None:
            window["$gte"] = self.starts_from
        if self.starts_before is not None:
            window["$lt"] = self.starts_before
        if window:
            query["starts_at"] = window
        return query


class EventRepository:
    """Entries as `services.calendar.adapters.documents` shapes them; writes take a session."""

    def __init__(self, mongo: Mongo) -> None:
        self._events: Collection = mongo.collection(EVENTS)
        self._versions: Collection = mongo.collection(FEED_VERSIONS)

    async def get(self, event_id: str, session: Session | None = None) -> CalendarEvent | None:
        doc = await self._events.find_one({"_id": event_id}, session=session)
        return None if doc is None else from_document(doc)

    async def insert(self, event: CalendarEvent, session: Session) -> None:
        try:
            await self._events.insert_one(to_document(event), session=session)
        except DuplicateKeyError as exc:
            raise EventExists(f"an entry with id {event.id!r} exists") from exc

    async def update(self, event: CalendarEvent, session: Session) -> None:
        """Replace the stored entry only if it is still at the version before this change."""
        result = await self._events.replace_one(
            {"_id": event.id, "version": event.version - 1}, to_document(event), session=session
        )
        if result.matched_count != 1:
            raise VersionConflict(f"entry {event.id} changed meanwhile", field="version")

    async def find(self, query: EventQuery, *, offset: int, limit: int) -> list[CalendarEvent]:
        cursor = (
            self._events.find(query.filter())
            .sort([("starts_at", ASCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return [from_document(doc) async for doc in cursor]

    async def naming(self, refs: list[str], session: Session) -> list[CalendarEvent]:
        """Return the entries that name any of `refs` (multikey equality lookup)."""
        cursor = self._events.find({"modification_refs": {"$in": refs}}, session=session)
        return [from_document(doc) async for doc in cursor]

    async def existing_ids(self, ids: list[str], session: Session) -> set[str]:
        cursor = self._events.find({"_id": {"$in": ids}}, projection={"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    async def all(self) -> list[CalendarEvent]:
        """Return every entry; read once per feed version, never per request."""
        return [from_document(doc) async for doc in self._events.find({})]

    async def by_ids(self, ids: Set[str]) -> list[CalendarEvent]:
        """Return the stored entries among `ids` (one `_id` $in lookup)."""
        cursor = self._events.find({"_id": {"$in": sorted(ids)}})
        return [from_document(doc) async for doc in cursor]

    async def bump_feed_version(self, session: Session, changed_ids: Set[str]) -> None:
        """Count a change, and log the entries it touched, in the change's own transaction."""
        bumped = await self._versions.find_one_and_update(
            {"_id": FEED_VERSION_ID},
            {"$inc": {"number": 1}, "$set": {"changed_at": datetime.now(UTC)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if bumped is None:  # upsert with ReturnDocument.AFTER always returns the document
            raise RuntimeError("feed version document missing after upsert")
        ids = sorted(changed_ids) if len(changed_ids) <= CHANGE_LOG_MAX_IDS else None
        entry = {"number": bumped["number"], "ids": ids}
        await self._versions.update_one(
            {"_id": FEED_VERSION_ID},
            {"$push": {"changes": {"$each": [entry], "$slice": -CHANGE_LOG_LENGTH}}},
            session=session,
        )

    async def feed_version(self) -> FeedVersion:
        doc = await self._versions.find_one({"_id": FEED_VERSION_ID})
        if doc is None:
            return FeedVersion(0, datetime(1970, 1, 1, tzinfo=UTC))
        return version_from_document(doc)

    @property
    def versions(self) -> Collection:
        return self._versions


def version_from_document(doc: dict[str, Any]) -> FeedVersion:
    """Read the version document (as stored, or as a change stream delivers it)."""
    changed_at: datetime = doc["changed_at"]
    changes = tuple(
        LoggedChange(int(c["number"]), None if c["ids"] is None else frozenset(c["ids"]))
        for c in doc.get("changes", ())
    )
    return FeedVersion(
        int(doc["number"]), changed_at.astimezone(UTC).replace(microsecond=0), changes
    )
