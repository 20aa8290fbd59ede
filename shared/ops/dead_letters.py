"""`sec-ops dead-letters list|show|replay|drop`: messages no consumer could process.

A queue is named `<service>.<consumer>` (shared/topology.py), so the queue says which
service's admin API holds it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, Final

from shared.auth import SERVICES
from shared.ops.client import Exit, OpsError
from shared.ops.runtime import Ops, Subcommands

# Ids per replay or drop request: small enough for a bar that moves, and for the API's limit.
CHUNK: Final = 50
PREFIX: Final = "/api/v1/admin/dead-letters"


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("dead-letters", help="list, show, replay or drop dead letters")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", parents=[common], help="dead letters of every queue")
    listing.add_argument("--queue", help="only this queue, e.g. notifier.events")
    listing.add_argument(
        "--service", action="append", choices=SERVICES, help="only this service's (repeatable)"
    )
    listing.add_argument("--limit", type=int, default=100, help="per queue (default 100)")
    listing.set_defaults(handler=list_letters)

    show = actions.add_parser("show", parents=[common], help="one dead letter in full")
    show.add_argument("queue", help="e.g. calendar.registry-events")
    show.add_argument("id", help="the id the listing shows")
    show.set_defaults(handler=show_letter)

    for name, verb in (("replay", "put back on its queue, once"), ("drop", "remove for good")):
        action = actions.add_parser(name, parents=[common], help=f"{verb}: ids or --all")
        action.add_argument("queue")
        action.add_argument("ids", nargs="*", metavar="ID")
        action.add_argument(
            "--all", action="store_true", help="every dead letter listed now (up to --limit)"
        )
        action.add_argument("--limit", type=int, default=1000, help="with --all (default 1000)")
        action.set_defaults(handler=act_on_letters, verb=name)


def service_of(queue: str) -> str:
    service = queue.partition(".")[0]
    if service not in SERVICES:
        raise OpsError(Exit.USAGE, f"{queue!r} is not a queue of {', '.join(SERVICES)}")
    return service


async def _letters(ops: Ops, queue: str, limit: int) -> dict[str, Any]:
    return dict(await ops.api.get(service_of(queue), f"{PREFIX}/{queue}", {"limit": str(limit)}))


async def list_letters(args: argparse.Namespace, ops: Ops) -> Exit:
    queues: list[dict[str, Any]] = []
    unreachable: list[str] = []
    if args.queue:
        queues.append(await _letters(ops, args.queue, args.limit))
    for service in [] if args.queue else args.service or SERVICES:
        try:
            overview = await ops.api.get(service, PREFIX)
        except OpsError as error:
            if error.code is not Exit.UNAVAILABLE:
                raise
            # One service down must not hide the others' dead letters.
            unreachable.append(str(error))
            continue
        for queue in overview["queues"]:
            if queue["dead_letters"]:
                queues.append(await _letters(ops, queue["queue"], args.limit))
            else:
                queues.append({"queue": queue["queue"], "count": 0, "dead_letters": []})

    def human() -> None:
        for queue in queues:
            letters = queue["dead_letters"]
            ops.output.table(
                ("id", "type", "attempts", "replays", "reason", "first dead-lettered"),
                [
                    (
                        letter["id"],
                        letter["type"],
                        letter["attempts"],
                        letter["replays"],
                        (letter["reason"] or "")[:80],
                        _first_death(letter["first_death"]),
                    )
                    for letter in letters
                ],
                title=f"{queue['queue']}.dlq: {queue['count']} message(s)"
                + (f", first {len(letters)} shown" if len(letters) < queue["count"] else ""),
            )

    def human_and_unreachable() -> None:
        human()
        for error in unreachable:
            ops.output.line(error)

    ops.output.result({"queues": queues, "unreachable": unreachable}, human_and_unreachable)
    if unreachable:
        return Exit.UNAVAILABLE
    return Exit.ATTENTION if any(queue["count"] for queue in queues) else Exit.OK


def _first_death(death: dict[str, Any] | None) -> str:
    if not death:
        return "by the consumer at once"
    return f"{death['reason']} on {death['queue']} at {death['at'] or 'unknown time'}"


async def show_letter(args: argparse.Namespace, ops: Ops) -> Exit:
    letter = await ops.api.get(service_of(args.queue), f"{PREFIX}/{args.queue}/{args.id}")

    def human() -> None:
        for key in ("id", "queue", "message_id", "type", "attempts", "replays", "size", "reason"):
            ops.output.line(f"{key}: {letter[key]}")
        ops.output.line(f"first dead-lettered: {_first_death(letter['first_death'])}")
        ops.output.line("headers: " + json.dumps(letter["headers"], indent=2, default=str))
        payload = letter["payload"]
        shown = json.dumps(payload, indent=2) if letter["payload_encoding"] == "json" else payload
        ops.output.line(f"payload ({letter['payload_encoding']}):\n{shown}")

    ops.output.result(letter, human)
    return Exit.OK


async def act_on_letters(args: argparse.Namespace, ops: Ops) -> Exit:
    """Replay or drop the named dead letters (or all listed now), a chunk per request."""
    service = service_of(args.queue)
    if args.all == bool(args.ids):
        raise OpsError(Exit.USAGE, f"{args.verb}: give ids or --all, not both or neither")
    ids = list(args.ids)
    if args.all:
        listed = await _letters(ops, args.queue, args.limit)
        ids = list(dict.fromkeys(letter["id"] for letter in listed["dead_letters"]))
    done_key = "replayed" if args.verb == "replay" else "dropped"
    done: list[str] = []
    missing: list[str] = []
    with ops.output.progress(f"{args.verb} {args.queue}", len(ids)) as advance:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            answer = await ops.api.post(
                service, f"{PREFIX}/{args.queue}/{args.verb}", {"ids": chunk}
            )
            done += answer[done_key]
            missing += answer["missing"]
            advance(len(chunk))
    result = {"queue": args.queue, done_key: done, "missing": missing}
    ops.output.result(
        result,
        lambda: ops.output.line(
            f"{done_key} {len(done)} dead letter(s) of {args.queue}"
            + (f"; not found: {', '.join(missing)}" if missing else "")
        ),
    )
    if missing:
        return Exit.ATTENTION if done else Exit.NOT_FOUND
    return Exit.OK
