"""Check modification references on agendas against the registry before saving."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from services.calendar.service.context import CalendarContext
from shared.errors import Problem
from shared.http_client import ServiceCallFailed
from shared.refs import ModificationRef

RETRY_AFTER_SECONDS = 10


class UnknownModification(ValueError):
    """An agenda names a modification the registry does not know (422)."""

    def __init__(self, refs: list[str]) -> None:
        super().__init__(f"the registry knows no modification {', '.join(refs)}")
        self.refs = refs

    @property
    def problem_extensions(self) -> Mapping[str, object]:
        return {"field": "agenda", "unknown_refs": self.refs}


async def check_modifications(context: CalendarContext, refs: Iterable[ModificationRef]) -> None:
    """Raise UnknownModification (422) or a 503 problem when the registry cannot answer."""
    wanted = sorted(set(refs))
    if not wanted:
        return
    found = await asyncio.gather(*(_exists(context, ref) for ref in wanted))
    unknown = [str(ref) for ref, ok in zip(wanted, found, strict=True) if not ok]
    if unknown:
        raise UnknownModification(unknown)


async def _exists(context: CalendarContext, ref: ModificationRef) -> bool:
    url = f"{context.registry_url.rstrip('/')}/api/v1/modifications/{ref}"
    try:
        response = await context.http.request("GET", url, expect=frozenset({404}))
    except ServiceCallFailed as exc:
        # Nothing is written: saving unchecked references would defeat the check.
        raise Problem(
            503,
            "Service Unavailable",
            "The modification registry did not answer, so the agenda could not be checked; "
            "try again shortly.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from exc
    return response.status != 404
