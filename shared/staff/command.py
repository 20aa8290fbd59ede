"""Create and manage the console's staff accounts: python -m shared.staff (or shared.ops staff).

  create USERNAME --name "Full Name" --roles secretariat[,admin]
  list [--json]
  password USERNAME          a new password; the account's sessions end
  roles USERNAME --roles R   new roles; the account's sessions end
  disable USERNAME | enable USERNAME
  unlock USERNAME            forget failed sign-ins (after a lockout)

Passwords are asked for twice on the terminal, or read as one line from standard input
with --password-stdin (scripts); never given as an argument, which `ps` would show.
Accounts live in the registry's database: MONGODB_URL and MONGODB_DB.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from shared.db import connect_mongo, ensure_indexes
from shared.staff.accounts import (
    InvalidAccount,
    StaffAccount,
    check_password,
    check_roles,
    check_username,
)
from shared.staff.passwords import hash_password
from shared.staff.store import INDEXES, AccountExists, StaffStore


@asynccontextmanager
async def _store() -> AsyncIterator[StaffStore]:
    url = os.environ.get("MONGODB_URL")
    if not url:
        raise SystemExit(
            "Set MONGODB_URL (and MONGODB_DB): accounts live in the registry's database."
        )
    mongo = connect_mongo(url, os.environ.get("MONGODB_DB", "sec"), "staff")
    try:
        await ensure_indexes(mongo, INDEXES)
        yield StaffStore.of(mongo)
    finally:
        await mongo.close()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return check_password(sys.stdin.readline().rstrip("\n"))
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise InvalidAccount("the two passwords differ")
    return check_password(first)


def _roles(text: str) -> frozenset[str]:
    return check_roles({role.strip() for role in text.split(",") if role.strip()})


async def run_command(args: argparse.Namespace) -> str:
    """Carry out parsed account arguments; return what to print (InvalidAccount if refused)."""
    now = datetime.now(UTC)
    username = "" if args.command == "list" else check_username(args.username)
    async with _store() as store:
        if args.command == "list":
            accounts = await store.all_accounts()
            if args.json:
                return json.dumps(
                    [
                        {
                            "username": a.username,
                            "name": a.display_name,
                            "roles": sorted(a.roles),
                            "disabled": a.disabled,
                            "created_at": a.created_at.isoformat(),
                            "sessions": await store.sessions_of(a.username),
                        }
                        for a in accounts
                    ],
                    indent=2,
                )
            return "\n".join(
                f"{a.username:<20} {','.join(sorted(a.roles)):<20} "
                f"{'disabled' if a.disabled else 'active':<9} {a.display_name}"
                for a in accounts
            )
        if args.command == "create":
            account = StaffAccount(
                username=username,
                display_name=args.name or username,
                roles=_roles(args.roles),
                password_hash=hash_password(_password(args.password_stdin)),
                created_at=now,
                password_changed_at=now,
            )
            await store.add_account(account)
            return f"created {username} ({', '.join(sorted(account.roles))})"
        if args.command == "unlock":
            await store.clear_failures(username)
            return f"unlocked {username}"
        changes: dict[str, object]
        match args.command:
            case "password":
                changes = {
                    "password_hash": hash_password(_password(args.password_stdin)),
                    "password_changed_at": now,
                }
            case "roles":
                changes = {"roles": sorted(_roles(args.roles))}
            case _:
                changes = {"disabled": args.command == "disable"}
        if not await store.update_account(username, **changes):
            raise InvalidAccount(f"no account {username!r}")
        return f"{args.command}: {username} (its sessions ended)"


def parser() -> argparse.ArgumentParser:
    commands_parser = argparse.ArgumentParser(
        prog="python -m shared.staff",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(commands_parser)
    return commands_parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the account commands to `parser` (this module's, or the operator command's)."""
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="a new account")
    create.add_argument("username")
    create.add_argument("--name", help="the person's name as the console shows it")
    create.add_argument("--roles", default="secretariat", help="secretariat and/or admin")
    create.add_argument("--password-stdin", action="store_true")
    listing = commands.add_parser("list", help="every account")
    listing.add_argument("--json", action="store_true")
    password = commands.add_parser("password", help="set a new password")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    roles = commands.add_parser("roles", help="set the roles")
    roles.add_argument("username")
    roles.add_argument("--roles", required=True)
    for name, text in (
        ("disable", "refuse sign-in and end sessions"),
        ("enable", "allow sign-in again"),
        ("unlock", "forget failed sign-ins"),
    ):
        commands.add_parser(name, help=text).add_argument("username")


def run(args: argparse.Namespace) -> None:
    """Carry out parsed account arguments, printing the outcome; a refusal exits non-zero."""
    try:
        print(asyncio.run(run_command(args)))
    except (InvalidAccount, AccountExists) as exc:
        sys.exit(f"refused: {exc}")


def main(argv: list[str] | None = None) -> None:
    run(parser().parse_args(argv))
