"""An event about imported history carries when it happened, and alerts nobody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.notifier.domain.matching import is_about_the_past
from shared.events import CloudEvent


@dataclass
class Moved:
    occurred_at: datetime | None
    event_type: str = "registry.modification.status_changed"
    subject: str = "MP300"

    def data(self) -> dict[str, Any]:
        return {}


def test_an_imported_event_is_stamped_when_it_happened_and_is_not_news() -> None:
    happened = datetime(2019, 5, 2, 10, tzinfo=UTC)
    imported = CloudEvent.from_domain("/registry", Moved(happened))
    assert imported.time == happened
    assert imported.recordedtime is not None
    assert imported.recordedtime > happened
    assert is_about_the_past(imported)
    assert is_about_the_past(CloudEvent.model_validate(imported.model_dump(mode="json")))


def test_an_ordinary_event_is_news() -> None:
    now = CloudEvent.from_domain("/registry", Moved(None))
    assert now.recordedtime is None
    assert not is_about_the_past(now)
