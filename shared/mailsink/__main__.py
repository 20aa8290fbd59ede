"""Run the mail sink from the command line until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

from shared.mailsink.server import start_mailsink
from shared.mailsink.smtp import RcptFault

FAULTS_VARIABLE = "MAILSINK_FAIL_RCPT"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line; faults default to the MAILSINK_FAIL_RCPT variable."""
    parser = argparse.ArgumentParser(
        prog="python -m shared.mailsink",
        description="Development SMTP sink with a Mailpit-compatible HTTP API.",
    )
    parser.add_argument("--smtp-host", default="127.0.0.1", help="SMTP interface")
    parser.add_argument("--smtp-port", type=int, default=1025, help="SMTP port (0: any free)")
    parser.add_argument("--http-host", default="127.0.0.1", help="HTTP interface")
    parser.add_argument("--http-port", type=int, default=8025, help="HTTP port (0: any free)")
    parser.add_argument("--dir", default="var/mail", help="Directory keeping one .eml a message")
    parser.add_argument(
        "--fail-rcpt",
        action="append",
        type=RcptFault.parse,
        metavar="CODE[xTIMES]:GLOB",
        help=f"Refuse matching recipients, e.g. 550:*@bounce.example or 451x2:*@flaky.example;"
        f" repeatable; default from {FAULTS_VARIABLE} (comma-separated)",
    )
    args = parser.parse_args(argv)
    if args.fail_rcpt is None:
        specs = os.environ.get(FAULTS_VARIABLE, "")
        args.fail_rcpt = [RcptFault.parse(s) for s in specs.split(",") if s.strip()]
    return args


async def serve(args: argparse.Namespace) -> None:
    """Start the sink, say where it listens, and wait for a stop signal."""
    sink = await start_mailsink(
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        http_host=args.http_host,
        http_port=args.http_port,
        directory=args.dir,
        faults=args.fail_rcpt,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(
        f"mailsink: SMTP {args.smtp_host}:{sink.smtp_port}, "
        f"HTTP http://{args.http_host}:{sink.http_port}/, "
        f"{len(sink.store)} messages in {args.dir}",
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        await sink.close()


def main() -> None:
    """Run the sink."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(parse_args()))


if __name__ == "__main__":
    main()
