"""Check the synchroniser tokens that every console form carries.

A signed-in form carries its session's token. The sign-in form, before any session
exists, carries an HMAC of a random nonce held in a cookie: a page elsewhere can
neither read that cookie nor compute the HMAC (login CSRF), and nothing is stored
for a visitor who has not signed in.
"""

from __future__ import annotations

import hashlib
import hmac


def same_token(expected: str, given: str | None) -> bool:
    """Compare a form's token with the expected one in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def sign_in_key(secret_key: str) -> bytes:
    """Derive the sign-in form's HMAC key from SECRET_KEY (a key of its own purpose)."""
    return hashlib.sha256(b"sec-registry/console-sign-in/v1\x00" + secret_key.encode()).digest()


def sign_in_token(key: bytes, nonce: str) -> str:
    """Return the sign-in form's token for the nonce its cookie holds."""
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()
