"""`sec-ops outbox`: what each service's outbox holds that the broker has not taken yet."""

from __future__ import annotations

import argparse
from typing import Any

from shared.auth import SERVICES
from shared.ops.client import Exit, OpsError
from shared.ops.runtime import Ops, Subcommands


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    command = commands.add_parser(
        "outbox",
        parents=[common],
        help="outbox backlog per service: pending events and the oldest one's age",
    )
    command.add_argument(
        "--service", action="append", choices=SERVICES, help="only this service (repeatable)"
    )
    command.add_argument(
        "--max-age",
        type=float,
        metavar="SECONDS",
        help="exit 1 if an event has waited longer than this (for monitoring)",
    )
    command.set_defaults(handler=show_backlog)


async def show_backlog(args: argparse.Namespace, ops: Ops) -> Exit:
    backlogs: list[dict[str, Any]] = []
    worst = Exit.OK
    for service in args.service or SERVICES:
        try:
            backlogs.append(await ops.api.get(service, "/api/v1/admin/outbox"))
        except OpsError as error:
            if error.code is not Exit.UNAVAILABLE:
                raise
            # One service down must not hide the others' backlog.
            backlogs.append({"service": service, "error": str(error)})
            worst = Exit.UNAVAILABLE
    stale = [
        b
        for b in backlogs
        if args.max_age is not None and (b.get("oldest_age_seconds") or 0) > args.max_age
    ]
    ops.output.result(
        backlogs,
        lambda: ops.output.table(
            ("service", "pending", "oldest waiting since", "age (s)"),
            [
                (
                    b["service"],
                    b.get("pending", b.get("error")),
                    b.get("oldest_pending_at"),
                    _seconds(b.get("oldest_age_seconds")),
                )
                for b in backlogs
            ],
            title="Outbox backlog",
        ),
    )
    if worst is Exit.OK and stale:
        return Exit.ATTENTION
    return worst


def _seconds(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"
