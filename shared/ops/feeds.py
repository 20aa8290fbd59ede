"""`sec-ops feeds rebuild`: render every calendar feed again from the store."""

from __future__ import annotations

import argparse

from shared.ops.client import Exit
from shared.ops.runtime import Ops, Subcommands


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("feeds", help="the calendar's iCal feeds")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    rebuild = actions.add_parser(
        "rebuild", parents=[common], help="re-render every feed from the store"
    )
    rebuild.set_defaults(handler=rebuild_feeds)


async def rebuild_feeds(args: argparse.Namespace, ops: Ops) -> Exit:
    # One request does the work; the spinner says it is still going.
    with ops.output.progress("rebuilding the calendar's feeds", None):
        rebuilt = await ops.api.post("calendar", "/api/v1/admin/feeds/rebuild", {})
    ops.output.result(
        rebuilt,
        lambda: ops.output.line(
            f"rendered {len(rebuilt['feeds'])} feeds of {rebuilt['entries']} entries "
            f"(feed version {rebuilt['version']}); other replicas re-read every entry "
            "before serving their next feed"
        ),
    )
    return Exit.OK
