"""Validate bounded recurrence rules and expand a series into occurrences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice

from dateutil.rrule import rrule, rrulestr

from services.calendar.domain.errors import InvalidRecurrence
from services.calendar.domain.model import CalendarEvent, EventStatus, Recurrence

# Ten years of weekly meetings; longer series are split by the secretariat anyway,
# and a cap keeps feed rendering and validation cheap.
MAX_OCCURRENCES = 520
ALLOWED_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+$")


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One instance of an entry; `recurrence_id` is None for a one-off entry."""

    recurrence_id: datetime | None
    starts_at: datetime
    ends_at: datetime
    title: str
    location: str | None
    status: EventStatus


def normalise_rule(text: str) -> str:
    """Return the rule upper-cased, without an `RRULE:` prefix, parts validated."""
    rule = text.strip().upper().removeprefix("RRULE:")
    parts = rule.split(";") if rule else []
    names: dict[str, str] = {}
    for part in parts:
        if not _PART.match(part):
            raise InvalidRecurrence(f"malformed RRULE part {part!r}", field="recurrence.rule")
        name, _, value = part.partition("=")
        if name in names:
            raise InvalidRecurrence(f"RRULE repeats {name}", field="recurrence.rule")
        names[name] = value
    if names.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise InvalidRecurrence(
            "RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY", field="recurrence.rule"
        )
    if "COUNT" not in names and "UNTIL" not in names:
        raise InvalidRecurrence(
            "RRULE must be bounded by COUNT or UNTIL; an endless series cannot be published",
            field="recurrence.rule",
        )
    if "COUNT" in names and "UNTIL" in names:
        raise InvalidRecurrence("RRULE may not have both COUNT and UNTIL", field="recurrence.rule")
    # RFC 5545: with a TZID-qualified DTSTART, UNTIL must be a UTC date-time.
    if "UNTIL" in names and not re.fullmatch(r"\d{8}T\d{6}Z", names["UNTIL"]):
        raise InvalidRecurrence(
            "UNTIL must be a UTC date-time such as 20221231T235959Z", field="recurrence.rule"
        )
    return rule


def build_rule(rule: str, local_start: datetime) -> rrule:
    """Return the dateutil rule anchored at the series' local start."""
    try:
        built = rrulestr(rule, dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise InvalidRecurrence(f"invalid RRULE: {exc}", field="recurrence.rule") from exc
    if not isinstance(built, rrule):
        raise InvalidRecurrence("RRULE must be a single rule", field="recurrence.rule")
    return built


def occurrence_starts(event: CalendarEvent) -> list[datetime]:
    """Return the UTC start of every occurrence the rule generates (before EXDATEs)."""
    if event.recurrence is None:
        return [event.starts_at]
    built = build_rule(event.recurrence.rule, event.local_start)
    return [start.astimezone(UTC) for start in islice(built, MAX_OCCURRENCES + 1)]


def check_recurrence(recurrence: Recurrence, local_start: datetime, *, all_day: bool) -> Recurrence:
    """Return the recurrence normalised, or raise InvalidRecurrence."""
    if all_day:
        raise InvalidRecurrence(
            "all-day series are not supported; repeat timed meetings only", field="recurrence"
        )
    rule = normalise_rule(recurrence.rule)
    local_starts = list(islice(build_rule(rule, local_start), MAX_OCCURRENCES + 1))
    starts = [start.astimezone(UTC) for start in local_starts]
    if not starts:
        raise InvalidRecurrence("RRULE produces no occurrence", field="recurrence.rule")
    if len(starts) > MAX_OCCURRENCES:
        raise InvalidRecurrence(
            f"RRULE produces more than {MAX_OCCURRENCES} occurrences", field="recurrence.rule"
        )
    # RFC 5545 leaves a series undefined when DTSTART is not its first occurrence, and
    # clients differ: ical.js counts DTSTART as an occurrence, dateutil and libical do not.
    if starts[0] != local_start.astimezone(UTC):
        raise InvalidRecurrence(
            "the start must be the rule's first occurrence", field="recurrence.rule"
        )
    for start in local_starts:
        if not _unambiguous(start):
            raise InvalidRecurrence(
                f"an occurrence at {start.replace(tzinfo=None).isoformat()} local time falls "
                "in a clock change (a skipped or repeated hour), which clients read differently",
                field="recurrence.rule",
            )
    valid = set(starts)
    exdates = tuple(sorted(set(recurrence.exdates)))
    for exdate in exdates:
        if exdate not in valid:
            raise InvalidRecurrence(
                f"EXDATE {exdate.isoformat()} is not an occurrence", field="recurrence.exdates"
            )
    overrides = tuple(sorted(recurrence.overrides, key=lambda o: o.recurrence_id))
    seen: set[datetime] = set()
    for override in overrides:
        key = override.recurrence_id
        if key not in valid or key in exdates or key in seen:
            raise InvalidRecurrence(
                f"override {key.isoformat()} is not a distinct, non-excluded occurrence",
                field="recurrence.overrides",
            )
        seen.add(key)
    return Recurrence(rule=rule, exdates=exdates, overrides=overrides)


def _unambiguous(local: datetime) -> bool:
    """Return whether the wall-clock time names exactly one instant in its zone."""
    naive = local.replace(tzinfo=None)
    zone = local.tzinfo
    return (
        naive.replace(tzinfo=zone, fold=0).utcoffset()
        == naive.replace(tzinfo=zone, fold=1).utcoffset()
    )


def occurrences(
    event: CalendarEvent, window_start: datetime, window_end: datetime
) -> list[Occurrence]:
    """Return the occurrences overlapping [window_start, window_end), overrides applied."""
    duration = event.ends_at - event.starts_at
    if event.recurrence is None:
        candidates = [
            Occurrence(
                None, event.starts_at, event.ends_at, event.title, event.location, event.status
            )
        ]
    else:
        excluded = set(event.recurrence.exdates)
        overrides = {o.recurrence_id: o for o in event.recurrence.overrides}
        candidates = []
        for start in occurrence_starts(event):
            if start in excluded:
                continue
            override = overrides.get(start)
            if override is None:
                candidates.append(
                    Occurrence(
                        start, start, start + duration, event.title, event.location, event.status
                    )
                )
                continue
            candidates.append(
                Occurrence(
                    start,
                    override.starts_at,
                    override.ends_at,
                    override.title or event.title,
                    override.location or event.location,
                    override.status or event.status,
                )
            )
    return [o for o in candidates if o.starts_at < window_end and o.ends_at > window_start]


def last_end(event: CalendarEvent) -> datetime:
    """Return when the last occurrence ends (the entry's own end for a one-off)."""
    if event.recurrence is None:
        return event.ends_at
    duration = event.ends_at - event.starts_at
    ends = [start + duration for start in occurrence_starts(event)]
    ends.extend(o.ends_at for o in event.recurrence.overrides)
    return max(ends)
