"""Issue and check signed bearer tokens carrying a subject and roles."""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from aiohttp import web

from shared.errors import Problem

ROLE_SECRETARIAT = "secretariat"  # SECAS staff: meetings, modifications, releases
ROLE_SERVICE = "service"  # another service of this product
ROLE_ADMIN = "admin"  # operations: dead letters, subscribers
ALL_ROLES = frozenset({ROLE_SECRETARIAT, ROLE_SERVICE, ROLE_ADMIN})

_PREFIX = "sec1"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: frozenset[str]


PRINCIPAL_KEY = web.RequestKey("principal", Principal)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), f"{_PREFIX}.{payload}".encode(), hashlib.sha256).digest())


def issue_token(
    secret: str, subject: str, roles: set[str] | frozenset[str], ttl_seconds: int | None = None
) -> str:
    unknown = set(roles) - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; known: {sorted(ALL_ROLES)}")
    claims: dict[str, Any] = {"sub": subject, "roles": sorted(roles)}
    if ttl_seconds is not None:
        claims["exp"] = int(time.time()) + ttl_seconds
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{_PREFIX}.{payload}.{_sign(secret, payload)}"


class InvalidToken(Exception):
    """A bearer token that is malformed, forged or expired."""


def verify_token(secret: str, token: str, now: float | None = None) -> Principal:
    # Ours are base64url and dots; anything else (a non-ASCII header) is not one of them.
    if not token.isascii():
        raise InvalidToken("malformed token")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _PREFIX:
        raise InvalidToken("malformed token")
    _, payload, signature = parts
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise InvalidToken("bad signature")
    try:
        claims = json.loads(_unb64(payload))
        subject = str(claims["sub"])
        roles = frozenset(str(r) for r in claims["roles"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidToken("malformed claims") from exc
    expires = claims.get("exp")
    if isinstance(expires, int) and expires < (now if now is not None else time.time()):
        raise InvalidToken("expired token")
    return Principal(subject, roles)


def auth_middleware(secret: str) -> Any:
    """Attach the caller's Principal when a valid bearer token is sent; refuse a bad one."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise _unauthorized("Use 'Authorization: Bearer <token>'.")
            try:
                request[PRINCIPAL_KEY] = verify_token(secret, token.strip())
            except InvalidToken as exc:
                raise _unauthorized(f"The bearer token is not valid ({exc}).") from exc
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


def main() -> None:
    """Mint a token: python -m shared.auth --subject alice --roles secretariat."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--subject", required=True)
    parser.add_argument("--roles", default=ROLE_SECRETARIAT, help="comma-separated")
    parser.add_argument("--ttl-days", type=int, default=None)
    args = parser.parse_args()
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        raise SystemExit("Set SECRET_KEY to the services' secret key.")
    ttl = args.ttl_days * 86400 if args.ttl_days else None
    print(issue_token(secret, args.subject, set(args.roles.split(",")), ttl))


if __name__ == "__main__":
    main()
