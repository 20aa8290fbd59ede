"""`sec-ops deliveries show|resend EVENT`: the emails of one event, and sending the failed again.

EVENT is the id of the event (its CloudEvent id), or the key of a reminder or digest.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any, Final

from shared.ops.client import Exit
from shared.ops.runtime import Ops, Subcommands

POLL_SECONDS: Final = 0.5


def _path(event_id: str) -> str:
    return f"/api/v1/admin/events/{event_id}/deliveries"


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("deliveries", help="an event's emails: outcomes, resend failed")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", parents=[common], help="counts by outcome and the failed")
    show.add_argument("event_id", metavar="EVENT")
    show.set_defaults(handler=show_deliveries)
    resend = actions.add_parser("resend", parents=[common], help="send the failed ones again")
    resend.add_argument("event_id", metavar="EVENT")
    resend.add_argument(
        "--delivery", action="append", metavar="ID", help="only this failed delivery (repeatable)"
    )
    resend.add_argument(
        "--no-wait", action="store_true", help="return once queued, without watching them end"
    )
    resend.add_argument(
        "--wait-seconds", type=float, default=300.0, help="how long to watch (default 300)"
    )
    resend.set_defaults(handler=resend_failed)


def _print_report(ops: Ops, report: dict[str, Any]) -> None:
    counts = report["counts"]
    ops.output.line(
        f"{report['source']}: {report['total']} deliveries; "
        + ", ".join(f"{outcome} {count}" for outcome, count in counts.items())
    )
    if report["failed"]:
        ops.output.table(
            ("delivery", "kind", "to", "failed at", "error"),
            [
                (f["delivery_id"], f["kind"], f["email"] or "(gone)", f["failed_at"], f["error"])
                for f in report["failed"]
            ],
            title="Failed",
        )


async def show_deliveries(args: argparse.Namespace, ops: Ops) -> Exit:
    report = await ops.api.get("notifier", _path(args.event_id))
    ops.output.result(report, lambda: _print_report(ops, report))
    return Exit.ATTENTION if report["failed"] else Exit.OK


async def resend_failed(args: argparse.Namespace, ops: Ops) -> Exit:
    before = await ops.api.get("notifier", _path(args.event_id))
    body = {} if args.delivery is None else {"delivery_ids": args.delivery}
    queued = await ops.api.post("notifier", f"{_path(args.event_id)}/resend", body)
    resent: list[str] = queued["resent"]
    result: dict[str, Any] = {"source": args.event_id, "resent": resent}
    if resent and not args.no_wait:
        pending_before = before["counts"]["pending"]
        report = await _watch(ops, args, pending_before, len(resent))
        failed = {failure["delivery_id"] for failure in report["failed"]}
        result |= {
            **report,
            "failed_again": sorted(failed & set(resent)),
            "still_pending": max(0, report["counts"]["pending"] - pending_before),
        }

    def human() -> None:
        ops.output.line(f"queued {len(resent)} failed deliveries of {args.event_id} again")
        if "counts" in result:
            _print_report(ops, result)

    ops.output.result(result, human)
    return Exit.ATTENTION if result.get("failed_again") or result.get("still_pending") else Exit.OK


async def _watch(
    ops: Ops, args: argparse.Namespace, pending_before: int, resent: int
) -> dict[str, Any]:
    """Poll the report until the resent deliveries have ended (or the wait is over)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.wait_seconds
    shown = 0
    with ops.output.progress(f"resending {args.event_id}", resent) as advance:
        while True:
            report: dict[str, Any] = await ops.api.get("notifier", _path(args.event_id))
            waiting = max(0, report["counts"]["pending"] - pending_before)
            if resent - waiting > shown:
                advance(resent - waiting - shown)
                shown = resent - waiting
            if not waiting or loop.time() > deadline:
                return report
            await asyncio.sleep(POLL_SECONDS)
