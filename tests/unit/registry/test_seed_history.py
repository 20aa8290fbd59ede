"""The seed's timeline: one move for each change of status between two documents."""

from __future__ import annotations

from datetime import date

from services.registry.seed import load_seed
from services.registry.seed.history import SEED_ACTOR, seed_history
from shared.contracts.statuses import Status


def test_change_board_outcome_of_april_2017_is_on_the_timeline() -> None:
    entries = seed_history(load_seed())["SECMP0004"]
    assert [(e.from_status, e.to_status) for e in entries] == [
        (Status.CHANGE_BOARD_VOTE, Status.AWAITING_AUTHORITY_DECISION)
    ]
    assert entries[0].at.date() == date(2017, 4, 20)
    assert entries[0].actor == SEED_ACTOR
    assert "DCUSA Panel" in entries[0].reason


def test_every_seed_move_changes_status_and_ends_where_the_register_stands() -> None:
    seed = load_seed()
    current = {str(mod.ref): mod.status for mod in seed.modifications}
    for ref, entries in seed_history(seed).items():
        assert all(entry.from_status is not entry.to_status for entry in entries)
        assert entries[-1].to_status is current[ref]
        assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
