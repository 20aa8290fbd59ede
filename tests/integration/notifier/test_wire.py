"""Read the emails the running notifier sends as raw bytes from the sink, as providers do."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit

import icalendar

from services.calendar.domain.rendering import render_feed
from tests.integration.notifier.conftest import StartRig
from tests.integration.notifier.rig import Rig
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change
from tests.unit.notifier.wire import (
    check_wire_rules,
    decoded,
    header,
    parts,
    raw_headers,
    structure,
    text_says_what_html_says,
    unsubscribe_uris,
)

CREATED = "calendar.event.created"
# A public URL as long as a real deployment's may be; the tokens are the real ones.
LONG_BASE = "https://sec-alerts.notifications.smartenergycodecompany.example.co.uk/alerts/v1"


def _vevent(ics: bytes) -> icalendar.cal.Component:
    [vevent] = list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))
    return vevent


async def test_alert_and_confirmation_bytes_keep_the_wire_rules(start_rig: StartRig) -> None:
    async with start_rig(public_base_url_notifier=LONG_BASE) as rig:
        await rig.subscribe_confirmed("wire@example.org", ["modification:MP192"])
        await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
        await rig.wait_mail(2)
        confirmation, alert = rig.raw_messages("wire@example.org")

        check_wire_rules(confirmation, with_unsubscribe=False)
        check_wire_rules(alert)
        [value] = raw_headers(alert)["list-unsubscribe"]
        assert b"=?" not in value
        https, mailto = unsubscribe_uris(alert)
        assert https.startswith(f"{LONG_BASE}/unsubscribe?token=")
        assert len(urlsplit(https).query) > 100  # a real token, long enough to need folding
        assert mailto.startswith("mailto:unsubscribe@")
        for raw in (confirmation, alert):
            found = parts(raw)
            text_says_what_html_says(decoded(found["text/plain"]), decoded(found["text/html"]))


async def test_one_click_uri_read_from_the_raw_header_unsubscribes(rig: Rig) -> None:
    await rig.subscribe_confirmed("oneclick@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.wait_mail(2)
    alert = rig.raw_messages("oneclick@example.org")[-1]
    https, _ = unsubscribe_uris(alert)
    url = urlsplit(https)
    click = await rig.client.post(
        f"{url.path}?{url.query}",
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert click.status == 200
    await rig.publish(STATUS_CHANGED, status_change("approved"), subject="MP192")
    await rig.settled()
    assert len(rig.raw_messages("oneclick@example.org")) == 2


async def test_meeting_alert_calendar_part_matches_the_feed(rig: Rig) -> None:
    await rig.subscribe_confirmed("feed@example.org", ["committee:change-board"])
    meeting = rig.calendar.meeting()
    await rig.publish(CREATED, {"event": meeting}, subject=meeting["id"])
    await rig.wait_mail(2)
    alert = rig.raw_messages("feed@example.org")[-1]
    check_wire_rules(alert)

    kinds = structure(alert)
    assert kinds[:4] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html"]
    calendar_part = parts(alert)["text/calendar"]
    assert calendar_part.get_param("method") == "PUBLISH"
    attached = decoded(calendar_part).encode()
    assert b"METHOD:PUBLISH" in attached

    event = rig.calendar.events[meeting["id"]]
    feed = render_feed([event], name="Change Board", description="", base_url="https://x")
    in_mail, in_feed = _vevent(attached), _vevent(feed)
    assert str(in_mail["UID"]) == str(in_feed["UID"]) == meeting["uid"]
    assert int(in_mail.get("SEQUENCE", 0)) == int(in_feed.get("SEQUENCE", 0))
    for name in ("DTSTART", "DTEND"):
        assert in_mail.decoded(name).astimezone(UTC) == in_feed.decoded(name).astimezone(UTC)
    assert in_mail.decoded("DTSTART").astimezone(UTC) == event.starts_at
    assert header(alert, "Auto-Submitted") == "auto-generated"
