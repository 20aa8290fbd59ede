"""Moved to `services.notifier.adapters.documents`; this name stays until its last importer moves.

tests/integration/calendar/test_private_feeds.py (outside the notifier's folders) still
imports `to_document` from here. Delete this module once it imports from adapters.
"""

from services.notifier.adapters.documents import (
    SUBSCRIPTION_INDEXES,
    from_document,
    suppression_document,
    to_document,
)

__all__ = ["SUBSCRIPTION_INDEXES", "from_document", "suppression_document", "to_document"]
