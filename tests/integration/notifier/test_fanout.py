"""An event's followers are queued a page at a time, and a stopped fan-out is carried on."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from services.notifier.adapters import names
from services.notifier.adapters.fanouts import Fanout, FanoutRepository
from services.notifier.domain.deliveries import DeliveryKind, new_delivery
from services.notifier.domain.sources import Source, stored_event
from services.notifier.service import fanout
from services.notifier.service.context import NotifierContext
from services.notifier.service.queueing import queue_deliveries
from shared.db import Session
from shared.events import CloudEvent
from shared.outbox import Outbox
from tests.integration.notifier.rig import Rig
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change

FOLLOWERS = [f"follower{n}@example.org" for n in range(5)]


@pytest.fixture(autouse=True)
def pages_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fanout, "FANOUT_PAGE", 2)


async def _follow(rig: Rig) -> None:
    for address in FOLLOWERS:
        await rig.subscribe_confirmed(address, ["modification:MP192"])
    await rig.subscribe_confirmed("reader@example.org", ["modification:MP192"], digest="daily")
    await rig.subscribe_confirmed("elsewhere@example.org", ["modification:MP001"])


async def _alerts(rig: Rig) -> dict[str, int]:
    await rig.settled()
    return {
        address: sum(1 for m in rig.messages(address) if "Report Phase" in str(m["Subject"]))
        for address in [*FOLLOWERS, "reader@example.org", "elsewhere@example.org"]
    }


async def _digest_items(rig: Rig, source_key: str) -> int:
    return await rig.mongo.collection(names.DIGEST_ITEMS).count_documents({"item_key": source_key})


async def test_an_event_with_more_followers_than_a_page_reaches_each_of_them_once(
    rig: Rig,
) -> None:
    await _follow(rig)
    event = await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    alerts = await _alerts(rig)
    assert alerts == {
        **dict.fromkeys(FOLLOWERS, 1),
        "reader@example.org": 0,
        "elsewhere@example.org": 0,
    }
    assert await _digest_items(rig, event.id) == 1  # the daily reader's, for the digest
    assert len(await rig.context.deliveries.for_source(event.id)) == len(FOLLOWERS)
    assert await rig.mongo.collection(names.FANOUTS).count_documents({}) == 0


class Stopped(Exception):
    """The holder stopped here, as a kill -9 would stop it, after its first page."""


async def _open_as_held_by(
    context: NotifierContext, event: CloudEvent, holder: str, session: Session
) -> Fanout:
    """Store the event and its fan-out as a consumer does, already claimed by `holder`."""
    now = context.clock()
    await context.sources.put(Source(event.id, stored_event(event), now), session)
    until = now + fanout.FANOUT_LEASE
    document = {"_id": event.id, "pages": 0, "holder": holder, "held_until": until}
    await context.mongo.collection(names.FANOUTS).insert_one(document, session=session)
    return Fanout(event.id, 0)


async def _held_fan_out(rig: Rig, holder: str) -> tuple[CloudEvent, Fanout]:
    """Return an event about MP192 and its fan-out, opened and claimed by `holder`."""
    event = CloudEvent(
        source="/registry", type=STATUS_CHANGED, subject="MP192", data=status_change()
    )
    context = rig.context
    return event, await context.mongo.transaction(partial(_open_as_held_by, context, event, holder))


async def test_a_fan_out_whose_holder_stopped_is_carried_on_once_its_lease_lapses(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _follow(rig)
    context = rig.context
    event, held = await _held_fan_out(rig, "gone")

    def stop_after_the_first_page(self: Any) -> None:
        raise Stopped

    with monkeypatch.context() as patched:
        # The relay is told once a page has committed: the holder stops right there.
        patched.setattr(Outbox, "notify", stop_after_the_first_page)
        with pytest.raises(Stopped):
            await fanout.fan_out(context, held, "gone")
    page = len(await context.deliveries.for_source(event.id))
    assert page + await _digest_items(rig, event.id) == 2  # one page of two followers
    assert page < len(FOLLOWERS)
    left = await rig.mongo.collection(names.FANOUTS).find_one({"_id": event.id})
    assert left is not None
    assert left["holder"] == "gone"
    assert left["pages"] == 1

    # Within its lease nobody takes it over; once it has lapsed the fan-out job does.
    now = context.clock()
    assert await context.fanouts.claim("another", now, now + fanout.FANOUT_LEASE) is None
    rig.clock.offset = fanout.FANOUT_LEASE + timedelta(seconds=1)
    context.fanout_wanted.set()
    alerts = await _alerts(rig)
    assert alerts == {
        **dict.fromkeys(FOLLOWERS, 1),
        "reader@example.org": 0,
        "elsewhere@example.org": 0,
    }
    assert len(await context.deliveries.for_source(event.id)) == len(FOLLOWERS)
    assert await _digest_items(rig, event.id) == 1

    # The stopped holder coming back finds the fan-out finished and queues nothing.
    await fanout.fan_out(context, held, "gone")
    assert len(await context.deliveries.for_source(event.id)) == len(FOLLOWERS)
    assert await _alerts(rig) == alerts


async def test_a_source_that_had_deliveries_before_its_fan_out_adds_only_those_it_lacks(
    rig: Rig,
) -> None:
    await _follow(rig)
    context = rig.context
    event, held = await _held_fan_out(rig, "me")
    subscriptions = rig.mongo.collection(names.SUBSCRIPTIONS)
    first = await subscriptions.find_one({"email": FOLLOWERS[3]})
    assert first is not None
    already = new_delivery(DeliveryKind.ALERT, event.id, str(first["_id"]), context.clock())
    await context.mongo.transaction(partial(queue_deliveries, context, [already]))

    await fanout.fan_out(context, held, "me")
    deliveries = await context.deliveries.for_source(event.id)
    assert len(deliveries) == len(FOLLOWERS)
    assert [d.id for d in deliveries if d.subscription_id == first["_id"]] == [already.id]


async def test_the_fan_out_job_waits_out_a_database_outage_and_says_so_once_each_way(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await rig.subscribe_confirmed(FOLLOWERS[0], ["modification:MP192"])
    caplog.set_level(logging.WARNING, logger=fanout.__name__)
    claim = FanoutRepository.claim
    refused = 0

    async def claim_while_down(self: FanoutRepository, *args: Any) -> Fanout | None:
        nonlocal refused
        if refused < 3:
            refused += 1
            # What pymongo raises while the server is down (chaos suite: database kill -9).
            raise ServerSelectionTimeoutError("127.0.0.1: connection refused")
        return await claim(self, *args)

    monkeypatch.setattr(FanoutRepository, "claim", claim_while_down)
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    assert (await _alerts(rig))[FOLLOWERS[0]] == 1
    assert refused == 3
    said = [r.getMessage() for r in caplog.records if r.name == fanout.__name__]
    assert sum("cannot reach the database" in m for m in said) == 1, said
    assert sum("goes on after" in m for m in said) == 1, said
