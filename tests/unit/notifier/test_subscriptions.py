"""Specify the subscription life cycle: double opt-in, merge, change, unsubscribe, erase."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.notifier.adapters.documents import from_document, to_document
from services.notifier.domain.errors import (
    InvalidSubscriptionField,
    InvalidSubscriptionState,
    UsedToken,
)
from services.notifier.domain.subscriptions import (
    DigestFrequency,
    PartyCategory,
    Subscription,
    SubscriptionStatus,
    confirm,
    erase,
    merge_subscription,
    new_subscription,
    private_feed_token,
    rotate_feed_token,
    subscription_request,
    unsubscribe,
)
from services.notifier.domain.tokens import TokenClaims, TokenPurpose
from shared.contracts.subscribers import feed_token_hash

from .samples import NOW, SECRET, confirmed


def _pending(topics: list[str] | None = None) -> Subscription:
    request = subscription_request("Jane@Example.org", topics or ["committee:change-board"])
    return new_subscription(request, now=NOW, feed_secret=SECRET)


def _claims(subscription: Subscription) -> TokenClaims:
    return TokenClaims(TokenPurpose.CONFIRM, subscription.id, NOW, subscription.confirm_nonce or "")


def test_new_subscription_is_pending_for_seven_days() -> None:
    subscription = _pending()
    assert subscription.status is SubscriptionStatus.PENDING
    assert subscription.expires_at == NOW + timedelta(days=7)
    assert subscription.email == "jane@example.org"
    assert not subscription.is_expired(NOW + timedelta(days=6))
    assert subscription.is_expired(NOW + timedelta(days=7))


def test_feed_token_is_not_stored_but_its_hash_finds_the_subscription() -> None:
    subscription = _pending()
    token = private_feed_token(subscription, feed_secret=SECRET)
    assert token not in to_document(subscription).values()
    assert feed_token_hash(token) == subscription.feed_token_hash


def test_rotating_the_feed_token_invalidates_the_old_url() -> None:
    subscription = _pending()
    old = private_feed_token(subscription, feed_secret=SECRET)
    rotated = rotate_feed_token(subscription, feed_secret=SECRET)
    assert feed_token_hash(old) != rotated.feed_token_hash


def test_confirm_link_works_once() -> None:
    subscription = _pending()
    claims = _claims(subscription)
    confirmed_one = confirm(subscription, claims, now=NOW)
    assert confirmed_one.status is SubscriptionStatus.CONFIRMED
    assert confirmed_one.expires_at is None
    assert confirmed_one.version == subscription.version + 1
    with pytest.raises(UsedToken):
        confirm(confirmed_one, claims, now=NOW)


def test_confirm_link_of_another_subscription_is_refused() -> None:
    with pytest.raises(InvalidSubscriptionState):
        confirm(_pending(), _claims(_pending()), now=NOW)


def test_expired_pending_subscription_cannot_be_confirmed() -> None:
    subscription = _pending()
    with pytest.raises(InvalidSubscriptionState, match="expired"):
        confirm(subscription, _claims(subscription), now=NOW + timedelta(days=8))


def test_second_subscribe_while_pending_merges_topics_and_keeps_the_first_link_working() -> None:
    subscription = _pending(["committee:change-board"])
    again = subscription_request("JANE@example.org", ["consultations", "committee:change-board"])
    merged = merge_subscription(subscription, again, now=NOW + timedelta(days=1))
    assert merged.id == subscription.id
    assert merged.topics == {"committee:change-board", "consultations"}
    assert merged.confirm_nonce == subscription.confirm_nonce
    assert merged.expires_at == NOW + timedelta(days=8)


def test_stranger_cannot_change_a_confirmed_subscription_without_the_owners_click() -> None:
    subscription = confirmed(["committee:change-board"])
    request = subscription_request("member@example.org", ["all"], "weekly")
    merged = merge_subscription(subscription, request, now=NOW)
    assert merged.topics == subscription.topics
    assert merged.digest is DigestFrequency.NONE
    assert merged.pending_change is not None
    applied = confirm(merged, _claims(merged), now=NOW)
    assert applied.topics == {"committee:change-board", "all"}
    assert applied.digest is DigestFrequency.WEEKLY
    assert applied.pending_change is None


def test_subscribing_again_after_unsubscribing_starts_a_fresh_opt_in() -> None:
    left = unsubscribe(confirmed(["all"]), now=NOW)
    request = subscription_request("member@example.org", ["releases"])
    again = merge_subscription(left, request, now=NOW)
    assert again.status is SubscriptionStatus.PENDING
    assert again.topics == {"releases"}
    assert again.confirm_nonce is not None


def test_unsubscribe_is_idempotent() -> None:
    left = unsubscribe(confirmed(["all"]), now=NOW)
    assert unsubscribe(left, now=NOW) is left


def test_erasure_keeps_only_the_address_hash() -> None:
    subscription = confirmed(["all"])
    suppression = erase(subscription, now=NOW)
    assert suppression.email_hash == subscription.email_hash
    assert "member" not in repr(suppression)


def test_party_category_accepts_labels_and_slugs() -> None:
    assert subscription_request(
        "a@example.org", ["all"], "none", "Large Suppliers"
    ).party_category is (PartyCategory.LARGE_SUPPLIER)
    assert subscription_request("a@example.org", ["all"], "none", "dcc").party_category is (
        PartyCategory.DCC
    )
    with pytest.raises(InvalidSubscriptionField):
        subscription_request("a@example.org", ["all"], "none", "Lobbyist")


def test_unknown_digest_frequency_is_rejected() -> None:
    with pytest.raises(InvalidSubscriptionField, match="daily"):
        subscription_request("a@example.org", ["all"], "hourly")


def test_document_round_trip_keeps_every_field() -> None:
    subscription = merge_subscription(
        confirmed(["all"]), subscription_request("member@example.org", ["releases"]), now=NOW
    )
    document = to_document(subscription)
    # PyMongo without tz_aware hands back naive UTC datetimes.
    document["created_at"] = document["created_at"].replace(tzinfo=None)
    assert from_document(document) == subscription
