"""Print every instance of every VEVENT in an .ics, as libical computes it (GObject bindings).

Run with the system python3 (Debian's python3-gi and gir1.2-ical-3.0):
    /usr/bin/python3 libical_instances.py FILE.ics
prints a JSON list of {uid, recurrence_id, start, end}: timed values as UTC ISO
instants, all-day values as dates, in the same shape as icaljs_instances.mjs.
The file must also pass libical's parser and RFC 5546 restriction check without an
X-LIC-ERROR. Series are expanded by libical's own icalcomponent_foreach_recurrence (RRULE and
EXDATE); an override (RECURRENCE-ID) replaces the instance it names, whose times
libical converts with the VTIMEZONE of the file.
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

MAX_INSTANCES = 5000


def iso(timet: int) -> str:
    return datetime.fromtimestamp(timet, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(value: "ICalGLib.Time") -> int:
    return int(ICalGLib.Time.as_timet_with_zone(value, value.get_timezone()))


def stamp(value: "ICalGLib.Time") -> str:
    if value.is_date():
        return f"{value.get_year():04d}-{value.get_month():02d}-{value.get_day():02d}"
    return iso(as_utc(value))


def recurrence_id(calendar: "ICalGLib.Component", override: "ICalGLib.Component") -> int:
    """Return the UTC instant an override replaces.

    icalcomponent_get_recurrenceid leaves the TZID unresolved (a floating time);
    clients built on libical resolve it against the calendar's VTIMEZONE, as here.
    """
    prop = override.get_first_property(ICalGLib.PropertyKind.RECURRENCEID_PROPERTY)
    value = prop.get_recurrenceid()
    tzid = prop.get_parameter_as_string("TZID")
    if tzid:
        zone = calendar.get_timezone(tzid)
        if zone is None:
            raise SystemExit(f"no VTIMEZONE for {tzid}")
        value.set_timezone(zone)
    return as_utc(value)


def vevents(calendar: "ICalGLib.Component") -> list["ICalGLib.Component"]:
    found = []
    child = calendar.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    while child is not None:
        found.append(child)
        child = calendar.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    return found


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        calendar = ICalGLib.Component.new_from_string(handle.read())
    if calendar is None:
        raise SystemExit("libical could not parse the file")
    # libical marks what it could not parse, and what breaks RFC 5546 (iTIP) rules for the
    # file's METHOD, with X-LIC-ERROR properties; a PUBLISH without ORGANIZER is one.
    if not ICalGLib.restriction_check(calendar) or calendar.count_errors():
        errors = [
            line
            for line in calendar.as_ical_string().splitlines()
            if line.startswith("X-LIC-ERROR")
        ]
        raise SystemExit("libical found errors: " + " | ".join(errors[:10]))
    masters = []
    overrides: dict[str, list[ICalGLib.Component]] = {}
    for vevent in vevents(calendar):
        if vevent.get_first_property(ICalGLib.PropertyKind.RECURRENCEID_PROPERTY) is None:
            masters.append(vevent)
        else:
            overrides.setdefault(vevent.get_uid(), []).append(vevent)
    out = []
    for master in masters:
        uid = master.get_uid()
        start, end = master.get_dtstart(), master.get_dtend()
        if master.get_first_property(ICalGLib.PropertyKind.RRULE_PROPERTY) is None:
            out.append(
                {"uid": uid, "recurrence_id": None, "start": stamp(start), "end": stamp(end)}
            )
            continue
        replaced = {}
        for override in overrides.get(uid, []):
            replaced[recurrence_id(calendar, override)] = override
        spans: list[tuple[int, int]] = []

        def collect(_component, span, _data, spans=spans):  # type: ignore[no-untyped-def]
            spans.append((span.get_start(), span.get_end()))

        window_start = ICalGLib.Time.new_from_string("19000101T000000Z")
        window_end = ICalGLib.Time.new_from_string("22000101T000000Z")
        master.foreach_recurrence(window_start, window_end, collect, None)
        if len(spans) > MAX_INSTANCES:
            raise SystemExit(f"unbounded series {uid}")
        for span_start, span_end in spans:
            override = replaced.pop(span_start, None)
            if override is None:
                instance = {"start": iso(span_start), "end": iso(span_end)}
            else:
                instance = {
                    "start": stamp(override.get_dtstart()),
                    "end": stamp(override.get_dtend()),
                }
            out.append({"uid": uid, "recurrence_id": iso(span_start), **instance})
        if replaced:
            raise SystemExit(f"{uid}: override of an instance libical did not generate")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
