"""Refuse at the API, and strip at render time, characters that break feeds and documents.

One entry's text ends up in iCalendar, Atom (XML 1.0), email headers and HTML.
Each of those formats has characters it cannot carry: XML 1.0 forbids most C0
controls, lone surrogates and U+FFFE/U+FFFF outright; the strict iCalendar
parsers refuse CONTROL characters (RFC 5545 3.1) in any value; U+2028/U+2029
are line breaks to JavaScript and to many viewers. One such character in one
entry used to make a whole feed unreadable, so the API refuses them (naming the
field) and every renderer strips them again as defence in depth: something
stored before the check existed still renders a valid document.

TAB, LF and CR are allowed: JSON carries them, multi-line fields keep them as
line structure and single-line fields fold them into spaces in the domain.
Dates are refused outside 1990-2100: nothing the SEC plans lies outside it, and
far years broke rendering (year 9999 ends a feed's VTIMEZONE window in year
10000).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, Strict

# C0 but TAB, LF, CR; DEL and C1; U+2028/2029; lone surrogates; U+FFFE/U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
FIRST_YEAR = 1990
LAST_YEAR = 2100
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)


def forbidden_characters(text: str) -> list[str]:
    """Return the forbidden characters of `text` as U+XXXX names, first occurrence order."""
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in FORBIDDEN.findall(text)))


def strip_forbidden(text: str) -> str:
    """Return `text` without the characters no feed or document may carry."""
    return FORBIDDEN.sub("", text)


def strip_forbidden_or_none(text: str | None) -> str | None:
    return None if text is None else strip_forbidden(text)


def _check_text(value: str) -> str:
    found = forbidden_characters(value)
    if found:
        # pydantic puts the field's location next to this message in the problem+json.
        raise ValueError(f"contains control characters not allowed here ({', '.join(found)})")
    return value


def _check_day(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be a date between {FIRST_YEAR} and {LAST_YEAR}")
    return value


def _check_instant(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"must be a time between {FIRST_YEAR} and {LAST_YEAR}")
    return value


# A request string that every renderer can carry; keeps the surrounding model's strictness.
CleanText = Annotated[str, AfterValidator(_check_text)]
# The same, strict even in a lax model (no numbers or bytes coerced into text).
StrictCleanText = Annotated[str, Strict(), AfterValidator(_check_text)]
# A calendar day in 1990-2100; parses ISO strings even in a strict model (JSON has no dates).
SaneDate = Annotated[date, Field(strict=False), AfterValidator(_check_day)]
# An aware instant in 1990-2100; parses ISO strings even in a strict model.
SaneInstant = Annotated[AwareDatetime, Field(strict=False), AfterValidator(_check_instant)]
