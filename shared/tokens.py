"""Make and manage bearer tokens: python -m shared.tokens keygen|create|list|revoke|rotate.

The signing key never goes to a service in production: keep it where this command runs.

  keygen --out FILE            a new Ed25519 signing key (mode 0600) and its public PEM
  rotate --out FILE            the same, printing TOKEN_PUBLIC_KEYS with the old key too
  create --subject S --roles R[,R] [--audience A,B] [--days N] [--service NAME]
                               mint a token (TOKEN_SIGNING_KEY or --key); staff tokens
                               are recorded by id in platform_tokens (MONGODB_URL)
  list [--json]                the recorded tokens
  revoke ID                    services refuse it within TOKEN_REVOCATION_REFRESH_SECONDS
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from shared.auth import ALL_ROLES, ROLE_SERVICE, SERVICES, SigningKey, issue_token
from shared.db import Collection, connect_mongo
from shared.readers.tokens import TOKENS_COLLECTION


def _signing_key(path: str | None) -> SigningKey:
    pem = Path(path).read_text() if path else os.environ.get("TOKEN_SIGNING_KEY")
    if not pem:
        raise SystemExit("Give the signing key: --key FILE or TOKEN_SIGNING_KEY.")
    return SigningKey.from_pem(pem)


def _write_key(out: str) -> SigningKey:
    key = SigningKey.generate()
    path = Path(out)
    path.write_text(key.private_pem())
    path.chmod(0o600)
    return key


@asynccontextmanager
async def _tokens_collection() -> AsyncIterator[Collection]:
    """Open `platform_tokens` on MONGODB_URL / MONGODB_DB for one command."""
    url = os.environ.get("MONGODB_URL")
    if not url:
        raise SystemExit("Set MONGODB_URL (and MONGODB_DB) to record and revoke staff tokens.")
    mongo = connect_mongo(url, os.environ.get("MONGODB_DB", "sec"), "tokens")
    try:
        yield mongo.collection(TOKENS_COLLECTION)
    finally:
        await mongo.close()


async def _record(document: dict[str, Any]) -> None:
    async with _tokens_collection() as tokens:
        await tokens.insert_one(document)


async def _tokens() -> list[dict[str, Any]]:
    async with _tokens_collection() as tokens:
        return [doc async for doc in tokens.find({})]


async def _revoke(token_id: str) -> bool:
    async with _tokens_collection() as tokens:
        result = await tokens.update_one(
            {"_id": token_id, "revoked_at": None}, {"$set": {"revoked_at": datetime.now(UTC)}}
        )
        return result.modified_count == 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.tokens", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("keygen", "rotate"):
        sub = commands.add_parser(name)
        sub.add_argument("--out", required=True, help="file for the new private key (0600)")
    create = commands.add_parser("create")
    create.add_argument("--subject", required=True)
    create.add_argument("--roles", default="secretariat", help="comma-separated")
    create.add_argument("--audience", default=",".join(SERVICES), help="services, comma-separated")
    create.add_argument("--days", type=int, default=90, help="days until it expires")
    create.add_argument("--key", help="signing key file (else TOKEN_SIGNING_KEY)")
    create.add_argument(
        "--service", choices=SERVICES, help="a service's own token: role service, the others"
    )
    listing = commands.add_parser("list")
    listing.add_argument("--json", action="store_true")
    revoke = commands.add_parser("revoke")
    revoke.add_argument("token_id")
    args = parser.parse_args(argv)

    if args.command in ("keygen", "rotate"):
        key = _write_key(args.out)
        keys = [key.public_pem()]
        if args.command == "rotate":
            keys += json.loads(os.environ.get("TOKEN_PUBLIC_KEYS", "[]"))
        print(f"# key id {key.kid}; private key in {args.out}")
        print("TOKEN_PUBLIC_KEYS=" + json.dumps(keys))
        return
    if args.command == "create":
        key = _signing_key(args.key)
        if args.service:
            subject, roles = args.service, {ROLE_SERVICE}
            audience = [name for name in SERVICES if name != args.service]
        else:
            subject, roles = args.subject, set(args.roles.split(","))
            audience = args.audience.split(",")
        if not roles <= ALL_ROLES:
            raise SystemExit(f"roles are {', '.join(sorted(ALL_ROLES))}")
        token_id = uuid.uuid4().hex
        token = issue_token(
            key, subject, roles, args.days * 86400, audience=audience, token_id=token_id
        )
        if not args.service:
            expires_at = datetime.now(UTC) + timedelta(days=args.days)
            asyncio.run(
                _record(
                    {
                        "_id": token_id,
                        "subject": subject,
                        "roles": sorted(roles),
                        "audience": audience,
                        "key_id": key.kid,
                        "created_at": datetime.now(UTC),
                        "expires_at": expires_at,
                        "revoked_at": None,
                    }
                )
            )
        print(token)
        return
    if args.command == "list":
        tokens = asyncio.run(_tokens())
        if args.json:
            print(json.dumps(tokens, default=str, indent=2))
        else:
            for doc in tokens:
                state = "revoked" if doc["revoked_at"] else f"until {doc['expires_at']:%Y-%m-%d}"
                print(f"{doc['_id']}  {doc['subject']:<20} {','.join(doc['roles']):<24} {state}")
        return
    if not asyncio.run(_revoke(args.token_id)):
        sys.exit(f"no active token {args.token_id}")
    print(f"revoked {args.token_id}")


if __name__ == "__main__":
    main()
