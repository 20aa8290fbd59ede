"""`sec-ops staff ...`: the console's staff accounts (python -m shared.staff) under this one.

Works on MONGODB_URL / MONGODB_DB like `python -m shared.staff`, not through the services
(docs/decisions/console-staff-accounts.md).
"""

from __future__ import annotations

import argparse
import sys

from shared.ops.client import Exit
from shared.ops.runtime import Ops, Subcommands
from shared.staff.accounts import InvalidAccount
from shared.staff.command import add_arguments, run_command
from shared.staff.store import AccountExists


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    del common  # no service is called: no token, no timeout
    command = commands.add_parser(
        "staff", help="console accounts: create, list, password, roles, disable, enable, unlock"
    )
    add_arguments(command)
    command.set_defaults(handler=run_staff)


async def run_staff(args: argparse.Namespace, ops: Ops) -> Exit:
    del ops
    try:
        print(await run_command(args))
    except (InvalidAccount, AccountExists) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return Exit.REFUSED
    return Exit.OK
