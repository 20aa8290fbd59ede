"""Hash and check staff passwords with argon2id (argon2-cffi), off the event loop.

argon2-cffi's defaults are RFC 9106's second recommended setting (argon2id,
t=3, m=64 MiB, p=4): about 50-100 ms a hash here, slow for a guesser, fine for a
person signing in. A hash made with weaker parameters is replaced at the next
successful sign-in.
"""

from __future__ import annotations

import asyncio
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _stand_in() -> str:
    # Checked against when the username is unknown, so that an unknown name takes as
    # long to refuse as a wrong password (no account enumeration by timing).
    return _hasher().hash("a password no account has")


def hash_password(password: str) -> str:
    """Return the argon2id hash (PHC string: parameters, salt, digest) of `password`."""
    return _hasher().hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _stand_in(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether `password` matches `password_hash` (None: no such account, always False)."""
    return await asyncio.to_thread(_verify, password_hash, password)


async def hash_password_async(password: str) -> str:
    """Return `hash_password(password)`, computed in a worker thread."""
    return await asyncio.to_thread(hash_password, password)


def needs_rehash(password_hash: str) -> bool:
    """Tell whether `password_hash` was made with other parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)
