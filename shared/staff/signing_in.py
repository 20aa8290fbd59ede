"""Sign a member of staff in and out: lockout, password check, a fresh session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.staff.accounts import InvalidAccount, StaffAccount, check_username
from shared.staff.lockout import LockoutRule
from shared.staff.passwords import hash_password_async, needs_rehash, verify_password
from shared.staff.sessions import SessionPolicy, StaffSession, open_session, session_key
from shared.staff.store import StaffStore


class SignInRefused(Exception):
    """Wrong username or password, or a disabled account: the same answer for each."""


class LockedOut(SignInRefused):
    """Too many failed attempts for this username; try again at `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class SignedIn:
    session_id: str  # for the cookie; the store keeps only its hash
    session: StaffSession
    account: StaffAccount


async def sign_in(
    store: StaffStore,
    username: str,
    password: str,
    now: datetime,
    rule: LockoutRule,
    policy: SessionPolicy,
) -> SignedIn:
    """Check the password under the lockout rule; open a new session when it matches."""
    name = username.strip().lower()
    try:
        check_username(name)
    except InvalidAccount:
        # No such account can exist: refuse after the same work as a wrong password.
        await verify_password(None, password)
        raise SignInRefused("wrong username or password") from None
    until = rule.locked_until(await store.recent_failures(name), now)
    if until is not None:
        raise LockedOut(until)
    until = rule.locked_until(await store.count_attempt(name, now, rule), now)
    if until is not None:
        raise LockedOut(until)
    account = await store.account(name)
    if account is None or account.disabled:
        await verify_password(None, password)
        raise SignInRefused("wrong username or password")
    if not await verify_password(account.password_hash, password):
        raise SignInRefused("wrong username or password")
    await store.clear_failures(name)
    if needs_rehash(account.password_hash):
        await store.set_password_hash(name, await hash_password_async(password))
    session_id, session = open_session(name, now, policy)
    await store.add_session(session)
    return SignedIn(session_id, session, account)


async def sign_out(store: StaffStore, session_id: str) -> None:
    await store.end_session(session_key(session_id))
