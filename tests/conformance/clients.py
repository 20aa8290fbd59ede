"""Read feeds as calendar clients do: ical.js under Node, libical, and three Python parsers.

Each client turns one .ics into instances (UID, RECURRENCE-ID, UTC start and end;
all-day values as dates); `expected_instances` says what the service stored. No
single parser is trusted alone: the two client engines expand the series, the
Python parsers only have to accept the bytes.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

from services.calendar.domain.model import CalendarEvent
from services.calendar.domain.recurrence import occurrences

HERE = Path(__file__).resolve().parent
ICALJS_SCRIPT = HERE / "icaljs_instances.mjs"
LIBICAL_SCRIPT = HERE / "libical_instances.py"
_WINDOW = (datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
# A client's instance: (uid, recurrence_id or None, start, end).
Instance = tuple[str, str | None, str, str]


def _instances(rows: list[dict[str, Any]]) -> list[Instance]:
    return sorted((r["uid"], r["recurrence_id"], r["start"], r["end"]) for r in rows)


def _run(command: list[str], ics: bytes) -> list[Instance]:
    with tempfile.NamedTemporaryFile(suffix=".ics") as handle:
        handle.write(ics)
        handle.flush()
        done = subprocess.run(
            [*command, handle.name], capture_output=True, text=True, timeout=120, check=False
        )
    if done.returncode != 0:
        raise AssertionError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
    return _instances(json.loads(done.stdout))


def node() -> str:
    found = shutil.which("node")
    if found is None or not (HERE / "node_modules" / "ical.js").is_dir():
        raise RuntimeError(
            "Node and tests/conformance/node_modules are needed: run `make system-deps`."
        )
    return found


def gi_python() -> str:
    """Return a Python that can import libical's GObject bindings (the venv's or Debian's)."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        probe = subprocess.run(
            [
                candidate,
                "-c",
                "import gi; gi.require_version('ICalGLib', '3.0');"
                " from gi.repository import ICalGLib",
            ],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return candidate
    raise RuntimeError(
        "libical's bindings are needed (gir1.2-ical-3.0, python3-gi): run `make system-deps`."
    )


def icaljs_instances(ics: bytes) -> list[Instance]:
    """Return every instance as Mozilla's ical.js (Thunderbird, web calendars) computes it."""
    return _run([node(), str(ICALJS_SCRIPT)], ics)


def libical_instances(ics: bytes) -> list[Instance]:
    """Return every instance as libical (Evolution, many CalDAV stacks) computes it."""
    return _run([gi_python(), str(LIBICAL_SCRIPT)], ics)


def parse_strictly(ics: bytes) -> set[str]:
    """Parse with icalendar, strict `ical` and vobject; return the UIDs they all agree on."""
    text = ics.decode("utf-8")
    lenient = {str(e["UID"]) for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}
    strict = {e.uid for e in IcsCalendarStream.calendar_from_ics(text).events}
    found = list(vobject.readComponents(io.StringIO(text), validate=True))
    assert len(found) == 1, "one VCALENDAR"
    by_vobject = {str(e.uid.value) for e in found[0].contents.get("vevent", [])}
    assert lenient == strict == by_vobject, (lenient, strict, by_vobject)
    return lenient


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_instances(events: Iterable[CalendarEvent]) -> list[Instance]:
    """Return the instances the service stored: its own expansion of its own rules."""
    found: list[Instance] = []
    for event in events:
        if event.all_day:
            found.append(
                (
                    event.uid,
                    None,
                    event.first_day.isoformat(),
                    event.end_day_exclusive.isoformat(),
                )
            )
            continue
        for occurrence in occurrences(event, *_WINDOW):
            recurrence_id = occurrence.recurrence_id
            found.append(
                (
                    event.uid,
                    None if recurrence_id is None else _stamp(recurrence_id),
                    _stamp(occurrence.starts_at),
                    _stamp(occurrence.ends_at),
                )
            )
    return sorted(found)


def assert_clients_agree(ics: bytes, stored: Iterable[CalendarEvent]) -> list[Instance]:
    """Check one .ics with every client against what the service stored; return the instances."""
    uids = parse_strictly(ics)
    by_uid = {event.uid: event for event in stored}
    missing = uids - by_uid.keys()
    assert not missing, f"feed has entries the service does not hold: {sorted(missing)}"
    expected = expected_instances(by_uid[uid] for uid in uids)
    for name, instances in (
        ("ical.js", icaljs_instances(ics)),
        ("libical", libical_instances(ics)),
    ):
        wrong = sorted(set(instances) ^ set(expected))
        assert not wrong, f"{name} differs from the store on {len(wrong)} instances: {wrong[:6]}"
    return expected
