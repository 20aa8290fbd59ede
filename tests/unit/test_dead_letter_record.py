"""What an operator reads of a dead letter, from the headers the consumer and broker left."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from shared.constants import DEAD_LETTERED_AT_HEADER, ERROR_HEADER
from shared.deadletters import dead_letter


def message(headers: dict[str, Any]) -> Any:
    return SimpleNamespace(
        headers=headers, body=b"{}", message_id="m-1", type="registry.thing.renamed"
    )


def test_a_letter_the_consumer_put_there_says_when() -> None:
    letter = dead_letter(
        "notifier.events",
        message({DEAD_LETTERED_AT_HEADER: "2026-11-30T01:02:03+00:00", ERROR_HEADER: "boom"}),
    )
    assert letter.first_death is not None
    assert letter.first_death.queue == "notifier.events"
    assert letter.first_death.at == datetime(2026, 11, 30, 1, 2, 3, tzinfo=UTC)
    assert letter.reason == "boom"


@pytest.mark.parametrize("garbled", ["yesterday", "", "2026-13-40T99:00"])
def test_a_garbled_timestamp_is_unknown_not_an_error(garbled: str) -> None:
    letter = dead_letter("notifier.events", message({DEAD_LETTERED_AT_HEADER: garbled}))
    assert letter.first_death is not None
    assert letter.first_death.at is None


def test_a_naive_timestamp_is_read_as_utc() -> None:
    letter = dead_letter(
        "notifier.events", message({DEAD_LETTERED_AT_HEADER: "2026-11-30T01:02:03"})
    )
    assert letter.first_death is not None
    assert letter.first_death.at == datetime(2026, 11, 30, 1, 2, 3, tzinfo=UTC)
