"""What the command prints: JSON under --json, tables for people, progress bars on a terminal.

Results go to standard output, progress and errors to standard error, so that
`sec-ops ... --json | jq` reads clean JSON while a person still sees the bar.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from shared.ops.client import OpsError, as_json


class Output:
    """Where one run of the command writes; built per run so tests can capture it."""

    def __init__(self, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.out = Console(file=sys.stdout, highlight=False, soft_wrap=True)
        self.err = Console(file=sys.stderr, highlight=False)
        # Bars only for a person at a terminal: never in JSON, pipes or logs.
        self.interactive = not json_mode and sys.stderr.isatty()

    def result(self, data: Any, human: Callable[[], None]) -> None:
        """Print `data` as JSON under --json, else call `human` to print it for people."""
        if self.json_mode:
            sys.stdout.write(as_json(data) + "\n")
        else:
            human()

    def line(self, text: str) -> None:
        self.out.print(text, markup=False)

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None:
        table = Table(*columns, title=title or None, title_justify="left")
        for row in rows:
            table.add_row(*("" if value is None else str(value) for value in row))
        self.out.print(table)

    def error(self, error: OpsError) -> None:
        if self.json_mode:
            sys.stdout.write(
                as_json({"error": str(error), "exit_code": int(error.code), **error.problem}) + "\n"
            )
        self.err.print(f"sec-ops: {error}", markup=False)

    @contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[Callable[[int], None]]:
        """Show a bar of `total` steps (a spinner if None); yield the function that advances it."""
        columns = (
            [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
            if total is None
            else [
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            ]
        )
        with Progress(*columns, console=self.err, disable=not self.interactive) as bar:
            task = bar.add_task(description, total=total)
            yield lambda steps: bar.advance(task, steps)
