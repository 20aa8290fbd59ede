"""Run every benchmark in turn: python -m bench (make bench)."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ("bench.registry", "bench.feeds", "bench.calendar_scale", "bench.fanout")


def main() -> None:
    failed = []
    for module in BENCHMARKS:
        print(f"\n=== {module} ===", flush=True)
        if subprocess.run([sys.executable, "-m", module], check=False).returncode != 0:
            failed.append(module)
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
