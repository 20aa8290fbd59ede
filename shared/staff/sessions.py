"""Define a console session: a random id held by the browser, its hash held by the server.

Only the SHA-256 of the id is stored, so a copy of the database opens no session.
A session ends at the first of: sign-out, `idle` without a request, `lifetime`
after sign-in, the account being disabled or its password changed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

# How stale `last_seen_at` may get before a request writes it again: a page view
# would otherwise be a database write.
TOUCH_EVERY: Final = timedelta(minutes=1)


def new_secret() -> str:
    """Return 256 random bits, URL-safe: a session id or a CSRF token."""
    return secrets.token_urlsafe(32)


def session_key(session_id: str) -> str:
    """Return what the store keeps of a session id: its SHA-256."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(hours=1)
    lifetime: timedelta = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class StaffSession:
    key: str  # session_key(id)
    username: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # the absolute end; idle expiry is last_seen_at + policy.idle

    def ends_at(self, policy: SessionPolicy) -> datetime:
        return min(self.expires_at, self.last_seen_at + policy.idle)

    def is_live(self, now: datetime, policy: SessionPolicy) -> bool:
        return now < self.ends_at(policy)

    def wants_touch(self, now: datetime) -> bool:
        return now - self.last_seen_at >= TOUCH_EVERY


def open_session(username: str, now: datetime, policy: SessionPolicy) -> tuple[str, StaffSession]:
    """Return a new session id (for the cookie) and the session to store."""
    session_id = new_secret()
    session = StaffSession(
        key=session_key(session_id),
        username=username,
        csrf_token=new_secret(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.lifetime,
    )
    return session_id, session
