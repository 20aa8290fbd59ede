"""Digests, reminders and expiry, driven by scheduler ticks at chosen times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from services.notifier.adapters import names
from services.notifier.domain.display import LONDON, london
from services.notifier.service.scheduling import tick
from tests.integration.notifier.rig import Rig
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change
from tests.unit.notifier.samples import consultation


def next_morning(now: datetime, days: int = 1) -> datetime:
    """Return 07:05 London time `days` days after `now`'s London date."""
    day = london(now).date() + timedelta(days=days)
    return datetime.combine(day, time(7, 5), LONDON).astimezone(UTC)


def open_consultation(closes_in: timedelta) -> dict[str, object]:
    now = datetime.now(UTC).replace(microsecond=0)
    return consultation(
        opens_at=(now - timedelta(days=10)).isoformat(),
        closes_at=(now + closes_in).isoformat(),
    )


async def test_daily_digest_holds_the_items_once_and_empty_ones_are_not_sent(rig: Rig) -> None:
    await rig.subscribe_confirmed("digest@example.org", ["modification:MP192"], digest="daily")
    first = await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    second = await rig.publish(
        "registry.consultation.opened",
        {"consultation": open_consultation(timedelta(days=20))},
        subject="con-mp192-rc",
    )
    await rig.applied(first)
    await rig.applied(second)
    await rig.settled()  # the fan-outs, which add the digest items, have finished
    assert len(rig.messages()) == 1  # digest readers get no immediate alerts

    morning = next_morning(rig.clock())
    report = await tick(rig.context, morning)
    assert report.digests == 1
    digest = (await rig.wait_mail(2))[-1]
    assert "daily" in str(digest["Subject"])
    text = digest.get_body(preferencelist=("plain",)).get_content()
    assert "MP192" in text
    assert "MP192 Refinement Consultation" in text

    assert (await tick(rig.context, morning)).digests == 0
    assert (await tick(rig.context, next_morning(rig.clock(), days=2))).digests == 0
    items = rig.mongo.collection(names.DIGEST_ITEMS)
    assert await items.count_documents({"consumed_by": None}) == 0
    assert len(await rig.wait_mail(2)) == 2


async def test_consultation_reminders_are_sent_once_per_window(rig: Rig) -> None:
    await rig.subscribe_confirmed("remind@example.org", ["consultations"])
    closes_in = timedelta(days=2, hours=12)
    event = await rig.publish(
        "registry.consultation.opened",
        {"consultation": open_consultation(closes_in)},
        subject="con-mp192-rc",
    )
    await rig.wait_mail(2)  # confirmation + the "consultation open" alert
    await rig.applied(event)
    now = rig.clock()
    assert (await tick(rig.context, now)).reminders == 1
    reminder = (await rig.wait_mail(3))[-1]
    assert "closing in 3 days" in str(reminder["Subject"])
    assert (await tick(rig.context, now + timedelta(minutes=1))).reminders == 0

    one_day = now + timedelta(days=2)
    assert (await tick(rig.context, one_day)).reminders == 1
    assert "closing in 1 day" in str((await rig.wait_mail(4))[-1]["Subject"])
    assert (await tick(rig.context, one_day + timedelta(hours=1))).reminders == 0
    assert len(await rig.wait_mail(4)) == 4


async def test_unconfirmed_subscriptions_expire_after_seven_days(rig: Rig) -> None:
    await rig.subscribe("never@example.org", ["all"])
    subscriptions = rig.mongo.collection(names.SUBSCRIPTIONS)
    assert (await tick(rig.context, rig.clock() + timedelta(days=6))).expired == 0
    assert (await tick(rig.context, rig.clock() + timedelta(days=7, minutes=1))).expired == 1
    assert await subscriptions.count_documents({}) == 0
