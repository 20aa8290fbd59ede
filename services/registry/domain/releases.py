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


def ad_hoc_release_id(effective_date: date, number: int = 1) -> str:
    """Return the slug of the `number`th ad hoc release of a day: ``2020-05-27``, ``…-2``.

    A month holds a scheduled release and any number of ad hoc ones: each ad hoc release
    is named by its day, and a second on the same day by its place in that day.
    """
    day = effective_date.isoformat()
    return day if number == 1 else f"{day}-{number}"


def ad_hoc_release_name(effective_date: date) -> str:
    """Return a name for an ad hoc release, e.g. "Ad-hoc SEC Release of 27 May 2020"."""
    month = _MONTHS[effective_date.month - 1]
    return f"Ad-hoc SEC Release of {effective_date.day} {month} {effective_date.year}"


def default_release_id(effective_date: date, kind: ReleaseKind, number: int = 1) -> str:
    """Return the id a release gets when none is given (`number`: see ad_hoc_release_id)."""
    if kind is ReleaseKind.AD_HOC:
        return ad_hoc_release_id(effective_date, number)
    return scheduled_release_id(effective_date)


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
    """Plan a release; without an id a scheduled one is named by its month, an ad hoc one
    by its day (the caller picks a free `release_id` for a second one that day).

    `public_refs` are those of `modification_refs` that are White: only they are named
    in its events.
    """
    release = Release(
        id=release_id or default_release_id(effective_date, kind),
        name=name
        or (
            ad_hoc_release_name(effective_date)
            if kind is ReleaseKind.AD_HOC
            else scheduled_release_name(effective_date)
        ),
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
