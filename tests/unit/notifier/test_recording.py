"""Outcomes that end together share one write, and a lone outcome is written at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

import pytest

from services.notifier.adapters.deliveries import DeliveryRepository
from services.notifier.domain.deliveries import DeliveryOutcome, Ended
from services.notifier.service import delivering
from services.notifier.service.delivering import Recorder

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Outcomes:
    """The outcome store as the Recorder sees it: each write it was asked for."""

    def __init__(self) -> None:
        self.writes: list[list[str]] = []

    async def record(self, outcomes: Sequence[Ended]) -> None:
        self.writes.append([ended.delivery_id for ended in outcomes])
        await asyncio.sleep(0)  # a write yields to the loop, as a database round trip does


def _recorder(outcomes: Outcomes) -> Recorder:
    return Recorder(cast(DeliveryRepository, outcomes))


async def _send(recorder: Recorder, delivery_id: str, ended: asyncio.Event) -> None:
    with recorder.under_way():
        await ended.wait()
    await recorder.add(Ended(delivery_id, DeliveryOutcome.SENT, AT, message_id="<m@x>"))


@pytest.fixture
def no_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer would wait an hour for the sends under way: only their ending moves it."""
    monkeypatch.setattr(delivering, "RECORD_LINGER", 3600.0)


@pytest.mark.usefixtures("no_deadline")
async def test_the_outcomes_of_sends_under_way_together_go_in_one_write() -> None:
    outcomes = Outcomes()
    recorder = _recorder(outcomes)
    ends = [asyncio.Event() for _ in range(8)]
    sends = [asyncio.create_task(_send(recorder, f"d{n}", end)) for n, end in enumerate(ends)]
    await asyncio.sleep(0)
    for end in ends:  # one after the other, each while the first outcome waits for the rest
        end.set()
        await asyncio.sleep(0)
    await asyncio.wait_for(asyncio.gather(*sends), 10)
    assert outcomes.writes == [[f"d{n}" for n in range(8)]]


@pytest.mark.usefixtures("no_deadline")
async def test_a_lone_outcome_is_written_without_waiting() -> None:
    outcomes = Outcomes()
    recorder = _recorder(outcomes)
    end = asyncio.Event()
    end.set()
    # Nothing else is under way, so the hour-long linger never applies.
    await asyncio.wait_for(_send(recorder, "d0", end), 10)
    assert outcomes.writes == [["d0"]]


async def test_a_writer_waits_no_longer_than_the_linger_for_a_slow_send() -> None:
    outcomes = Outcomes()
    recorder = _recorder(outcomes)
    slow, quick = asyncio.Event(), asyncio.Event()
    slow_send = asyncio.create_task(_send(recorder, "slow", slow))
    quick.set()
    await asyncio.wait_for(_send(recorder, "quick", quick), 10)
    assert outcomes.writes == [["quick"]]  # written while the slow one is still under way
    slow.set()
    await asyncio.wait_for(slow_send, 10)
    assert outcomes.writes == [["quick"], ["slow"]]


class SlowOutcomes(Outcomes):
    """A store whose writes end only when told, or fail when told to."""

    def __init__(self) -> None:
        super().__init__()
        self.release: list[asyncio.Event] = []
        self.fail_next = False

    async def record(self, outcomes: Sequence[Ended]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the database went away")
        done = asyncio.Event()
        self.release.append(done)
        await done.wait()
        await super().record(outcomes)


async def _ended(recorder: Recorder, delivery_id: str) -> None:
    await recorder.add(Ended(delivery_id, DeliveryOutcome.SENT, AT, message_id="<m@x>"))


async def _two_writes_under_way(
    outcomes: SlowOutcomes,
) -> tuple[Recorder, asyncio.Task[None], asyncio.Task[None]]:
    """Return a recorder whose two writes (of d0, then of d1) wait to be released."""
    recorder = _recorder(outcomes)
    first = asyncio.create_task(_ended(recorder, "d0"))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(_ended(recorder, "d1"))
    await asyncio.sleep(0.01)
    assert len(outcomes.release) == 2  # both writes under way at once
    return recorder, first, second


async def test_an_outcome_does_not_wait_for_a_write_already_under_way() -> None:
    outcomes = SlowOutcomes()
    _, first, second = await _two_writes_under_way(outcomes)
    outcomes.release[1].set()
    await asyncio.wait_for(second, 10)  # stored, while the first write still waits
    assert not first.done()  # and an outcome is never reported before its write ends
    outcomes.release[0].set()
    await asyncio.wait_for(first, 10)
    assert sorted(outcomes.writes) == [["d0"], ["d1"]]


async def test_the_outcomes_of_a_failed_write_are_stored_by_the_next_one() -> None:
    outcomes = SlowOutcomes()
    recorder, blocker, writer = await _two_writes_under_way(outcomes)
    # Both writes under way: d2 and d3 wait, pending, for the next one.
    waiting = [asyncio.create_task(_ended(recorder, f"d{n}")) for n in (2, 3)]
    await asyncio.sleep(0.01)
    outcomes.fail_next = True
    outcomes.release[1].set()  # d1 is stored; d2's add writes next, and that write fails
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(waiting[0], 10)
    await asyncio.wait_for(writer, 10)
    await asyncio.sleep(0.01)
    assert not waiting[1].done()  # d3 was in the failed write: not stored, so not done
    outcomes.release[2].set()  # its own add writes d2 and d3 again
    await asyncio.wait_for(waiting[1], 10)
    outcomes.release[0].set()
    await asyncio.wait_for(blocker, 10)
    assert sorted(outcomes.writes) == [["d0"], ["d1"], ["d2", "d3"]]
    assert recorder.pending == []
