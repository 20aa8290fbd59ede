"""One email per (event, subscriber) through redelivery, faults, dead workers and outages."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import icalendar

from services.notifier.adapters import names
from services.notifier.service.scheduling import tick
from shared.auth import ROLE_ADMIN, issue_token
from shared.events import CloudEvent
from shared.mailsink import RcptFault
from shared.vocabulary import Classification
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


async def request_delivery(rig: Rig, delivery_id: str) -> None:
    await rig.publish(
        "notifier.delivery.requested",
        {"delivery_id": delivery_id, "kind": "alert"},
        subject=delivery_id,
    )


async def test_redelivered_event_and_job_send_one_email(rig: Rig) -> None:
    await rig.subscribe_confirmed("once@example.org", ["modification:MP192"])
    event = CloudEvent(source="/registry", type=STATUS_CHANGED, data=status_change())
    await rig.publish(event.type, event.data, event=event)
    await rig.publish(event.type, event.data, event=event)
    await rig.wait_mail(2)
    delivery = await alert_delivery(rig)
    await request_delivery(rig, str(delivery["_id"]))
    await request_delivery(rig, str(delivery["_id"]))
    await asyncio.sleep(0.5)
    assert len(rig.messages("once@example.org")) == 2
    assert await rig.mongo.collection(names.DELIVERIES).count_documents({"kind": "alert"}) == 1


async def test_temporary_refusal_is_retried_and_sent_once(rig: Rig) -> None:
    await rig.subscribe_confirmed("flaky@example.org", ["modification:MP192"])
    rig.sink.faults = [RcptFault(451, "flaky@example.org", times=1)]
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    messages = await rig.wait_mail(2, "flaky@example.org")
    assert len(messages) == 2
    delivery = await alert_delivery(rig)
    assert delivery["state"] == "sent"
    assert delivery["attempts"] == 2
    assert "451" in str(delivery["last_error"])


async def test_worker_killed_mid_send_is_resent_by_the_sweeper_with_the_same_message_id(
    rig: Rig,
) -> None:
    await rig.subscribe_confirmed("killed@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    first = (await rig.wait_mail(2))[-1]
    delivery = await alert_delivery(rig)
    # The state a worker leaves when it dies after the server accepted, before marking sent.
    await rig.mongo.collection(names.DELIVERIES).update_one(
        {"_id": delivery["_id"]},
        {"$set": {"state": "sending", "claimed_at": rig.clock(), "next_attempt_at": rig.clock()}},
    )
    await request_delivery(rig, str(delivery["_id"]))  # a fresh claim is left alone
    await asyncio.sleep(0.5)
    assert len(rig.messages()) == 2

    rig.clock.offset = timedelta(minutes=3)
    report = await tick(rig.deps, rig.clock())
    assert report.requeued == 1
    again = (await rig.wait_mail(3))[-1]
    assert again["Message-ID"] == first["Message-ID"]
    assert len(rig.messages()) == 3


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
        lambda: rig.mongo.collection(names.DELIVERIES).find_one(
            {"kind": "alert", "attempts": {"$gte": 2}, "state": "pending"}
        ),
        15,
        "failed attempts",
    )
    assert len(rig.messages()) == 1
    rig.calendar.down = False
    rig.clock.offset = timedelta(hours=1)
    await tick(rig.deps, rig.clock())
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
    for status in ("report_phase", "change_board", "approved", "implemented"):
        event = await rig.publish(STATUS_CHANGED, status_change(status), subject="MP192")
        await rig.applied(event)
    failed = {"kind": "alert", "state": "failed"}
    await until(
        lambda: rig.mongo.collection(names.SUPPRESSIONS).find_one({"reason": "bounced"}),
        10,
        "suppression",
    )
    await until(
        lambda: rig.mongo.collection(names.DELIVERIES).count_documents(
            {"kind": "alert", "state": {"$in": ["failed", "skipped"]}}
        ),
        10,
        "closed deliveries",
    )
    assert await rig.mongo.collection(names.DELIVERIES).count_documents(failed) >= 3
    assert len(rig.messages()) == 1
