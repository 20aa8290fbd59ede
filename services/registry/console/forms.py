"""Turn a posted HTML form into the JSON API's request model, and its errors into fields.

A form posts strings; the API's models are strict about types. Each form names how
each of its fields reads (text, an optional text, lines, a checkbox, a London wall
time), so the model sees what a JSON client would send, and every error pydantic or
the domain finds lands next to the field it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from multidict import MultiDictProxy
from pydantic import BaseModel, ValidationError

LONDON = ZoneInfo("Europe/London")
FORM_WIDE = "_form"  # an error about the whole form, shown above it
M = TypeVar("M", bound=BaseModel)


class Kind(Enum):
    TEXT = "text"  # empty: left out (the model's default, or "required")
    PLAIN = "plain"  # sent as typed, even empty (a summary cleared on an edit)
    OPTIONAL = "optional"  # empty: null (clears the field on an edit)
    LINES = "lines"  # one value a line, blank lines ignored
    FLAG = "flag"  # a checkbox: present is true
    LONDON_TIME = "london-time"  # <input type=datetime-local> read as Europe/London


@dataclass
class Form(Generic[M]):
    """What was typed (to show again), the model when valid, and errors by field."""

    values: dict[str, str]
    model: M | None = None
    errors: dict[str, str] = field(default_factory=dict)
    prefix: str = ""  # keeps element ids apart when a page holds several forms

    def fail(self, name: str, message: str) -> None:
        """Put `message` next to field `name`, or above the form if it has no such field."""
        self.errors.setdefault(name if name in self.values else FORM_WIDE, message)
        self.model = None

    def refused(self, exc: Exception, name: str = "") -> None:
        """Show a use case's refusal next to the field it names (InvalidField), or `name`."""
        message = getattr(exc, "message", None) or str(exc)
        self.fail(getattr(exc, "field", None) or name or FORM_WIDE, message)

    @property
    def first_error(self) -> str | None:
        return next(iter(self.errors), None)


def _london(text: str) -> str:
    """Return a wall time in London as an ISO instant; what does not parse goes as typed."""
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        return text
    if local.tzinfo is None:
        local = local.replace(tzinfo=LONDON)
    return local.isoformat()


def _value(kind: Kind, raw: str) -> Any:
    match kind:
        case Kind.LINES:
            return [line.strip() for line in raw.splitlines() if line.strip()]
        case Kind.FLAG:
            return raw != ""
        case Kind.OPTIONAL:
            return raw.strip() or None
        case Kind.LONDON_TIME:
            return _london(raw.strip())
        case _:
            return raw.strip()


def read(
    posted: MultiDictProxy[Any],
    fields: Mapping[str, Kind],
    model: type[M],
    prefix: str = "",
    **fixed: Any,
) -> Form[M]:
    """Validate the posted `fields` (plus `fixed` values) with `model`, the API's own."""
    values = {name: str(posted.get(name, "")) for name in fields}
    data: dict[str, Any] = dict(fixed)
    for name, kind in fields.items():
        raw = values[name]
        if raw.strip() == "" and kind in (Kind.TEXT, Kind.LONDON_TIME):
            continue
        data[name] = _value(kind, raw)
    form: Form[M] = Form(values, prefix=prefix)
    try:
        form.model = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            name = str(error["loc"][0]) if error["loc"] else FORM_WIDE
            where = ".".join(str(part) for part in error["loc"][1:])
            form.fail(name, error["msg"] if not where else f"{where}: {error['msg']}")
    return form


def blank(prefix: str = "", **values: Any) -> Form[Any]:
    """Return a form showing `values` (a stored entity's), with no errors."""
    return Form({name: shown(value) for name, value in values.items()}, prefix=prefix)


def shown(value: Any) -> str:
    """Return a stored value as a form field shows it (lists one a line, None empty)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(item) for item in value)
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, datetime):
        return value.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")
    return str(value.value if isinstance(value, Enum) else value)
