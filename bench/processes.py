"""Start, stop and measure the processes a benchmark runs beside itself (from /proc)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def start_module(
    module: str, env: Mapping[str, str], log: Path, *args: str
) -> subprocess.Popen[bytes]:
    """Run `python -m module *args` with `env`, its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args], env=dict(env), stdout=out, stderr=out
        )


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Ask a process to stop (SIGTERM); kill it if it has not within 20 s."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def peak_rss_mib(*pids: int) -> float:
    """Return the summed peak resident set (VmHWM) of the processes, in MiB."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(*pids: int) -> float:
    """Return the processes' CPU time so far (user + system), in seconds."""
    ticks = 0
    for pid in pids:
        # Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Return the ids of a process's direct children."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def load_average() -> str:
    """Return the machine's `uptime` line: others share its cores, so runs note their load."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
