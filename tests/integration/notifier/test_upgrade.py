"""A database written by an earlier build is brought to today's shape at start-up."""

from __future__ import annotations

from services.notifier.adapters import names
from services.notifier.adapters.upgrade import (
    LEGACY_DELIVERIES,
    hold_deliveries_in_their_batches,
    upgrade_storage,
)
from services.notifier.domain.deliveries import DeliveryKind, new_delivery
from services.notifier.domain.sources import Source, stored_event
from services.notifier.service.queueing import queue_deliveries
from shared.db import Session
from shared.events import CloudEvent
from tests.integration.notifier.rig import Rig
from tests.integration.notifier.test_delivery import alert_batch, request_batch
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change

FOLLOWERS = ["first@example.org", "second@example.org"]


async def _store_the_old_way(rig: Rig, batch_id: object) -> None:
    """Leave a batch as a build before decision 0059 left it: open, deliveries on their own."""
    held = await rig.mongo.collection(names.DELIVERIES).find_one_and_delete({"_id": batch_id})
    assert held is not None
    legacy = [
        {**delivery, "kind": held["kind"], "source_key": held["source_key"]}
        for delivery in held["deliveries"]
    ]
    await rig.mongo.collection(LEGACY_DELIVERIES).insert_many(legacy)
    ids = [delivery["_id"] for delivery in legacy]
    await rig.mongo.collection(names.SENT).delete_many({"_id": {"$in": ids}})
    await rig.mongo.collection(names.BATCHES).update_one(
        {"_id": batch_id},
        {"$set": {"delivery_ids": ids, "state": "open", "claimed_until": rig.clock()}},
    )


async def test_an_open_batch_stored_the_old_way_is_moved_and_sent(rig: Rig) -> None:
    for address in FOLLOWERS:
        await rig.subscribe_confirmed(address, ["modification:MP192"])
    event = await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(4)
    batch = await alert_batch(rig)
    await _store_the_old_way(rig, batch["_id"])

    assert await hold_deliveries_in_their_batches(rig.mongo) == 1
    assert await hold_deliveries_in_their_batches(rig.mongo) == 0  # once
    names_left = await rig.mongo.db.list_collection_names()
    assert LEGACY_DELIVERIES not in names_left
    deliveries = await rig.context.deliveries.for_source(event.id)
    assert len(deliveries) == len(FOLLOWERS)

    await request_batch(rig, batch["_id"])
    await rig.wait_mail(6)
    for address in FOLLOWERS:
        alerts = [m for m in rig.messages(address) if "Report Phase" in str(m["Subject"])]
        assert len(alerts) == 2  # sent before, and again: its outcome was not recorded
        assert alerts[0]["Message-ID"] == alerts[1]["Message-ID"]
    await alert_batch(rig)  # done


async def test_a_fan_out_opened_the_old_way_is_carried_on_once(rig: Rig) -> None:
    for address in FOLLOWERS:
        await rig.subscribe_confirmed(address, ["modification:MP192"])
    context = rig.context
    event = CloudEvent(
        source="/registry", type=STATUS_CHANGED, subject="MP192", data=status_change()
    )
    first = await rig.mongo.collection(names.SUBSCRIPTIONS).find_one({"email": FOLLOWERS[0]})
    assert first is not None

    async def left_half_done(session: Session) -> None:
        """As an older build left a fan-out stopped after its first page, by its cursor."""
        now = context.clock()
        await context.sources.put(Source(event.id, stored_event(event), now), session)
        already = new_delivery(DeliveryKind.ALERT, event.id, str(first["_id"]), now)
        await queue_deliveries(context, [already], session)
        document = {"_id": event.id, "after": first["_id"], "holder": None, "held_until": now}
        await rig.mongo.collection(names.FANOUTS).insert_one(document, session=session)

    await context.mongo.transaction(left_half_done)
    await upgrade_storage(rig.mongo)
    context.fanout_wanted.set()
    await rig.wait_mail(4)
    await rig.settled()
    for address in FOLLOWERS:
        alerts = [m for m in rig.messages(address) if "Report Phase" in str(m["Subject"])]
        assert len(alerts) == 1
    assert await rig.mongo.collection(names.FANOUTS).count_documents({}) == 0
