"""Wall times become one instant, or a clear refusal in the hour the clocks skip or repeat."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.calendar.domain.local_times import (
    AmbiguousLocalTime,
    Fold,
    NonexistentLocalTime,
    local_instant,
)
from shared.contracts.vocabulary import (
    COMMITTEES,
    EventType,
    committee_slug,
    event_type_named,
)


@pytest.mark.parametrize(
    ("wall", "zone", "expected"),
    [
        ("2027-06-10T10:00:00", "Europe/London", "2027-06-10T09:00:00+00:00"),
        ("2027-01-10T10:00:00", "Europe/London", "2027-01-10T10:00:00+00:00"),
        ("2027-03-28T00:59:59", "Europe/London", "2027-03-28T00:59:59+00:00"),
        ("2027-03-28T02:00:00", "Europe/London", "2027-03-28T01:00:00+00:00"),
        ("2027-03-14T03:00:00", "America/New_York", "2027-03-14T07:00:00+00:00"),
    ],
)
def test_a_wall_time_that_happens_once_is_that_instant(wall: str, zone: str, expected: str) -> None:
    instant = local_instant(datetime.fromisoformat(wall), zone, None, field="starts_at")
    assert instant.isoformat() == expected
    assert instant.tzinfo is UTC


@pytest.mark.parametrize(
    ("wall", "zone", "nearest"),
    [
        ("2027-03-28T01:00:00", "Europe/London", ("00:59:59+00:00", "02:00:00+01:00")),
        ("2027-03-28T01:59:59", "Europe/London", ("00:59:59+00:00", "02:00:00+01:00")),
        ("2027-03-14T02:30:00", "America/New_York", ("01:59:59-05:00", "03:00:00-04:00")),
    ],
)
def test_a_wall_time_the_clocks_skip_names_the_nearest_valid_times(
    wall: str, zone: str, nearest: tuple[str, str]
) -> None:
    with pytest.raises(NonexistentLocalTime) as raised:
        local_instant(datetime.fromisoformat(wall), zone, Fold.LATER, field="starts_at")
    assert tuple(t.isoformat()[11:] for t in raised.value.nearest) == nearest
    assert raised.value.field == "starts_at"


def test_a_repeated_wall_time_needs_a_fold() -> None:
    wall = datetime(2027, 10, 31, 1, 15)
    with pytest.raises(AmbiguousLocalTime) as raised:
        local_instant(wall, "Europe/London", None, field="ends_at")
    assert raised.value.problem_extensions["instants"] == {
        "earlier": "2027-10-31T00:15:00+00:00",
        "later": "2027-10-31T01:15:00+00:00",
    }
    earlier = local_instant(wall, "Europe/London", Fold.EARLIER, field="ends_at")
    later = local_instant(wall, "Europe/London", Fold.LATER, field="ends_at")
    assert (later - earlier).total_seconds() == 3600


def test_every_committee_and_type_name_and_alias_names_one_thing() -> None:
    for committee in COMMITTEES:
        for name in (committee.slug, committee.name, committee.short_name, *committee.aliases):
            assert committee_slug(name) == committee.slug
            assert committee_slug(name.upper()) == committee.slug
    for event_type in EventType:
        for name in (event_type.value, event_type.label, *event_type.aliases):
            assert event_type_named(name) is event_type
    assert committee_slug("panel") == "sec-panel"
    assert committee_slug("no such thing") is None
    with pytest.raises(ValueError, match="consultation-deadline"):
        event_type_named("party")
