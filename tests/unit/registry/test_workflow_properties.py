"""Check by random sequences that the workflow never makes a forbidden move."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.registry.domain.errors import IllegalTransition
from services.registry.domain.workflow import HistoryEntry, allowed_transitions, transition
from shared.contracts.statuses import Path, Status
from tests.unit.registry.factories import T0, modification

starts = st.sampled_from(
    [("DP197", Status.DRAFT_PROPOSAL), ("MP192", Status.INITIAL_CONSIDERATION)]
)
paths = st.sampled_from([None, *Path])
attempts = st.lists(
    st.tuples(st.sampled_from(list(Status)), st.integers(min_value=0, max_value=3_600)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(start=starts, path=paths, attempts=attempts, release=st.sampled_from([None, "2022-06"]))
def test_random_attempts_never_make_a_forbidden_move_and_history_stays_consistent(
    start: tuple[str, Status],
    path: Path | None,
    attempts: list[tuple[Status, int]],
    release: str | None,
) -> None:
    ref, status = start
    mod = modification(ref, status, path=path, target_release=release)
    history: list[HistoryEntry] = []
    at = T0
    for to, seconds in attempts:
        at += timedelta(seconds=seconds)
        allowed = allowed_transitions(mod)
        if to not in allowed:
            with pytest.raises(IllegalTransition) as refused:
                transition(mod, to, "actor", "reason", at, base_url="")
            assert refused.value.allowed == allowed
            continue
        moved, events, entry = transition(mod, to, "actor", "reason", at, base_url="")
        assert len(events) == 1
        assert events[0].subject == str(moved.ref)
        history.append(entry)
        mod = moved

    assert mod.version == 1 + len(history)
    assert mod.status is (history[-1].to_status if history else status)
    previous_status, previous_ref = status, history[0].previous_ref if history else mod.ref
    for number, entry in enumerate(history, start=2):
        assert entry.from_status is previous_status
        assert entry.previous_ref == previous_ref
        assert entry.version == number
        # A reference changes at most once: DP to MP, on leaving the Development Stage.
        if entry.ref != entry.previous_ref:
            assert entry.previous_ref.is_draft
            assert entry.from_status is Status.DRAFT_PROPOSAL
            assert entry.ref == entry.previous_ref.as_modification()
        previous_status, previous_ref = entry.to_status, entry.ref
    assert [e.at for e in history] == sorted(e.at for e in history)
