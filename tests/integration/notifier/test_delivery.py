"""One email per (event, subscriber) through redelivery, faults, dead workers and outages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import icalendar

from services.notifier.adapters import names
from services.notifier.service.scheduling import tick
from shared.auth import ROLE_ADMIN, issue_token
from shared.contracts.classification import Classification
from shared.events import CloudEvent
from shared.mailsink import RcptFault
from tests.conftest import TEST_SECRET
from tests.integration.notifier.rig import Rig, until
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change

CREATED = "calendar.event.created"


async def alert_delivery(rig: Rig) -> dict[str, object]:
    return await until(
        lambda: rig.mongo.collection(names.DELIVERIES).find_one({"kind": "alert"}),
        10,
        "an alert delivery",
    )


async def alert_batch(rig: Rig, state: str = "done") -> dict[str, Any]:
    return await until(
        lambda: rig.mongo.collection(names.BATCHES).find_one({"kind": "alert", "state": state}),
        10,
        f"a {state} alert batch",
    )


async def outcome(rig: Rig, delivery_id: object) -> dict[str, object]:
    found = await rig.mongo.collection(names.SENT).find_one({"_id": delivery_id})
    assert found is not None, "no outcome recorded"
    return dict(found)


async def request_batch(rig: Rig, batch_id: object) -> None:
    await rig.publish(
        "notifier.delivery.batch", {"batch_id": batch_id, "kind": "alert"}, subject=str(batch_id)
    )


async def reopen(rig: Rig, batch_id: object, until: datetime) -> None:
    """Leave a batch as a worker leaves it when it dies while holding its claim."""
    await rig.mongo.collection(names.BATCHES).update_one(
        {"_id": batch_id},
        {"$set": {"state": "open", "claimed_until": until, "next_attempt_at": until}},
    )


async def test_redelivered_event_and_job_send_one_email(rig: Rig) -> None:
    await rig.subscribe_confirmed("once@example.org", ["modification:MP192"])
    event = CloudEvent(source="/registry", type=STATUS_CHANGED, data=status_change())
    await rig.publish(event.type, event.data, event=event)
    await rig.publish(event.type, event.data, event=event)
    await rig.wait_mail(2)
    batch = await alert_batch(rig)
    await request_batch(rig, batch["_id"])
    await request_batch(rig, batch["_id"])
    await rig.settled()
    assert len(rig.messages("once@example.org")) == 2
    assert await rig.mongo.collection(names.DELIVERIES).count_documents({"kind": "alert"}) == 1


async def test_fanout_queues_one_job_per_batch_of_deliveries(rig: Rig) -> None:
    for n in range(3):
        await rig.subscribe_confirmed(f"many{n}@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(6)
    batch = await alert_batch(rig)
    assert len(batch["delivery_ids"]) == 3
    assert await rig.mongo.collection(names.BATCHES).count_documents({"kind": "alert"}) == 1
    for delivery_id in batch["delivery_ids"]:
        assert (await outcome(rig, delivery_id))["outcome"] == "sent"


async def test_temporary_refusal_is_retried_and_sent_once(rig: Rig) -> None:
    await rig.subscribe_confirmed("flaky@example.org", ["modification:MP192"])
    rig.sink.faults = [RcptFault(451, "flaky@example.org", times=1)]
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    messages = await rig.wait_mail(2, "flaky@example.org")
    assert len(messages) == 2
    delivery = await alert_delivery(rig)
    assert (await outcome(rig, delivery["_id"]))["outcome"] == "sent"
    batch = await alert_batch(rig)
    assert batch["attempts"] == 2
    assert "451" in str(batch["last_error"])


async def test_worker_killed_mid_send_is_resent_by_the_sweeper_with_the_same_message_id(
    rig: Rig,
) -> None:
    await rig.subscribe_confirmed("killed@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    first = (await rig.wait_mail(2))[-1]
    delivery = await alert_delivery(rig)
    batch = await alert_batch(rig)
    # The worker died after the server accepted, before recording the outcome.
    await rig.mongo.collection(names.SENT).delete_one({"_id": delivery["_id"]})
    await reopen(rig, batch["_id"], rig.clock() + timedelta(minutes=2))
    await request_batch(rig, batch["_id"])  # a live claim is left alone
    await rig.settled()
    assert len(rig.messages()) == 2

    rig.clock.offset = timedelta(minutes=3)
    report = await tick(rig.context, rig.clock())
    assert report.requeued == 1
    again = (await rig.wait_mail(3))[-1]
    assert again["Message-ID"] == first["Message-ID"]
    assert len(rig.messages()) == 3


async def test_a_dead_workers_batch_is_finished_by_another_without_duplicates(rig: Rig) -> None:
    for name in ("done", "undone"):
        await rig.subscribe_confirmed(f"{name}@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(4)
    batch = await alert_batch(rig)
    deliveries = rig.mongo.collection(names.DELIVERIES)
    undone = await deliveries.find_one({"kind": "alert", "_id": {"$in": batch["delivery_ids"]}})
    assert undone is not None
    recipient = await rig.context.subscriptions.get(str(undone["subscription_id"]))
    assert recipient is not None
    # The worker died mid-batch: one outcome recorded, one not; its claim has lapsed.
    await rig.mongo.collection(names.SENT).delete_one({"_id": undone["_id"]})
    await reopen(rig, batch["_id"], rig.clock() - timedelta(seconds=1))
    await request_batch(rig, batch["_id"])
    await rig.wait_mail(5)
    # The other subscriber got nothing twice; this one got the alert again, same Message-ID.
    assert len(rig.messages()) == 5
    resent = [str(m["Message-ID"]) for m in rig.messages(recipient.email)]
    assert len(resent) == 3
    assert len(set(resent)) == 2  # the confirmation, and the alert twice
    await alert_batch(rig)


async def test_meeting_alert_carries_the_calendar_entry_with_the_feed_uid(rig: Rig) -> None:
    await rig.subscribe_confirmed("ics@example.org", ["committee:change-board"])
    meeting = rig.calendar.meeting()
    await rig.publish(CREATED, {"event": meeting}, subject=meeting["id"])
    alert = (await rig.wait_mail(2))[-1]
    [attachment] = list(alert.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "PUBLISH"
    [vevent] = list(calendar.walk("VEVENT"))
    assert str(vevent["UID"]) == meeting["uid"]


async def test_calendar_outage_delays_the_alert_rather_than_dropping_the_entry(rig: Rig) -> None:
    await rig.subscribe_confirmed("patient@example.org", ["committee:change-board"])
    meeting = rig.calendar.meeting()
    rig.calendar.down = True
    await rig.publish(CREATED, {"event": meeting}, subject=meeting["id"])
    await until(
        lambda: rig.mongo.collection(names.BATCHES).find_one(
            {"kind": "alert", "attempts": {"$gte": 2}, "state": "open"}
        ),
        15,
        "failed attempts",
    )
    assert len(rig.messages()) == 1
    rig.calendar.down = False
    rig.clock.offset = timedelta(hours=1)
    await tick(rig.context, rig.clock())
    alert = (await rig.wait_mail(2))[-1]
    assert len(list(alert.iter_attachments())) == 1


async def test_green_content_reaches_only_verified_parties(rig: Rig) -> None:
    await rig.subscribe_confirmed("public@example.org", ["committee:change-board"])
    manage = await rig.subscribe_confirmed("party@example.org", ["committee:change-board"])
    admin = issue_token(TEST_SECRET, "ops", {ROLE_ADMIN})
    response = await rig.client.post(
        f"/api/v1/subscriptions/{manage.split('.')[1]}/verify-party",
        json={"verified": True},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert response.status == 200
    meeting = rig.calendar.meeting(classification=Classification.GREEN)
    await rig.publish(CREATED, {"event": meeting}, subject=meeting["id"])
    [_, green] = await rig.wait_mail(2, "party@example.org")
    assert "GREEN" in green.get_body(preferencelist=("plain",)).get_content()
    assert len(rig.messages("public@example.org")) == 1


async def test_hard_failures_are_recorded_and_suppress_the_address(rig: Rig) -> None:
    await rig.subscribe_confirmed("gone@example.org", ["modification:MP192"])
    rig.sink.faults = [RcptFault(550, "gone@example.org")]
    for status in ("report-phase", "change-board-vote", "approved", "implemented"):
        event = await rig.publish(STATUS_CHANGED, status_change(status), subject="MP192")
        await rig.applied(event)
    failed = {"outcome": "failed"}
    await until(
        lambda: rig.mongo.collection(names.SUPPRESSIONS).find_one({"reason": "bounced"}),
        10,
        "suppression",
    )
    await until(
        lambda: rig.mongo.collection(names.SENT).count_documents(
            {"outcome": {"$in": ["failed", "skipped"]}}
        ),
        10,
        "closed deliveries",
    )
    assert await rig.mongo.collection(names.SENT).count_documents(failed) >= 3
    assert len(rig.messages()) == 1
