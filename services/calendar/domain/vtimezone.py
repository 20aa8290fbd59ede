"""Build a VTIMEZONE from the IANA database with RRULE-based rules, as tzurl.org and Outlook do.

Every client must read it right for any year: Mozilla's ical.js reads only the
first value of a multi-valued RDATE, so each observance is either one yearly
RRULE (a run of years in which the change falls on the same weekday rule, month
and wall-clock time) or, for an irregular year, a component of its own with a
single DTSTART. The last run of each observance has no UNTIL: it is the zone's
current rule and goes on for ever, as zoneinfo's own POSIX rule does.

Nothing here is hand-written zone text: the transitions are read from zoneinfo
by bisection, and icalendar serialises the components.
"""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

# Transitions are searched up to here; a run that reaches it is taken as the current rule.
HORIZON_YEAR = 2101
_STEP = timedelta(days=7)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class Observance:
    """The local time in force from a transition on: offsets, name, whether daylight time."""

    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


@dataclass(frozen=True, slots=True)
class Transition:
    at: datetime  # UTC
    observance: Observance

    @property
    def local(self) -> datetime:
        """Return the wall-clock time of the change in the time it ends (DTSTART's meaning)."""
        return (self.at + self.observance.offset_from).replace(tzinfo=None)


def _state(zone: ZoneInfo, at: datetime) -> tuple[timedelta, str, bool]:
    local = at.astimezone(zone)
    offset = local.utcoffset() or timedelta()
    return offset, local.tzname() or _offset_name(offset), bool(local.dst())


def _offset_name(offset: timedelta) -> str:
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def transitions(tzid: str, first_year: int, last_year: int = HORIZON_YEAR) -> list[Transition]:
    """Return the zone's changes of offset, name or daylight flag within the years, in order."""
    zone = ZoneInfo(tzid)
    found: list[Transition] = []
    low = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    state = _state(zone, low)
    while low < end:
        high = min(low + _STEP, end)
        after = _state(zone, high)
        if after != state:
            # Bisect to the second: the change lies in (a, b].
            a, b = low, high
            while b - a > timedelta(seconds=1):
                middle = a + (b - a) / 2
                middle = middle.replace(microsecond=0)
                if _state(zone, middle) == state:
                    a = middle
                else:
                    b = middle
            new = _state(zone, b)
            found.append(Transition(b, Observance(state[0], new[0], new[1], new[2])))
            state = new
            low = b
            continue
        low = high
    return found


def _byday_candidates(day: datetime) -> set[str]:
    """Return the BYDAY values (with BYMONTH) that name this date: 2SU, -1SU and the like."""
    weekday = _WEEKDAYS[day.weekday()]
    candidates = {f"{(day.day - 1) // 7 + 1}{weekday}"}
    if day.day + 7 > gregorian.monthrange(day.year, day.month)[1]:
        candidates.add(f"-1{weekday}")
    return candidates


def _runs(changes: list[Transition]) -> list[tuple[list[Transition], set[str]]]:
    """Group one observance's changes into runs of consecutive years under one yearly rule."""
    runs: list[tuple[list[Transition], set[str]]] = []
    for change in changes:
        local = change.local
        if runs:
            members, rule = runs[-1]
            previous = members[-1].local
            shared = rule & _byday_candidates(local)
            if (
                local.year == previous.year + 1
                and (local.month, local.time()) == (previous.month, previous.time())
                and shared
            ):
                members.append(change)
                runs[-1] = (members, shared)
                continue
        runs.append(([change], _byday_candidates(local)))
    return runs


def _preferred(rule: set[str]) -> str:
    # "Last Sunday" reads as the law says it in Europe; otherwise the nth weekday.
    last = sorted(r for r in rule if r.startswith("-"))
    return last[0] if last else sorted(rule)[0]


def _component(
    observance: Observance, start: datetime, recur: vRecur | None
) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if observance.daylight else TimezoneStandard()
    component.add("TZNAME", observance.name)
    component.add("TZOFFSETFROM", observance.offset_from)
    component.add("TZOFFSETTO", observance.offset_to)
    component.add("DTSTART", start)
    if recur is not None:
        component.add("RRULE", recur)
    return component


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int) -> Timezone:
    """Return the VTIMEZONE of `tzid` valid from 1 January of `first_year` on, for ever.

    Cached: the result depends only on its arguments and the installed tzdata,
    and it is never mutated (icalendar serialises it anew for each feed).
    """
    zone = ZoneInfo(tzid)
    begin = datetime(first_year, 1, 1, tzinfo=UTC)
    offset, name, daylight = _state(zone, begin)
    timezone = Timezone()
    timezone.add("TZID", tzid)
    timezone.add("X-LIC-LOCATION", tzid)
    # The time in force when the window opens, so a client never has to guess before it.
    opening = Observance(offset, offset, name, daylight)
    timezone.add_component(_component(opening, (begin + offset).replace(tzinfo=None), None))
    changes = transitions(tzid, first_year)
    by_observance: dict[Observance, list[Transition]] = {}
    for change in changes:
        by_observance.setdefault(change.observance, []).append(change)
    components: list[tuple[datetime, TimezoneStandard | TimezoneDaylight]] = []
    for observance, its_changes in by_observance.items():
        for members, rule in _runs(its_changes):
            first = members[0]
            if len(members) == 1:
                components.append((first.at, _component(observance, first.local, None)))
                continue
            last = members[-1]
            recur = {"FREQ": "YEARLY", "BYMONTH": first.local.month, "BYDAY": _preferred(rule)}
            if last.local.year < HORIZON_YEAR:
                recur["UNTIL"] = last.at
            components.append((first.at, _component(observance, first.local, vRecur(recur))))
    for _, component in sorted(components, key=lambda pair: pair[0]):
        timezone.add_component(component)
    return timezone
