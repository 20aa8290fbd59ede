"""Sign and verify the tokens in confirm, manage and unsubscribe links and feed URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from services.notifier.domain.errors import (
    ExpiredToken,
    ForgedToken,
    MalformedToken,
    WrongPurposeToken,
)


class TokenPurpose(StrEnum):
    """What a signed link lets its holder do."""

    CONFIRM = "confirm"
    MANAGE = "manage"
    UNSUBSCRIBE = "unsubscribe"


# How long each kind of link works; the unsubscribe link sits in every email
# and must keep working long after the email was sent.
TOKEN_LIFETIMES: Final[dict[TokenPurpose, timedelta]] = {
    TokenPurpose.CONFIRM: timedelta(days=7),
    TokenPurpose.MANAGE: timedelta(days=90),
    TokenPurpose.UNSUBSCRIBE: timedelta(days=400),
}

MIN_SECRET_BYTES: Final = 32
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Domain separation: the same secret never signs two kinds of thing alike.
_LINK_CONTEXT: Final = b"sec-alerts/link-token/v1\x00"
_FEED_CONTEXT: Final = b"sec-alerts/feed-token/v1\x00"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a verified token says; `nonce` identifies this one token for single use."""

    purpose: TokenPurpose
    subscription_id: str
    expires_at: datetime
    nonce: str


def new_nonce() -> str:
    """Return a fresh 128-bit URL-safe nonce."""
    return secrets.token_urlsafe(16)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _check_secret(secret: bytes) -> None:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"a token secret needs at least {MIN_SECRET_BYTES} bytes")


def _mac(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, _LINK_CONTEXT + payload.encode("ascii"), hashlib.sha256).digest())


def make_token(
    secret: bytes,
    purpose: TokenPurpose,
    subscription_id: str,
    expires_at: datetime,
    *,
    nonce: str | None = None,
) -> str:
    """Return a URL-safe signed token `purpose.id.expiry.nonce.mac`."""
    _check_secret(secret)
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    if not _ID.match(subscription_id):
        raise ValueError("a subscription id is 1-64 characters of [A-Za-z0-9_-]")
    nonce = new_nonce() if nonce is None else nonce
    if not _NONCE.match(nonce):
        raise ValueError("a nonce is 16-64 characters of [A-Za-z0-9_-]")
    payload = f"{purpose.value}.{subscription_id}.{int(expires_at.timestamp())}.{nonce}"
    return f"{payload}.{_mac(secret, payload)}"


def read_token(secret: bytes, purpose: TokenPurpose, token: str, now: datetime) -> TokenClaims:
    """Return the claims of a genuine, unexpired token of `purpose`, else raise why not."""
    _check_secret(secret)
    if not isinstance(token, str) or len(token) > 256 or not token.isascii():
        raise MalformedToken("this link is not valid")
    parts = token.split(".")
    if len(parts) != 5:
        raise MalformedToken("this link is not valid")
    purpose_text, subscription_id, expiry_text, nonce, mac = parts
    payload = ".".join(parts[:4])
    # Verify the signature before trusting any field, in constant time.
    if not hmac.compare_digest(_mac(secret, payload), mac):
        raise ForgedToken("this link is not valid")
    try:
        token_purpose = TokenPurpose(purpose_text)
        expires_at = datetime.fromtimestamp(int(expiry_text), UTC)
    except ValueError:
        raise MalformedToken("this link is not valid") from None
    if token_purpose is not purpose:
        raise WrongPurposeToken(f"this link is for {token_purpose.value}, not {purpose.value}")
    if now >= expires_at:
        raise ExpiredToken("this link has expired")
    return TokenClaims(token_purpose, subscription_id, expires_at, nonce)


def new_feed_salt() -> str:
    """Return the 128 random bits that make a subscriber's private feed token unguessable."""
    return secrets.token_urlsafe(16)


def feed_token(secret: bytes, subscription_id: str, feed_salt: str) -> str:
    """Return the private calendar feed token of a subscription (re-derivable, never stored)."""
    _check_secret(secret)
    message = _FEED_CONTEXT + f"{subscription_id}\x00{feed_salt}".encode()
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())
