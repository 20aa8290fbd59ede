"""Private feeds: the subscriber document as the notifier writes it, read through shared/readers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.calendar.service import private_feeds
from services.notifier.adapters.documents import to_document
from services.notifier.domain.subscriptions import (
    SubscriptionStatus,
    new_subscription,
    private_feed_token,
    subscription_request,
)
from shared.app import PLATFORM
from shared.contracts.subscribers import FeedSubscriber, feed_token_hash
from shared.db import Mongo
from shared.readers.subscribers import find_feed_subscriber
from tests.integration.calendar.conftest import Client, vevents_by_uid
from tests.integration.calendar.test_feeds import DOMAIN, create

FEED_SECRET = b"feed-secret-for-tests-0123456789abcdef"


async def subscriber(
    calendar: Client, topics: list[str], *, verified: bool, confirmed: bool
) -> str:
    """Store a subscription the way the notifier does; return its private feed token."""
    pending = new_subscription(
        subscription_request(f"{len(topics)}{verified}{confirmed}@party.example", topics),
        now=datetime.now(UTC),
        feed_secret=FEED_SECRET,
    )
    subscription = replace(
        pending,
        verified_party=verified,
        status=SubscriptionStatus.CONFIRMED if confirmed else SubscriptionStatus.PENDING,
    )
    mongo = calendar.app[PLATFORM].mongo
    await mongo.collection("notifier_subscriptions").insert_one(to_document(subscription))
    return private_feed_token(subscription, feed_secret=FEED_SECRET)


async def test_private_feed_shows_topics_and_green_only_to_a_verified_party(
    calendar: Client, staff: dict[str, str]
) -> None:
    await create(calendar, staff, id="green-cb", classification="green", title="CB (Parties)")
    await create(calendar, staff, id="amber-cb", classification="amber", title="CB (named)")
    await create(calendar, staff, id="white-panel", committee="sec-panel", title="Panel 99")
    verified = await subscriber(calendar, ["committee:change-board"], verified=True, confirmed=True)
    public = await subscriber(
        calendar, ["committee:change-board", "type:webinar"], verified=False, confirmed=True
    )
    pending = await subscriber(calendar, ["all"], verified=True, confirmed=False)

    response = await calendar.get(f"/feeds/private/{verified}.ics")
    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"].startswith("private")
    uids = set(vevents_by_uid(await response.read()))
    assert f"green-cb@{DOMAIN}" in uids
    assert f"amber-cb@{DOMAIN}" not in uids
    assert f"white-panel@{DOMAIN}" not in uids
    assert f"change-board-2016-05-25@{DOMAIN}" in uids

    unverified = vevents_by_uid(await (await calendar.get(f"/feeds/private/{public}.ics")).read())
    assert f"green-cb@{DOMAIN}" not in unverified
    assert any("webinar" in str(e.get("CATEGORIES").to_ical()).lower() for e in unverified.values())

    assert (await calendar.get(f"/feeds/private/{pending}.ics")).status == 404
    forged = verified[:-4] + ("AAAA" if not verified.endswith("AAAA") else "BBBB")
    response = await calendar.get(f"/feeds/private/{forged}.ics")
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    assert forged not in await response.text()


async def test_a_forged_token_takes_the_path_a_real_one_takes(
    calendar: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing oracle: any token is hashed and looked up once by its hash, and nothing else."""
    token = await subscriber(calendar, ["all"], verified=False, confirmed=True)
    lookups: list[str] = []

    async def recorded(mongo: Mongo, token_hash: str) -> FeedSubscriber | None:
        lookups.append(token_hash)
        return await find_feed_subscriber(mongo, token_hash)

    monkeypatch.setattr(private_feeds, "find_feed_subscriber", recorded)
    resigned = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    garbage = "x" * len(token)
    for candidate, status in ((token, 200), (resigned, 404), (garbage, 404)):
        response = await calendar.get(f"/feeds/private/{candidate}.ics")
        assert response.status == status, await response.text()

    assert lookups == [feed_token_hash(t) for t in (token, resigned, garbage)]
