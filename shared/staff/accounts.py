"""Define a staff account, its roles and what a username and a password must be."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT

# The console's roles are the bearer tokens' staff roles: what one may do is decided
# by the same `require_role` whether the caller came with a token or a session.
STAFF_ROLES: Final = frozenset({ROLE_SECRETARIAT, ROLE_ADMIN})
# A username becomes the subject of the tokens the console mints and the actor in the
# registry's history: short, lower-case, no spaces.
_USERNAME: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
PASSWORD_MIN: Final = 12
# argon2 hashes any length, but a megabyte "password" is work for nothing.
PASSWORD_MAX: Final = 1024


class InvalidAccount(ValueError):
    """A username, password or role list the console does not accept."""


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A person of the secretariat who signs in to the console."""

    username: str
    display_name: str
    roles: frozenset[str]
    password_hash: str
    created_at: datetime
    password_changed_at: datetime
    disabled: bool = False


def check_username(username: str) -> str:
    """Return `username` if it is 2-64 lower-case letters, digits, '.', '_' or '-'."""
    if not _USERNAME.match(username):
        raise InvalidAccount(
            f"{username!r} is not a username: 2-64 lower-case letters, digits, '.', '_', '-', "
            "starting with a letter or digit"
        )
    return username


def check_password(password: str) -> str:
    """Return `password` if it is long enough to resist guessing (length, not rules)."""
    if len(password) < PASSWORD_MIN:
        raise InvalidAccount(f"a password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise InvalidAccount(f"a password has at most {PASSWORD_MAX} characters")
    return password


def check_roles(roles: set[str] | frozenset[str]) -> frozenset[str]:
    """Return `roles` if they are one or more of the staff roles."""
    if not roles or not roles <= STAFF_ROLES:
        raise InvalidAccount(f"roles are one or more of {', '.join(sorted(STAFF_ROLES))}")
    return frozenset(roles)
