"""Keep staff accounts, sessions and failed sign-ins in the registry's database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pymongo import ASCENDING, IndexModel, ReturnDocument

from shared.db import Collection, Document, Mongo
from shared.staff.accounts import StaffAccount
from shared.staff.lockout import LockoutRule
from shared.staff.sessions import StaffSession

ACCOUNTS: Final = "registry_staff_accounts"
SESSIONS: Final = "registry_staff_sessions"
SIGN_IN_FAILURES: Final = "registry_staff_sign_in_failures"

INDEXES: dict[str, Sequence[IndexModel]] = {
    ACCOUNTS: [],
    # The database drops ended sessions and old failure records by itself.
    SESSIONS: [
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        IndexModel([("username", ASCENDING)]),
    ],
    SIGN_IN_FAILURES: [IndexModel([("forget_at", ASCENDING)], expireAfterSeconds=0)],
}


def _account_document(account: StaffAccount) -> Document:
    return {
        "_id": account.username,
        "display_name": account.display_name,
        "roles": sorted(account.roles),
        "password_hash": account.password_hash,
        "created_at": account.created_at,
        "password_changed_at": account.password_changed_at,
        "disabled": account.disabled,
    }


def _account_from(doc: Document) -> StaffAccount:
    return StaffAccount(
        username=doc["_id"],
        display_name=doc["display_name"],
        roles=frozenset(doc["roles"]),
        password_hash=doc["password_hash"],
        created_at=doc["created_at"],
        password_changed_at=doc["password_changed_at"],
        disabled=bool(doc["disabled"]),
    )


def _session_from(doc: Document) -> StaffSession:
    return StaffSession(
        key=doc["_id"],
        username=doc["username"],
        csrf_token=doc["csrf_token"],
        created_at=doc["created_at"],
        last_seen_at=doc["last_seen_at"],
        expires_at=doc["expires_at"],
    )


class AccountExists(Exception):
    """An account with this username exists already."""


@dataclass(frozen=True)
class StaffStore:
    """The three collections of the console's sign-in."""

    accounts: Collection
    sessions: Collection
    failures: Collection

    @classmethod
    def of(cls, mongo: Mongo) -> StaffStore:
        return cls(
            mongo.collection(ACCOUNTS),
            mongo.collection(SESSIONS),
            mongo.collection(SIGN_IN_FAILURES),
        )

    # Accounts

    async def account(self, username: str) -> StaffAccount | None:
        doc = await self.accounts.find_one({"_id": username})
        return None if doc is None else _account_from(doc)

    async def all_accounts(self) -> list[StaffAccount]:
        return [_account_from(doc) async for doc in self.accounts.find({}).sort("_id", 1)]

    async def add_account(self, account: StaffAccount) -> None:
        if await self.accounts.find_one({"_id": account.username}, {"_id": 1}) is not None:
            raise AccountExists(f"account {account.username!r} exists already")
        await self.accounts.insert_one(_account_document(account))

    async def update_account(self, username: str, **changes: Any) -> bool:
        """Change an account's fields; its sessions end (new password, roles, disabled)."""
        result = await self.accounts.update_one({"_id": username}, {"$set": changes})
        await self.sessions.delete_many({"username": username})
        return result.matched_count == 1

    async def set_password_hash(self, username: str, password_hash: str) -> None:
        """Store a rehashed password (same password, today's parameters); sessions stay."""
        await self.accounts.update_one(
            {"_id": username}, {"$set": {"password_hash": password_hash}}
        )

    # Sessions

    async def add_session(self, session: StaffSession) -> None:
        await self.sessions.insert_one(
            {
                "_id": session.key,
                "username": session.username,
                "csrf_token": session.csrf_token,
                "created_at": session.created_at,
                "last_seen_at": session.last_seen_at,
                "expires_at": session.expires_at,
            }
        )

    async def session(self, key: str) -> StaffSession | None:
        doc = await self.sessions.find_one({"_id": key})
        return None if doc is None else _session_from(doc)

    async def touch_session(self, key: str, now: datetime) -> None:
        await self.sessions.update_one({"_id": key}, {"$set": {"last_seen_at": now}})

    async def end_session(self, key: str) -> None:
        await self.sessions.delete_one({"_id": key})

    async def sessions_of(self, username: str) -> int:
        return await self.sessions.count_documents({"username": username})

    # Failed sign-ins

    async def recent_failures(self, username: str) -> list[datetime]:
        doc = await self.failures.find_one({"_id": username})
        return [] if doc is None else list(doc["attempts"])

    async def count_attempt(
        self, username: str, now: datetime, rule: LockoutRule
    ) -> list[datetime]:
        """Count an attempt before its password is checked; return the attempts before it.

        One atomic update, so concurrent guesses each see the ones before them and no
        burst gets more than the rule's number of checks.
        """
        doc = await self.failures.find_one_and_update(
            {"_id": username},
            {
                "$push": {"attempts": {"$each": [now], "$slice": -(rule.kept + 1)}},
                "$set": {"forget_at": now + rule.remembered},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None  # upserted
        return list(doc["attempts"])[:-1]

    async def clear_failures(self, username: str) -> None:
        await self.failures.delete_one({"_id": username})
