"""Hold what the calendar's use cases need, build it once, and commit changes with their events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from services.calendar.adapters.repository import EventRepository
from services.calendar.adapters.versions import VersionWatcher
from services.calendar.domain.changes import Change
from shared.app import Platform
from shared.clock import Clock
from shared.db import Mongo, Session
from shared.http_client import ServiceClient
from shared.outbox import Outbox
from shared.settings import CalendarSettings

T = TypeVar("T")


class EventNotFound(LookupError):
    """No entry with this id (or none the caller may see)."""


@dataclass(frozen=True)
class CalendarContext:
    """The calendar's resources; built once the platform has opened them."""

    mongo: Mongo
    outbox: Outbox
    http: ServiceClient
    repository: EventRepository
    versions: VersionWatcher
    base_url: str
    registry_url: str
    registry_public_url: str
    clock: Clock

    async def store(self, changes: list[Change], session: Session) -> None:
        """Write changed entries, their events and the feed version bump (inside `session`)."""
        stored = [change for change in changes if change.events]
        for change in stored:
            if change.event.version == 1:
                await self.repository.insert(change.event, session)
            else:
                await self.repository.update(change.event, session)
            await self.outbox.add(session, change.events)
        if stored:
            await self.repository.bump_feed_version(session, {c.event.id for c in stored})

    async def commit(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run `work` in one transaction, then wake the relay and this process's feed cache."""
        result = await self.mongo.transaction(work)
        self.outbox.notify()
        # Read-your-writes on this replica even before the change stream reports it.
        await self.versions.refresh()
        return result


def build_context(platform: Platform, settings: CalendarSettings, clock: Clock) -> CalendarContext:
    """Return the calendar's context on the platform's resources, telling the time by `clock`."""
    repository = EventRepository(platform.mongo)
    return CalendarContext(
        mongo=platform.mongo,
        outbox=platform.outbox,
        http=platform.http,
        repository=repository,
        versions=VersionWatcher(repository),
        base_url=settings.public_base_url_calendar,
        registry_url=settings.registry_url,
        registry_public_url=settings.public_base_url_registry,
        clock=clock,
    )
