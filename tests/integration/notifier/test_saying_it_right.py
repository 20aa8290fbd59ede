"""What the running notifier sends says it right: past releases stay quiet, votes say vote."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.contracts.vocabulary import EventType
from tests.integration.notifier.rig import Rig
from tests.unit.notifier.samples import release
from tests.unit.notifier.wire import decoded, header, parts

LONDON = ZoneInfo("Europe/London")
SCHEDULED = "registry.release.scheduled"
PUBLISHED = "registry.release.published"


async def test_releases_dated_in_the_past_send_no_scheduled_or_published_alert(rig: Rig) -> None:
    await rig.subscribe_confirmed("releases@example.org", ["releases"])
    for event_type in (SCHEDULED, PUBLISHED):
        old = release(
            id="rel-2016-11", name="November 2016 SEC Release", effective_date="2016-11-03"
        )
        await rig.publish(event_type, {"release": old}, subject="rel-2016-11")
    await rig.settled()
    assert len(rig.raw_messages("releases@example.org")) == 1  # the confirmation only

    coming = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    future = release(id="rel-next", name="Next SEC Release", effective_date=coming)
    await rig.publish(SCHEDULED, {"release": future}, subject="rel-next")
    await rig.wait_mail(2, "releases@example.org")
    alert = rig.raw_messages("releases@example.org")[-1]
    assert "Next SEC Release" in header(alert, "Subject")


async def test_a_change_board_vote_alert_says_vote_and_one_day_reads_as_one_day(rig: Rig) -> None:
    await rig.subscribe_confirmed("votes@example.org", ["committee:change-board"])
    day = (datetime.now(UTC) + timedelta(days=14)).date()
    # An all-day entry is whole London days, its end the exclusive next midnight.
    starts = datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(UTC)
    ends = datetime.combine(day + timedelta(days=1), time(), LONDON).astimezone(UTC)
    vote = rig.calendar.meeting(
        title="MP192 Change Board vote",
        type=EventType.CHANGE_BOARD_VOTE,
        all_day=True,
        starts_at=starts,
        ends_at=ends,
        location=None,
    )
    await rig.publish("calendar.event.created", {"event": vote}, subject=vote["id"])
    await rig.wait_mail(2, "votes@example.org")
    alert = rig.raw_messages("votes@example.org")[-1]
    assert header(alert, "Subject").startswith("New Change Board vote: MP192 Change Board vote")
    text = decoded(parts(alert)["text/plain"])
    assert "Change Board vote has been added" in text
    next_day = f"{(day + timedelta(days=1)):%A} {(day + timedelta(days=1)).day}"
    assert next_day not in text
