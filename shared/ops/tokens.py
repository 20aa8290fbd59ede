"""`sec-ops tokens ...`: the bearer-token command, python -m shared.tokens, under this one.

Everything after `tokens` goes to shared.tokens unchanged (keygen, rotate, create, list,
revoke); it works on the signing key and MONGODB_URL, not through the services.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from shared import tokens
from shared.ops.client import Exit
from shared.ops.runtime import Ops, Subcommands


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    del common  # shared.tokens has its own options (`tokens list --json`)
    command = commands.add_parser(
        "tokens",
        help="keygen, rotate, create, list, revoke (python -m shared.tokens)",
        add_help=False,
    )
    command.add_argument("arguments", nargs=argparse.REMAINDER)
    command.set_defaults(handler=run_tokens)


async def run_tokens(args: argparse.Namespace, ops: Ops) -> Exit:
    del ops
    # shared.tokens runs its own event loop: give it a thread of its own.
    try:
        await asyncio.to_thread(tokens.main, list(args.arguments))
    except SystemExit as stop:
        if stop.code in (None, 0):
            return Exit.OK
        if not isinstance(stop.code, int):
            print(stop.code, file=sys.stderr)
            return Exit.ATTENTION
        return Exit(stop.code) if stop.code in set(Exit) else Exit.ATTENTION
    return Exit.OK
