"""The operator's command: python -m shared.ops (console script `sec-ops`).

Each command group is a module of this package with a `register(commands, common)` that
adds its subcommands; COMMAND_GROUPS lists them, so a new group is one module and one
line here. A subcommand's handler is `async def (args, ops) -> Exit`.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
from typing import Final

from shared.ops import dead_letters, deliveries, feeds, outbox, staff, subscribers, tokens
from shared.ops.client import OpsError
from shared.ops.output import Output
from shared.ops.runtime import Handler, Ops, Subcommands

Register = Callable[[Subcommands, argparse.ArgumentParser], None]

COMMAND_GROUPS: Final[Sequence[Register]] = (
    outbox.register,
    dead_letters.register,
    deliveries.register,
    feeds.register,
    subscribers.register,
    tokens.register,
    staff.register,
)


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand takes (after its name: `sec-ops outbox --json`)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON, no progress bars")
    common.add_argument("--token", help="bearer token with the admin role (else SERVICE_TOKEN)")
    common.add_argument("--token-file", help="file holding the token, e.g. var/dev-token")
    common.add_argument(
        "--timeout", type=float, default=120.0, help="seconds one call may take (default 120)"
    )
    return common


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="sec-ops",
        description="Operate the SEC services: outbox, dead letters, deliveries, feeds, "
        "subscribers, tokens. Services are found by REGISTRY_URL, CALENDAR_URL, NOTIFIER_URL.",
        epilog="Exit codes: 0 done, 1 needs attention, 2 usage, 3 not found, 4 denied, "
        "5 service unavailable, 6 request refused.",
    )
    commands = top.add_subparsers(dest="group", required=True, metavar="COMMAND")
    common = common_options()
    for register in COMMAND_GROUPS:
        register(commands, common)
    return top


async def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (errors are printed, never raised)."""
    args = parser().parse_args(argv)
    ops = Ops(args, Output(getattr(args, "json", False)))
    handler: Handler = args.handler
    try:
        return int(await handler(args, ops))
    except OpsError as error:
        ops.output.error(error)
        return int(error.code)
    finally:
        await ops.close()


def main(argv: Sequence[str] | None = None) -> None:
    raise SystemExit(asyncio.run(run(argv)))


if __name__ == "__main__":
    main()
