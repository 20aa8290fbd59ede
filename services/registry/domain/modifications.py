"""Create modifications and change their editable fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from services.registry.domain.errors import InvalidField, VersionConflict
from services.registry.domain.events import ModificationCreated, ModificationUpdated
from services.registry.domain.models import (
    Modification,
    require_documents,
    require_irps,
    require_slug,
    require_text,
)
from services.registry.domain.times import require_utc
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path, Status
from shared.events import DomainEvent
from shared.refs import ModificationRef

SUMMARY_MAX = 20_000


def _text(name: str) -> Callable[[Any], str]:
    return lambda value: require_text(name, value)


def _summary(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidField("summary", f"expected text, got {type(value).__name__}")
    if len(value) > SUMMARY_MAX:
        raise InvalidField("summary", f"must be at most {SUMMARY_MAX} characters")
    return value.strip()


def _optional_text(name: str) -> Callable[[Any], str | None]:
    return lambda value: None if value is None else require_text(name, value)


def _enum_or_none(name: str, parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError:
            raise InvalidField(name, f"{value!r} is not a valid {name}") from None

    return check


def _bool(name: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise InvalidField(name, f"expected true or false, got {value!r}")
        return value

    return check


def _strings(name: str, check: Callable[[str, tuple[str, ...]], tuple[str, ...]]) -> Any:
    def parse(value: Any) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise InvalidField(name, "expected a list of strings")
        return check(name, tuple(value))

    return parse


def _release(value: Any) -> str | None:
    return None if value is None else require_slug("target_release", value)


def _classification(value: Any) -> Classification:
    try:
        return Classification(value)
    except ValueError:
        raise InvalidField("classification", f"{value!r} is not a classification") from None


# The fields a PATCH may change; ref and status only move through the workflow.
EDITABLE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "title": _text("title"),
    "summary": _summary,
    "proposer": _optional_text("proposer"),
    "path": _enum_or_none("path", Path),
    "working_group": _optional_text("working_group"),
    "high_impact": _bool("high_impact"),
    "affected_documents": _strings("affected_documents", require_documents),
    "linked_irps": _strings("linked_irps", require_irps),
    "target_release": _release,
    "classification": _classification,
}


def initial_status(ref: ModificationRef) -> Status:
    """Return where a new proposal starts: a DP in development, an MP at the Panel."""
    return Status.DRAFT_PROPOSAL if ref.is_draft else Status.INITIAL_CONSIDERATION


def create_modification(
    ref: ModificationRef,
    title: str,
    at: datetime,
    *,
    base_url: str,
    fields: Mapping[str, Any] | None = None,
    imported: bool = False,
) -> tuple[Modification, list[DomainEvent]]:
    """Raise a new Draft or Modification Proposal with optional editable fields.

    An `imported` one was raised at `at`, in the past: its event says so.
    """
    values = _validated(fields or {})
    values["title"] = require_text("title", title)
    if "classification" not in values:
        raise InvalidField("classification", "must be given: who may see the proposal")
    at = require_utc("at", at)
    mod = Modification(ref=ref, status=initial_status(ref), created_at=at, updated_at=at, **values)
    occurred_at = at if imported else None
    return mod, [ModificationCreated(modification=mod, base_url=base_url, occurred_at=occurred_at)]


def update_modification(
    mod: Modification,
    fields: Mapping[str, Any],
    at: datetime,
    *,
    base_url: str,
    expected_version: int | None = None,
) -> tuple[Modification, list[str], list[DomainEvent]]:
    """Apply a partial update, returning the new state, the changed field names and events.

    A write that changes nothing keeps the version and records no event.
    """
    if expected_version is not None and expected_version != mod.version:
        raise VersionConflict(str(mod.ref), expected_version, mod.version)
    values = _validated(fields)
    at = require_utc("at", at)
    changed = [name for name, value in values.items() if getattr(mod, name) != value]
    if not changed:
        return mod, [], []
    if at < mod.updated_at:
        raise InvalidField("at", f"is before the last change ({mod.updated_at.isoformat()})")
    updated = dataclasses.replace(
        mod,
        **{name: values[name] for name in changed},
        updated_at=at,
        version=mod.version + 1,
    )
    event = ModificationUpdated(modification=updated, changed=tuple(changed), base_url=base_url)
    return updated, changed, [event]


def _validated(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        allowed = ", ".join(EDITABLE_FIELDS)
        raise InvalidField(unknown[0], f"cannot be set (editable fields: {allowed})")
    return {name: EDITABLE_FIELDS[name](value) for name, value in fields.items()}
