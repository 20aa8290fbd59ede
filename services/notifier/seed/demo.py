"""The demonstration subscriber: the demo modifications, the Change Board, consultations."""

from __future__ import annotations

from typing import Final

from shared.dev.demo import DemoCall

# example.org: never a real mailbox; make run's mail sink catches what is sent to it.
DEMO_SUBSCRIBER: Final = "demo.subscriber@example.org"
DEMO_TOPICS: Final = (
    "modification:MP901",
    "modification:MP902",
    "committee:change-board",
    "consultations",
)


def demo_calls() -> list[DemoCall]:
    """Return the subscribe request; its confirmation link is followed from the mail sink."""
    body = {"email": DEMO_SUBSCRIBER, "topics": list(DEMO_TOPICS), "digest": "none"}
    return [DemoCall("notifier", "POST", "/api/v1/subscriptions", body)]
