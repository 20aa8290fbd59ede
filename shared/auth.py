"""Issue and check bearer tokens: EdDSA-signed JWTs with a subject, roles and audiences.

Only the holder of a signing key mints tokens (`python -m shared.tokens`, `make run`,
tests); a service in production holds public keys only, so it can check tokens but
never make one, and accepts a token only if its own name is among the audiences. Two
public keys may be valid at once (a rotation: `kid` names which signed a token).
Staff tokens are recorded by id when minted (`platform_tokens`) and revocable.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.errors import Problem

ROLE_SECRETARIAT = "secretariat"  # SECAS staff: meetings, modifications, releases
ROLE_SERVICE = "service"  # another service of this product
ROLE_ADMIN = "admin"  # operations: dead letters, subscribers
ALL_ROLES = frozenset({ROLE_SECRETARIAT, ROLE_SERVICE, ROLE_ADMIN})
SERVICES = ("registry", "calendar", "notifier")  # the audiences a token may name
_ALGORITHM = "EdDSA"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: frozenset[str]
    token_id: str = ""


PRINCIPAL_KEY = web.RequestKey("principal", Principal)


def key_id(public: Ed25519PublicKey) -> str:
    """Return a public key's id: the start of the SHA-256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key and its id; whoever holds one can mint any token."""

    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: str) -> SigningKey:
        # An environment file may carry the PEM on one line with \n escapes.
        key = serialization.load_pem_private_key(pem.replace("\\n", "\n").encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("a token signing key must be an Ed25519 private key")
        return cls(key)

    @property
    def kid(self) -> str:
        return key_id(self.private.public_key())

    def private_pem(self) -> str:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.kid!r})"  # never the key itself


def public_keys(pems: Iterable[str]) -> dict[str, Ed25519PublicKey]:
    """Return the public keys tokens may be signed with, by key id."""
    keys: dict[str, Ed25519PublicKey] = {}
    for pem in pems:
        key = serialization.load_pem_public_key(pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("a token public key must be an Ed25519 public key")
        keys[key_id(key)] = key
    return keys


def issue_token(
    key: SigningKey,
    subject: str,
    roles: set[str] | frozenset[str],
    ttl_seconds: int | None = None,
    *,
    audience: Sequence[str] = SERVICES,
    token_id: str | None = None,
) -> str:
    """Mint a token for `subject` with `roles`, good at the services named in `audience`."""
    unknown = set(roles) - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; known: {sorted(ALL_ROLES)}")
    if not set(audience) <= set(SERVICES):
        raise ValueError(f"audiences are services: {', '.join(SERVICES)}")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": sorted(roles),
        "aud": list(audience),
        "iat": now,
        "jti": token_id or uuid.uuid4().hex,
    }
    if ttl_seconds is not None:
        claims["exp"] = now + ttl_seconds
    return jwt.encode(claims, key.private, algorithm=_ALGORITHM, headers={"kid": key.kid})


class InvalidToken(Exception):
    """A bearer token that is malformed, forged, expired, revoked or not for this service."""


def verify_token(
    keys: Mapping[str, Ed25519PublicKey], audience: str, token: str, now: float | None = None
) -> Principal:
    """Return who `token` speaks for at the service `audience`, or raise InvalidToken."""
    if not token.isascii():
        raise InvalidToken("malformed token")
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        key = keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("signed with a key this service does not trust")
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            audience=audience,
            options={"require": ["sub", "aud", "jti"], "verify_iat": False},
        )
        subject = str(claims["sub"])
        roles = frozenset(str(r) for r in claims["roles"])
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("expired token") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidToken("not a token for this service") from exc
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
        raise InvalidToken("malformed or forged token") from exc
    if now is not None and "exp" in claims and claims["exp"] < now:
        raise InvalidToken("expired token")
    return Principal(subject, roles, str(claims["jti"]))


Revoked = Callable[[str], Awaitable[bool]]


def auth_middleware(keys: Mapping[str, Ed25519PublicKey], audience: str, revoked: Revoked) -> Any:
    """Attach the caller's Principal when a valid bearer token is sent; refuse a bad one."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise _unauthorized("Use 'Authorization: Bearer <token>'.")
            try:
                principal = verify_token(keys, audience, token.strip())
                if await revoked(principal.token_id):
                    raise InvalidToken("revoked token")
            except InvalidToken as exc:
                raise _unauthorized(f"The bearer token is not valid ({exc}).") from exc
            request[PRINCIPAL_KEY] = principal
        response: web.StreamResponse = await handler(request)
        return response

    return middleware


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def require_role(request: web.Request, *roles: str) -> Principal:
    """Return the caller if it holds one of `roles`; 401 without a token, 403 without the role."""
    principal: Principal | None = request.get(PRINCIPAL_KEY)
    if principal is None:
        raise _unauthorized("This request needs a bearer token.")
    if not principal.roles & (set(roles) | {ROLE_ADMIN}):
        raise Problem(403, "Forbidden", f"This request needs one of the roles {sorted(roles)}.")
    return principal


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def requires(*roles: str) -> Callable[[Handler], Handler]:
    """Decorate a view so that only callers holding one of `roles` reach it."""

    def decorate(view: Handler) -> Handler:
        @wraps(view)
        async def guarded(request: web.Request) -> web.StreamResponse:
            require_role(request, *roles)
            return await view(request)

        return guarded

    return decorate
