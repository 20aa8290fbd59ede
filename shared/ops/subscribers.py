"""`sec-ops subscribers find|export|erase`: one person's data held by the notifier.

What erasure removes and keeps: docs/decisions/notifier-erasure-and-export.md. An export
holds personal data: written to a file it is made readable by its owner only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any, Final

from shared.ops.client import Exit, OpsError, as_json
from shared.ops.export import every_delivery, export_document
from shared.ops.runtime import Ops, Subcommands

PREFIX: Final = "/api/v1/admin/subscribers"
PAGE: Final = 500


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("subscribers", help="find, export or erase a subscriber")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    find = actions.add_parser("find", parents=[common], help="look an address up")
    find.add_argument("email")
    find.set_defaults(handler=find_subscriber)
    export = actions.add_parser(
        "export", parents=[common], help="everything held about one subscriber, as JSON"
    )
    export.add_argument("who", metavar="EMAIL_OR_ID")
    export.add_argument("--output", type=Path, help="file to write (mode 0600), else stdout")
    export.set_defaults(handler=export_subscriber)
    erase = actions.add_parser("erase", parents=[common], help="erase a subscriber (GDPR)")
    erase.add_argument("who", metavar="EMAIL_OR_ID")
    erase.add_argument("--reason", help="why, e.g. the request's reference (logged)")
    erase.add_argument("--yes", action="store_true", help="do not ask: erasure cannot be undone")
    erase.set_defaults(handler=erase_subscriber)


async def _find(ops: Ops, email: str) -> dict[str, Any]:
    return dict(await ops.api.post("notifier", f"{PREFIX}/find", {"email": email}))


async def _subscription_id(ops: Ops, who: str) -> str:
    """Return the subscription id named, or the one of the address given."""
    if "@" not in who:
        return who
    found = await _find(ops, who)
    if not found["subscribers"]:
        state = f" (suppressed: {found['suppressed']})" if found["suppressed"] else ""
        raise OpsError(Exit.NOT_FOUND, f"no subscriber {found['email']}{state}")
    return str(found["subscribers"][0]["id"])


async def find_subscriber(args: argparse.Namespace, ops: Ops) -> Exit:
    found = await _find(ops, args.email)

    def human() -> None:
        if found["suppressed"]:
            ops.output.line(f"{found['email']} is suppressed ({found['suppressed']})")
        if not found["subscribers"]:
            ops.output.line(f"no subscriber {found['email']}")
            return
        ops.output.table(
            ("id", "status", "digest", "topics", "since"),
            [
                (s["id"], s["status"], s["digest"], ", ".join(s["topics"]), s["created_at"])
                for s in found["subscribers"]
            ],
        )

    ops.output.result(found, human)
    return Exit.OK if found["subscribers"] else Exit.NOT_FOUND


async def export_subscriber(args: argparse.Namespace, ops: Ops) -> Exit:
    subscription_id = await _subscription_id(ops, args.who)
    head = await ops.api.get("notifier", f"{PREFIX}/{subscription_id}")

    async def read_page(after: str | None) -> dict[str, Any]:
        query = {"limit": str(PAGE), **({"after": after} if after else {})}
        page: dict[str, Any] = await ops.api.get(
            "notifier", f"{PREFIX}/{subscription_id}/deliveries", query
        )
        return page

    with ops.output.progress("exporting deliveries", head["deliveries_total"]) as advance:
        deliveries = await every_delivery(read_page, advance)
    exported = export_document(head, deliveries)
    if args.output is None:
        sys.stdout.write(as_json(exported) + "\n")
        return Exit.OK
    descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(as_json(exported) + "\n")
    summary = {"subscription_id": subscription_id, "deliveries": len(deliveries)}
    ops.output.result(
        {**summary, "output": str(args.output)},
        lambda: ops.output.line(
            f"exported subscriber {subscription_id} with {len(deliveries)} deliveries "
            f"to {args.output}"
        ),
    )
    return Exit.OK


async def erase_subscriber(args: argparse.Namespace, ops: Ops) -> Exit:
    subscription_id = await _subscription_id(ops, args.who)
    if not args.yes:
        if not sys.stdin.isatty():
            raise OpsError(Exit.USAGE, "erasure cannot be undone: add --yes to confirm")
        question = f"Erase subscriber {subscription_id} ({args.who}) for good? [y/N] "
        answer = await asyncio.to_thread(input, question)
        if answer.strip().lower() not in {"y", "yes"}:
            raise OpsError(Exit.USAGE, "not erased")
    body = {} if args.reason is None else {"reason": args.reason}
    erased = await ops.api.post("notifier", f"{PREFIX}/{subscription_id}/erase", body)
    ops.output.result(
        erased,
        lambda: ops.output.line(
            f"erased subscriber {erased['erased']}: "
            f"{erased['deliveries_pseudonymised']} deliveries pseudonymised, "
            f"{erased['digest_items_removed']} digest items removed; the address stays "
            "suppressed until its owner subscribes and confirms again"
        ),
    )
    return Exit.OK
