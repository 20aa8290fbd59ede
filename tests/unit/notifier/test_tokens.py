"""Specify signed link tokens: forgery, expiry, purpose and single use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.domain.errors import (
    ExpiredToken,
    ForgedToken,
    InvalidToken,
    MalformedToken,
    WrongPurposeToken,
)
from services.notifier.domain.tokens import (
    TokenPurpose,
    feed_token,
    make_token,
    read_token,
)
from shared.contracts.subscribers import feed_token_hash

SECRET = b"k" * 32
NOW = datetime(2022, 1, 24, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=7)


def test_a_genuine_token_gives_back_its_claims() -> None:
    token = make_token(SECRET, TokenPurpose.MANAGE, "sub1", LATER, nonce="n" * 22)
    claims = read_token(SECRET, TokenPurpose.MANAGE, token, NOW)
    assert (claims.subscription_id, claims.expires_at, claims.nonce) == ("sub1", LATER, "n" * 22)


def test_tokens_are_url_safe() -> None:
    token = make_token(SECRET, TokenPurpose.UNSUBSCRIBE, "sub1", LATER)
    assert all(c.isalnum() or c in "._-" for c in token)


def test_each_token_has_its_own_random_nonce() -> None:
    first = make_token(SECRET, TokenPurpose.CONFIRM, "sub1", LATER)
    second = make_token(SECRET, TokenPurpose.CONFIRM, "sub1", LATER)
    assert first != second


def test_token_signed_with_another_secret_is_forged() -> None:
    token = make_token(b"x" * 32, TokenPurpose.MANAGE, "sub1", LATER)
    with pytest.raises(ForgedToken):
        read_token(SECRET, TokenPurpose.MANAGE, token, NOW)


def test_token_with_another_subscription_id_is_forged() -> None:
    token = make_token(SECRET, TokenPurpose.MANAGE, "sub1", LATER)
    with pytest.raises(ForgedToken):
        read_token(SECRET, TokenPurpose.MANAGE, token.replace("sub1", "sub2"), NOW)


def test_token_with_a_later_expiry_is_forged() -> None:
    token = make_token(SECRET, TokenPurpose.MANAGE, "sub1", LATER)
    parts = token.split(".")
    parts[2] = str(int(parts[2]) + 86400)
    with pytest.raises(ForgedToken):
        read_token(SECRET, TokenPurpose.MANAGE, ".".join(parts), NOW)


def test_relabelled_purpose_is_forged() -> None:
    token = make_token(SECRET, TokenPurpose.MANAGE, "sub1", LATER)
    with pytest.raises(ForgedToken):
        read_token(SECRET, TokenPurpose.UNSUBSCRIBE, token.replace("manage", "unsubscribe"), NOW)


def test_genuine_token_for_another_purpose_is_refused() -> None:
    token = make_token(SECRET, TokenPurpose.UNSUBSCRIBE, "sub1", LATER)
    with pytest.raises(WrongPurposeToken):
        read_token(SECRET, TokenPurpose.CONFIRM, token, NOW)


def test_token_is_expired_at_its_expiry_time() -> None:
    token = make_token(SECRET, TokenPurpose.CONFIRM, "sub1", LATER)
    read_token(SECRET, TokenPurpose.CONFIRM, token, LATER - timedelta(seconds=1))
    with pytest.raises(ExpiredToken):
        read_token(SECRET, TokenPurpose.CONFIRM, token, LATER)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c.d.e.f", "é" * 10, "x" * 1000])
def test_garbage_is_malformed_not_a_crash(garbage: str) -> None:
    with pytest.raises(MalformedToken):
        read_token(SECRET, TokenPurpose.MANAGE, garbage, NOW)


def test_all_token_errors_share_one_base() -> None:
    assert issubclass(ExpiredToken, InvalidToken)
    assert issubclass(ForgedToken, InvalidToken)
    assert issubclass(WrongPurposeToken, InvalidToken)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        make_token(b"short", TokenPurpose.MANAGE, "sub1", LATER)


def test_feed_token_is_stable_per_salt_and_found_by_its_hash() -> None:
    token = feed_token(SECRET, "sub1", "salt-one")
    assert token == feed_token(SECRET, "sub1", "salt-one")
    assert token != feed_token(SECRET, "sub1", "salt-two")
    assert len(token) >= 43  # 256 bits, base64url
    assert feed_token_hash(token) != token
    assert len(feed_token_hash(token)) == 64
