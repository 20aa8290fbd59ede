"""Schedule SEC Releases and publish them when they take effect."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime

from services.registry.domain.errors import InvalidState, VersionConflict
from services.registry.domain.events import ReleasePublished, ReleaseScheduled
from services.registry.domain.models import DocumentChange, Release, ReleaseKind, ReleaseStatus
from services.registry.domain.times import require_utc
from shared.events import DomainEvent
from shared.refs import ModificationRef

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def scheduled_release_id(effective_date: date) -> str:
    """Return the slug of a scheduled release, e.g. ``2020-11``."""
    return f"{effective_date.year:04d}-{effective_date.month:02d}"


def scheduled_release_name(effective_date: date) -> str:
    """Return the name SECAS gives a scheduled release, e.g. "November 2020 SEC Release"."""
    return f"{_MONTHS[effective_date.month - 1]} {effective_date.year} SEC Release"


def schedule_release(
    effective_date: date,
    kind: ReleaseKind,
    *,
    base_url: str,
    release_id: str | None = None,
    name: str | None = None,
    sec_version: str | None = None,
    modification_refs: Sequence[ModificationRef] = (),
    documents: Sequence[DocumentChange] = (),
    summary: str = "",
    public_refs: Sequence[ModificationRef] = (),
) -> tuple[Release, list[DomainEvent]]:
    """Plan a release; a scheduled one gets its id and name from its month.

    `public_refs` are those of `modification_refs` that are White: only they are named
    in its events.
    """
    release = Release(
        id=release_id or scheduled_release_id(effective_date),
        name=name or scheduled_release_name(effective_date),
        effective_date=effective_date,
        kind=kind,
        sec_version=sec_version,
        modification_refs=tuple(modification_refs),
        documents=tuple(documents),
        summary=summary,
    )
    return release, [ReleaseScheduled(release, tuple(public_refs), base_url)]


def publish_release(
    release: Release,
    at: datetime,
    *,
    base_url: str,
    sec_version: str | None = None,
    expected_version: int | None = None,
    public_refs: Sequence[ModificationRef] = (),
) -> tuple[Release, list[DomainEvent]]:
    """Mark a planned release as published (the SEC version it brings is now in effect)."""
    if expected_version is not None and expected_version != release.version:
        raise VersionConflict(release.id, expected_version, release.version)
    if release.status is ReleaseStatus.PUBLISHED:
        raise InvalidState(f"release {release.id} is already published")
    published = dataclasses.replace(
        release,
        status=ReleaseStatus.PUBLISHED,
        published_at=require_utc("at", at),
        sec_version=sec_version or release.sec_version,
        version=release.version + 1,
    )
    return published, [ReleasePublished(published, tuple(public_refs), base_url)]
