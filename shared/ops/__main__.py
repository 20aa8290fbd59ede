"""python -m shared.ops: the operator's command (docs/operations.md)."""

from shared.ops.cli import main

main()
