"""Load the seed entries at start-up: insert what is missing, announce nothing."""

from __future__ import annotations

import logging

from services.calendar.seed import load_seed
from services.calendar.service.context import CalendarContext
from shared.db import Session

log = logging.getLogger(__name__)


async def load_seed_entries(context: CalendarContext) -> int:
    """Insert the seed entries not yet stored; return how many were inserted.

    Seed entries are history from published documents, so no calendar.event.*
    is published for them (subscribers would otherwise be mailed about 2016
    meetings). An entry the registry's events created first is left as it is.
    """
    entries = load_seed()

    async def work(session: Session) -> int:
        present = await context.repository.existing_ids([e.id for e in entries], session)
        missing = [entry for entry in entries if entry.id not in present]
        for entry in missing:
            await context.repository.insert(entry, session)
        if missing:
            await context.repository.bump_feed_version(session, {e.id for e in missing})
        return len(missing)

    inserted = await context.commit(work)
    log.info("calendar seed loaded: %d of %d entries new", inserted, len(entries))
    return inserted
