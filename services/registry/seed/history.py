"""Turn the statuses the seed documents report over time into timeline entries."""

from __future__ import annotations

from collections import defaultdict
from datetime import time
from itertools import pairwise

from services.registry.domain.times import london
from services.registry.domain.workflow import HistoryEntry
from services.registry.seed.loader import SeedData

SEED_ACTOR = "SECAS (seed documents)"


def seed_history(seed: SeedData) -> dict[str, list[HistoryEntry]]:
    """Return, per reference, a move for each change of status between two documents.

    A document only says where a modification stood on its date, so the move is dated
    to the later document and its reason names that document.
    """
    titles = {source.key: source.title for source in seed.sources}
    versions = {str(mod.ref): mod.version for mod in seed.modifications}
    by_ref: dict[str, list[HistoryEntry]] = defaultdict(list)
    observed = defaultdict(list)
    for observation in seed.observations:
        observed[str(observation.ref)].append(observation)
    for ref, observations in observed.items():
        for earlier, later in pairwise(observations):
            if earlier.status is later.status:
                continue
            by_ref[ref].append(
                HistoryEntry(
                    ref=later.ref,
                    previous_ref=earlier.ref,
                    from_status=earlier.status,
                    to_status=later.status,
                    actor=SEED_ACTOR,
                    reason=f"Status as reported in {titles[later.source]}",
                    at=london(later.as_of, time(0, 0)),
                    version=versions[ref],
                )
            )
    return dict(by_ref)
