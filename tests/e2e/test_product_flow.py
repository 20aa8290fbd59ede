"""A party's whole journey across the three services, each a real process."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import aiohttp
import icalendar

from tests.support.system import System, messages_to

PARTY = "ops@large-supplier.example"
SENTINEL = "sentinel@small-supplier.example"


async def wait_for_mail(
    http: aiohttp.ClientSession, system: System, address: str, subject_part: str
) -> EmailMessage:
    async with asyncio.timeout(45):
        while True:
            for message in await messages_to(http, system, address):
                if subject_part in str(message["Subject"]):
                    return message
            await asyncio.sleep(0.3)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def subscribe_and_confirm(
    http: aiohttp.ClientSession, system: System, address: str, topics: list[str]
) -> None:
    async with http.post(
        system.url("notifier", "/api/v1/subscriptions"),
        json={"email": address, "topics": topics, "digest": "none"},
    ) as response:
        assert response.status == 202, await response.text()
    confirmation = await wait_for_mail(http, system, address, "onfirm")
    link = re.search(r"https?://\S+/subscriptions/confirm\?token=[\w.~-]+", text_of(confirmation))
    assert link is not None, text_of(confirmation)
    async with http.get(link.group(0)) as response:
        assert response.status == 200  # the page with the button; the press confirms
    async with http.post(link.group(0)) as response:
        assert response.status == 200


async def test_party_subscribes_gets_alerts_with_calendar_entry_and_leaves_with_one_click(
    system: System,
) -> None:
    staff = {"Authorization": f"Bearer {system.staff_token}"}
    async with aiohttp.ClientSession() as http:
        await subscribe_and_confirm(
            http, system, PARTY, ["modification:MP192", "committee:change-board"]
        )
        await subscribe_and_confirm(http, system, SENTINEL, ["modification:MP192"])
        # Nothing but the confirmation reached the party before it confirmed.
        subjects = [str(m["Subject"]) for m in await messages_to(http, system, PARTY)]
        assert len(subjects) == 1, subjects

        # The secretariat moves MP192 on; the party hears of it by email.
        async with http.get(system.url("registry", "/api/v1/modifications/MP192")) as response:
            modification: dict[str, Any] = await response.json()
        target = modification["allowed_transitions"][0]
        async with http.post(
            system.url("registry", "/api/v1/modifications/MP192/transitions"),
            json={"to": target, "reason": "Agreed by the Panel"},
            headers=staff,
        ) as response:
            assert response.status == 201, await response.text()
        alert = await wait_for_mail(http, system, PARTY, "MP192")
        assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "MP192" in text_of(alert)

        # A Change Board meeting with MP192 on its agenda arrives with its calendar entry.
        starts = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
        async with http.post(
            system.url("calendar", "/api/v1/events"),
            json={
                "title": "Change Board Meeting 99",
                "type": "meeting",
                "committee": "change-board",
                "meeting_number": "99",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "location": "8 Fenchurch Place, London EC3M 4AJ",
                "agenda": [{"title": "MP192 vote", "modification_refs": ["MP192"]}],
            },
            headers=staff,
        ) as response:
            assert response.status == 201, await response.text()
            created = await response.json()
        meeting_mail = await wait_for_mail(http, system, PARTY, "Change Board Meeting 99")
        attachments = [
            part for part in meeting_mail.walk() if part.get_content_type() == "text/calendar"
        ]
        assert len(attachments) == 1
        attached = icalendar.Calendar.from_ical(attachments[0].get_payload(decode=True))
        attached_uids = {str(event["UID"]) for event in attached.walk("VEVENT")}
        async with http.get(system.url("calendar", "/feeds/committees/change-board.ics")) as feed:
            published = icalendar.Calendar.from_ical(await feed.read())
        feed_uids = {
            str(event["UID"])
            for event in published.walk("VEVENT")
            if str(event["SUMMARY"]) == "Change Board Meeting 99"
        }
        assert attached_uids == feed_uids == {created["uid"]}

        # One click in the mail client unsubscribes, with no page and no cookie.
        unsubscribe_url = re.search(r"<(https?://[^>]+)>", str(alert["List-Unsubscribe"]))
        assert unsubscribe_url is not None
        async with (
            aiohttp.ClientSession() as mail_client,
            mail_client.post(
                unsubscribe_url.group(1),
                data="List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ) as response,
        ):
            assert response.status in {200, 202}

        before = [str(m["Subject"]) for m in await messages_to(http, system, PARTY)]
        async with http.get(system.url("registry", "/api/v1/modifications/MP192")) as response:
            modification = await response.json()
        async with http.post(
            system.url("registry", "/api/v1/modifications/MP192/transitions"),
            json={"to": modification["allowed_transitions"][0], "reason": "Next step"},
            headers=staff,
        ) as response:
            assert response.status == 201, await response.text()
        # The sentinel's alert for the same change proves the change was sent out ...
        sentinel_alerts = [
            m for m in await messages_to(http, system, SENTINEL) if "MP192" in str(m["Subject"])
        ]
        async with asyncio.timeout(45):
            while len(sentinel_alerts) < 2:
                await asyncio.sleep(0.3)
                sentinel_alerts = [
                    m
                    for m in await messages_to(http, system, SENTINEL)
                    if "MP192" in str(m["Subject"])
                ]
        # ... and the party, who left, got nothing more.
        assert [str(m["Subject"]) for m in await messages_to(http, system, PARTY)] == before
