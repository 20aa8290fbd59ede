"""Name the notifier's collections and declare every index they are queried on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pymongo import ASCENDING, IndexModel

from services.notifier.adapters.documents import SUBSCRIPTION_INDEXES

SUBSCRIPTIONS: Final = "notifier_subscriptions"
SUPPRESSIONS: Final = "notifier_suppressions"
BOUNCES: Final = "notifier_bounces"
# Insert-only outcomes of deliveries (sent, failed, skipped), keyed by delivery id.
SENT: Final = "notifier_sent"
# Groups of deliveries of one source that a worker claims and sends together.
BATCHES: Final = "notifier_batches"
# The deliveries (one email each) of each batch, in one document with the batch's id.
DELIVERIES: Final = "notifier_batch_deliveries"
# Events whose followers are still being queued, a page at a time, with their cursor.
FANOUTS: Final = "notifier_fanouts"
# One stored copy of each event or reminder that deliveries and digest items refer to.
SOURCES: Final = "notifier_sources"
DIGEST_ITEMS: Final = "notifier_digest_items"
CONSULTATIONS: Final = "notifier_consultations"
MEETINGS: Final = "notifier_meetings"
# The latest classification of each subject (looked up by `_id` only).
MARKS: Final = "notifier_marks"
SCHEDULE_RUNS: Final = "notifier_schedule_runs"
RATE_LIMITS: Final = "notifier_rate_limits"
LEASES: Final = "notifier_leases"


def _subscription_indexes() -> list[IndexModel]:
    models = [IndexModel(list(keys), unique=unique) for keys, unique in SUBSCRIPTION_INDEXES]
    # The digest run selects confirmed subscribers of one frequency.
    models.append(IndexModel([("digest", ASCENDING), ("status", ASCENDING)]))
    return models


def notifier_indexes() -> dict[str, Sequence[IndexModel]]:
    """Return the indexes the notifier creates at start-up, per collection."""
    return {
        SUBSCRIPTIONS: _subscription_indexes(),
        # The sweeper finds open batches by state and due time.
        BATCHES: [IndexModel([("state", ASCENDING), ("next_attempt_at", ASCENDING)])],
        DELIVERIES: [
            # An email's identity: one per (event, reminder, digest or confirmation; subscriber)
            # across all batches (a batch holds deliveries of one source).
            IndexModel(
                [("source_key", ASCENDING), ("deliveries.subscription_id", ASCENDING)],
                unique=True,
            ),
            # A subscriber's deliveries, for export and erasure.
            IndexModel([("deliveries.subscription_id", ASCENDING)]),
        ],
        # The fan-out job claims the open fan-outs whose lease has lapsed.
        FANOUTS: [IndexModel([("held_until", ASCENDING)])],
        DIGEST_ITEMS: [
            IndexModel([("subscription_id", ASCENDING), ("item_key", ASCENDING)], unique=True),
            IndexModel([("subscription_id", ASCENDING), ("consumed_by", ASCENDING)]),
        ],
        CONSULTATIONS: [IndexModel([("status", ASCENDING), ("closes_at", ASCENDING)])],
        MEETINGS: [IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)])],
        RATE_LIMITS: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)],
        SCHEDULE_RUNS: [IndexModel([("done_at", ASCENDING)], expireAfterSeconds=60 * 86400)],
    }
