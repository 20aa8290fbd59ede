"""What a subscriber's export holds, the same from `sec-ops` and from the console."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

# Reads one page of a subscriber's deliveries after a cursor (None: from the first).
PageReader = Callable[[str | None], Awaitable[Mapping[str, Any]]]


async def every_delivery(
    read_page: PageReader, on_page: Callable[[int], None] | None = None
) -> list[Any]:
    """Return all of a subscriber's deliveries, following the admin API's `next` cursor."""
    deliveries: list[Any] = []
    after: str | None = None
    while True:
        page = await read_page(after)
        deliveries += page["deliveries"]
        if on_page is not None:
            on_page(len(page["deliveries"]))
        after = page["next"]
        if after is None:
            return deliveries


def export_document(held: Mapping[str, Any], deliveries: list[Any]) -> dict[str, Any]:
    """Return the export: what the notifier holds about the subscriber, every delivery."""
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        **{key: value for key, value in held.items() if key != "deliveries_total"},
        "deliveries": deliveries,
    }
