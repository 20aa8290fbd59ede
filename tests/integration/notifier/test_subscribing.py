"""Double opt-in, merge, bad input, rate limit, one-click unsubscribe, manage, erase."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.notifier.adapters import names
from shared.auth import ROLE_SECRETARIAT, issue_token
from shared.contracts.subscribers import feed_token_hash
from shared.readers.subscribers import find_feed_subscriber
from tests.conftest import TEST_SIGNER
from tests.integration.notifier.rig import (
    CONFIRM_LINK,
    UNSUBSCRIBE_LINK,
    Rig,
    link,
)
from tests.unit.notifier.samples import modification, status_changed

STATUS_CHANGED = "registry.modification.status_changed"


def status_change(to_status: str = "report-phase") -> dict[str, Any]:
    return status_changed(
        modification=modification(status=to_status),
        to_status=to_status,
        reason="",
        changed_at="2022-02-01T10:00:00+00:00",
    )


async def test_unconfirmed_address_gets_only_the_confirmation_and_the_link_works_once(
    rig: Rig,
) -> None:
    response = await rig.subscribe("Jane@Example.org", ["modification:MP192"])
    assert response.status == 202
    [confirmation] = await rig.wait_mail(1)
    assert "Confirm" in str(confirmation["Subject"])
    assert confirmation["List-Unsubscribe"] is None

    event = await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    await rig.applied(event)
    await rig.settled()  # its fan-out too: nothing more is on its way
    assert len(await rig.wait_mail(1)) == 1  # nothing but the confirmation

    token = link(confirmation, CONFIRM_LINK)
    # A mail scanner following the link (GET) confirms nothing: the page asks for a press.
    for _ in range(2):
        opened = await rig.client.get("/subscriptions/confirm", params={"token": token})
        assert opened.status == 200
        assert 'method="post"' in await opened.text()
    unconfirmed = await rig.mongo.collection("notifier_subscriptions").find_one({})
    assert unconfirmed is not None
    assert unconfirmed["status"] == "pending"
    first = await rig.client.post("/subscriptions/confirm", params={"token": token})
    assert first.status == 200
    again = await rig.client.post("/subscriptions/confirm", params={"token": token})
    assert again.status == 410
    assert again.content_type == "application/problem+json"
    reopened = await rig.client.get("/subscriptions/confirm", params={"token": token})
    assert reopened.status == 410

    await rig.publish(STATUS_CHANGED, status_change("change-board-vote"), subject="MP192")
    messages = await rig.wait_mail(2)
    alert = messages[-1]
    assert "MP192" in str(alert["Subject"])
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_second_subscribe_merges_and_answers_the_same(rig: Rig) -> None:
    first = await rig.subscribe("a@example.org", ["releases"])
    second = await rig.subscribe("A@example.org ", ["consultations"])
    assert first.status == second.status == 202
    assert await first.json() == await second.json()
    documents = rig.mongo.collection(names.SUBSCRIPTIONS).find({})
    [document] = [doc async for doc in documents]
    assert sorted(document["topics"]) == ["consultations", "releases"]


BAD_BODIES = [
    pytest.param({"email": "x@example.org\r\nBcc: y@example.org", "topics": ["all"]}, id="crlf"),
    pytest.param({"email": "x@example.org, y@example.org", "topics": ["all"]}, id="two-addresses"),
    pytest.param({"email": "Eve <x@example.org>", "topics": ["all"]}, id="display-name"),
    pytest.param({"email": "not-an-address", "topics": ["all"]}, id="malformed"),
    pytest.param({"email": "x@example.org", "topics": ["committee:nope"]}, id="unknown-topic"),
    pytest.param({"email": "x@example.org", "topics": []}, id="no-topic"),
    pytest.param({"email": {"$gt": ""}, "topics": ["all"]}, id="operator"),
    pytest.param({"email": "x@example.org", "topics": ["all"], "role": "admin"}, id="extra"),
    pytest.param({"email": "x@example.org", "topics": ["all"], "digest": "hourly"}, id="digest"),
]


async def test_erroneous_link_followed_in_a_browser_shows_a_page(rig: Rig) -> None:
    response = await rig.client.get(
        "/subscriptions/confirm", params={"token": "x"}, headers={"Accept": "text/html"}
    )
    assert response.status == 400
    assert "text/html" in response.content_type


@pytest.mark.parametrize("body", BAD_BODIES)
async def test_bad_input_is_refused_and_nothing_is_written(rig: Rig, body: Any) -> None:
    response = await rig.client.post("/api/v1/subscriptions", json=body)
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    for collection in (names.SUBSCRIPTIONS, names.DELIVERIES, names.RATE_LIMITS):
        assert await rig.mongo.collection(collection).count_documents({}) == 0


BAD_TOKENS = [
    pytest.param("confirm.abc.9999999999.AAAAAAAAAAAAAAAAAAAAAA.forged", 400, id="forged"),
    pytest.param("nonsense", 400, id="malformed"),
]


LINK_ENDPOINTS = [
    pytest.param("GET", "/subscriptions/confirm", id="confirm-page"),
    pytest.param("POST", "/subscriptions/confirm", id="confirm"),
    pytest.param("GET", "/subscriptions/manage", id="manage"),
    pytest.param("POST", "/unsubscribe", id="unsubscribe"),
]


@pytest.mark.parametrize(("method", "path"), LINK_ENDPOINTS)
@pytest.mark.parametrize(("token", "status"), BAD_TOKENS)
async def test_forged_tokens_are_refused(
    rig: Rig, token: str, status: int, method: str, path: str
) -> None:
    response = await rig.client.request(
        method, path, params={"token": token}, data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"


async def test_expired_and_wrong_purpose_tokens_are_refused(rig: Rig) -> None:
    await rig.subscribe("late@example.org", ["all"])
    [confirmation] = await rig.wait_mail(1)
    token = link(confirmation, CONFIRM_LINK)
    wrong = await rig.client.get("/subscriptions/manage", params={"token": token})
    assert wrong.status == 400
    rig.clock.offset = timedelta(days=8)
    expired = await rig.client.get("/subscriptions/confirm", params={"token": token})
    assert expired.status == 410


async def test_rate_limit_per_mailbox_counts_every_spelling_and_says_when_to_retry(
    rig: Rig,
) -> None:
    spellings = ["victim@example.org", "Victim+a@example.org", "victim+b@EXAMPLE.org"]
    statuses = [(await rig.subscribe(address, ["all"])).status for address in spellings]
    assert statuses == [202, 202, 202]
    refused = await rig.subscribe("victim+c@example.org", ["all"])
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.content_type == "application/problem+json"
    assert "try again in" in (await refused.json())["detail"]
    # Three emails reached the one mailbox, not four; the last link still works.
    sent = await rig.wait_mail(3)
    await rig.settled()
    assert len(rig.messages()) == 3
    token = link(sent[-1], CONFIRM_LINK)
    confirmed = await rig.client.post("/subscriptions/confirm", params={"token": token})
    assert confirmed.status == 200, await confirmed.text()


async def test_the_client_limit_keys_on_the_address_trusted_proxies_report(rig: Rig) -> None:
    # The rig's notifier trusts no proxy: a forged X-Forwarded-For does not change the
    # key, so twenty-one requests from one socket are limited whatever they claim.
    statuses = []
    for number in range(21):
        response = await rig.client.post(
            "/api/v1/subscriptions",
            json={"email": f"person{number}@example.org", "topics": ["all"]},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        )
        statuses.append(response.status)
    assert statuses == [202] * 20 + [429]


async def test_one_click_post_unsubscribes_and_get_does_not(rig: Rig) -> None:
    await rig.subscribe_confirmed("leaver@example.org", ["modification:MP192"])
    await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
    alert = (await rig.wait_mail(2))[-1]
    token = link(alert, UNSUBSCRIBE_LINK)

    page = await rig.client.get("/unsubscribe", params={"token": token})
    assert page.status == 200
    assert "List-Unsubscribe" in await page.text()
    document = await rig.mongo.collection(names.SUBSCRIPTIONS).find_one({})
    assert document is not None
    assert document["status"] == "confirmed"

    click = await rig.client.post(
        "/unsubscribe",
        params={"token": token},
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert click.status == 200
    document = await rig.mongo.collection(names.SUBSCRIPTIONS).find_one({})
    assert document is not None
    assert document["status"] == "unsubscribed"

    event = await rig.publish(STATUS_CHANGED, status_change("approved"), subject="MP192")
    await rig.applied(event)
    await rig.settled()  # its fan-out too: nothing more is on its way
    assert len(await rig.wait_mail(2)) == 2


async def test_manage_page_shows_a_private_feed_the_calendar_can_resolve(rig: Rig) -> None:
    manage_token = await rig.subscribe_confirmed("feed@example.org", ["committee:change-board"])
    subscription_id = manage_token.split(".")[1]
    page = await rig.client.get("/subscriptions/manage", params={"token": manage_token})
    html = await page.text()
    assert page.status == 200
    feed_token = html.split("/feeds/private/")[1].split(".ics")[0]
    found = await find_feed_subscriber(rig.mongo, feed_token_hash(feed_token))
    assert found is not None
    assert found.is_active
    assert found.topics == {"committee:change-board"}
    assert not found.verified_party

    rotated = await rig.client.post(
        "/subscriptions/manage", params={"token": manage_token}, data={"action": "rotate"}
    )
    assert rotated.status == 200
    assert await find_feed_subscriber(rig.mongo, feed_token_hash(feed_token)) is None

    admin = issue_token(TEST_SIGNER, "staff", {ROLE_SECRETARIAT})
    denied = await rig.client.post(f"/api/v1/subscriptions/{subscription_id}/verify-party", json={})
    assert denied.status == 401
    verified = await rig.client.post(
        f"/api/v1/subscriptions/{subscription_id}/verify-party",
        json={"verified": True},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert verified.status == 200

    erased = await rig.client.post(
        "/subscriptions/manage", params={"token": manage_token}, data={"action": "erase"}
    )
    assert erased.status == 200
    assert await rig.mongo.collection(names.SUBSCRIPTIONS).count_documents({}) == 0
    assert await rig.mongo.collection(names.SUPPRESSIONS).count_documents({}) == 1


@pytest.mark.parametrize(
    "path", ["/subscribe", "/subscriptions/confirm", "/subscriptions/manage", "/unsubscribe"]
)
async def test_a_form_posted_from_another_site_is_refused_and_changes_nothing(
    rig: Rig, path: str
) -> None:
    response = await rig.client.post(
        path,
        params={"token": "any"},
        data={"email": "victim@example.org", "topics": "all", "List-Unsubscribe": "One-Click"},
        headers={"Origin": "http://evil.example"},
    )
    assert response.status == 403, await response.text()
    assert response.content_type == "application/problem+json"
    assert await rig.mongo.collection("notifier_subscriptions").count_documents({}) == 0
    assert rig.messages() == []


async def test_a_form_posted_from_its_own_pages_is_taken(rig: Rig) -> None:
    origin = str(rig.client.make_url("/")).rstrip("/")
    response = await rig.client.post(
        "/subscribe",
        data={"email": "own@example.org", "topics": "all"},
        headers={"Origin": origin},
    )
    assert response.status == 202, await response.text()


async def test_pages_forbid_scripts_framing_sniffing_and_leaking_their_token(rig: Rig) -> None:
    page = await rig.client.get("/subscribe")
    # Only the service's own static script (copy buttons): nothing inline, nothing elsewhere.
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert "unsafe" not in page.headers["Content-Security-Policy"].split("style-src")[0]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Server"] == "sec"
    tokened = await rig.client.get("/unsubscribe", params={"token": "x"})
    assert tokened.headers["Referrer-Policy"] == "same-origin"
