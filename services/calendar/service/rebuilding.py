"""Re-render every feed from the store: the operator's answer to a feed they do not trust."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from services.calendar.adapters.feed_cache import FeedCache
from services.calendar.domain.feeds import FeedSpec
from services.calendar.domain.model import CalendarEvent
from services.calendar.service.context import CalendarContext
from shared.contracts.vocabulary import COMMITTEES_BY_SLUG, EventType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild read and rendered."""

    entries: int
    version: int
    feeds: list[str]  # the public feeds' paths, and "private" once per subscriber topic set


def public_feeds(events: Iterable[CalendarEvent]) -> list[FeedSpec]:
    """Return every public feed: all, each committee, each type, each modification named."""
    refs = sorted({str(ref) for event in events for ref in event.modification_refs})
    return [
        FeedSpec.everything(),
        *(FeedSpec.committee(slug) for slug in COMMITTEES_BY_SLUG),
        *(FeedSpec.event_type(kind.value) for kind in EventType),
        *(FeedSpec.modification(ref) for ref in refs),
    ]


async def rebuild_feeds(context: CalendarContext, cache: FeedCache, by: str) -> Rebuilt:
    """Count a change of every entry, drop what this process rendered, render every feed again.

    The change is a new feed version naming every entry, so every replica reads every
    entry again from the store before it serves a feed; this one renders each public feed,
    and each private topic set it held, at once, with nothing reused from before.
    """
    events = await context.repository.all()
    await context.commit(
        lambda session: context.repository.bump_feed_version(session, {e.id for e in events})
    )
    held = await cache.forget()
    private = [spec for spec in held if not spec.is_public]
    rendered = []
    for spec in [*public_feeds(events), *private]:
        await cache.feed(spec)
        rendered.append(spec.path or "private")
    version = (await context.versions.current()).number
    log.info(
        "%s rebuilt %d feeds of %d entries at version %d", by, len(rendered), len(events), version
    )
    return Rebuilt(len(events), version, rendered)
