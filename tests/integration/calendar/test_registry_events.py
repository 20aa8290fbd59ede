"""Registry events create, move and cancel deadline entries, once, however often delivered."""

from __future__ import annotations

from typing import Any

import aio_pika

from shared.app import PLATFORM
from shared.auth import ROLE_SECRETARIAT, issue_token
from shared.constants import EVENTS_EXCHANGE
from shared.events import CloudEvent
from tests.conftest import TEST_SIGNER
from tests.integration.calendar.conftest import Client, eventually

CONSULTATION = {
    "id": "MP192-RC",
    "title": "MP192 Refinement Consultation",
    "kind": "refinement",
    "kind_label": "Refinement Consultation",
    "modification_ref": "MP192",
    "opens_at": "2030-01-10T09:00:00+00:00",
    "closes_at": "2030-02-04T17:00:00+00:00",
    "respond_to": "sec.change@example.org",
    "url": "https://registry.example.org/consultations/MP192-RC",
    "status": "open",
    "classification": "white",
}
MODIFICATION = {
    "ref": "MP192",
    "title": "Title",
    "status": "refinement",
    "status_label": "Refinement",
    "is_draft": False,
    "url": "https://registry.example.org/modifications/MP192",
    "classification": "white",
}
RELEASE = {
    "id": "nov-2030",
    "name": "November 2030 SEC Release",
    "sec_version": "9.1",
    "effective_date": "2030-11-05",
    "kind": "scheduled",
    "modification_refs": ["MP192"],
    "url": "https://registry.example.org/releases/nov-2030",
}


async def publish(calendar: Client, type_: str, subject: str, data: dict[str, Any]) -> str:
    """Publish a CloudEvent as the registry's relay does; publish it twice (redelivery)."""
    event = CloudEvent(source="/registry", type=type_, subject=subject, data=data)
    broker = calendar.app[PLATFORM].broker
    channel = await broker.connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(EVENTS_EXCHANGE)
    for _ in range(2):
        await exchange.publish(
            aio_pika.Message(
                body=event.model_dump_json().encode(),
                content_type="application/json",
                message_id=event.id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=type_,
        )
    await channel.close()
    return event.id


async def entry(calendar: Client, event_id: str) -> dict[str, Any] | None:
    staff = {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT})}
    response = await calendar.get(f"/api/v1/events/{event_id}", headers=staff)
    return None if response.status == 404 else dict(await response.json())


async def outbox_types(calendar: Client, subject: str) -> list[str]:
    outbox = calendar.app[PLATFORM].mongo.collection("calendar_outbox")
    return [d["routing_key"] async for d in outbox.find({"envelope.subject": subject})]


async def test_consultation_release_decision_and_withdrawal(calendar: Client) -> None:
    await publish(
        calendar, "registry.consultation.opened", "MP192-RC", {"consultation": CONSULTATION}
    )
    opened = await eventually(lambda: entry(calendar, "consultation-mp192-rc"))
    assert opened["ends_at"] == "2030-02-04T17:00:00+00:00"
    assert opened["type"] == "consultation-deadline"
    assert opened["sequence"] == 0

    moved = {**CONSULTATION, "closes_at": "2030-02-11T17:00:00+00:00"}
    await publish(calendar, "registry.consultation.closing", "MP192-RC", {"consultation": moved})

    async def moved_entry() -> dict[str, Any] | None:
        found = await entry(calendar, "consultation-mp192-rc")
        return found if found and found["ends_at"].startswith("2030-02-11") else None

    after_move = await eventually(moved_entry)
    assert after_move["sequence"] == 1
    assert after_move["uid"] == opened["uid"]

    await publish(calendar, "registry.release.scheduled", "nov-2030", {"release": RELEASE})
    release = await eventually(lambda: entry(calendar, "release-nov-2030"))
    assert release["status"] == "tentative"
    assert release["all_day"]
    await publish(calendar, "registry.release.published", "nov-2030", {"release": RELEASE})

    async def confirmed() -> bool:
        found = await entry(calendar, "release-nov-2030")
        return bool(found and found["status"] == "confirmed")

    await eventually(confirmed)

    decision = {
        "id": "cb-2030-mp192",
        "modification_ref": "MP192",
        "body": "change_board",
        "outcome": "approve",
        "vote": "unanimous",
        "decided_on": "2030-01-26",
        "summary": "Approved for the November 2030 release.",
        "classification": "white",
    }
    await publish(
        calendar,
        "registry.decision.recorded",
        "MP192",
        {"decision": decision, "modification": MODIFICATION},
    )
    vote = await eventually(lambda: entry(calendar, "decision-cb-2030-mp192"))
    assert vote["type"] == "change-board-vote"
    assert vote["committee"] == "change-board"

    await publish(
        calendar,
        "registry.modification.status_changed",
        "MP192",
        {
            "modification": {**MODIFICATION, "status": "withdrawn", "status_label": "Withdrawn"},
            "previous_ref": "MP192",
            "from_status": "refinement",
            "to_status": "withdrawn",
            "from_label": "Refinement",
            "to_label": "Withdrawn",
            "reason": "Withdrawn by the proposer",
            "actor": "secas",
            "changed_at": "2030-01-20T09:00:00+00:00",
        },
    )

    async def cancelled() -> bool:
        found = await entry(calendar, "consultation-mp192-rc")
        return bool(found and found["status"] == "cancelled")

    await eventually(cancelled)
    # Each change announced once although every message arrived twice.
    assert await outbox_types(calendar, "consultation-mp192-rc") == [
        "calendar.event.created",
        "calendar.event.updated",
        "calendar.event.cancelled",
    ]
    assert await outbox_types(calendar, "release-nov-2030") == [
        "calendar.event.created",
        "calendar.event.updated",
    ]
    feed = await (await calendar.get("/feeds/modifications/MP192.ics")).read()
    assert feed.count(b"UID:consultation-mp192-rc@") == 1
    assert b"STATUS:CANCELLED" in feed


async def test_the_same_content_under_a_new_id_changes_nothing(calendar: Client) -> None:
    await publish(
        calendar, "registry.consultation.opened", "MP192-RC", {"consultation": CONSULTATION}
    )
    await eventually(lambda: entry(calendar, "consultation-mp192-rc"))
    await publish(
        calendar, "registry.consultation.opened", "MP192-RC", {"consultation": CONSULTATION}
    )
    # A bad event is dead-lettered at once; a good one behind it still applies.
    await publish(calendar, "registry.release.scheduled", "bad", {"release": {"id": "x"}})
    await publish(calendar, "registry.release.scheduled", "nov-2030", {"release": RELEASE})
    await eventually(lambda: entry(calendar, "release-nov-2030"))
    processed = calendar.app[PLATFORM].mongo.collection("calendar_processed_events")

    async def both_applied() -> bool:
        query = {"type": "registry.consultation.opened", "_id": {"$regex": "^registry-events:"}}
        return await processed.count_documents(query) >= 2

    await eventually(both_applied)
    assert await outbox_types(calendar, "consultation-mp192-rc") == ["calendar.event.created"]


async def test_a_deadline_leaves_public_feeds_when_its_consultation_turns_red(
    calendar: Client,
) -> None:
    await publish(
        calendar, "registry.consultation.opened", "MP192-RC", {"consultation": CONSULTATION}
    )
    await eventually(lambda: entry(calendar, "consultation-mp192-rc"))
    assert b"consultation-mp192-rc@" in await (await calendar.get("/feeds/all.ics")).read()
    red = {**CONSULTATION, "classification": "red"}
    await publish(calendar, "registry.consultation.reclassified", "MP192-RC", {"consultation": red})

    async def withdrawn_from_public() -> bool:
        found = await entry(calendar, "consultation-mp192-rc")
        return bool(found and found["classification"] == "red")

    await eventually(withdrawn_from_public)
    for path in (
        "/feeds/all.ics",
        "/feeds/modifications/MP192.ics",
        "/feeds/types/consultation-deadline.ics",
    ):
        body = await (await calendar.get(path)).read()
        assert b"consultation-mp192-rc@" not in body, path
        assert b"MP192 Refinement Consultation" not in body, path
    anonymous = await calendar.get("/api/v1/events/consultation-mp192-rc")
    assert anonymous.status == 404
