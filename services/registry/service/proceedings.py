"""Use cases on consultations and releases: open, move, close, reclassify; schedule, publish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from services.registry.domain import consultations as consultation_rules
from services.registry.domain import releases as release_rules
from services.registry.domain.models import (
    Consultation,
    ConsultationKind,
    DocumentChange,
    Modification,
    Release,
    ReleaseKind,
)
from services.registry.service.context import (
    AlreadyExists,
    NotFound,
    RegistryContext,
    modification_named,
)
from shared.contracts.classification import Classification
from shared.db import Session
from shared.refs import ModificationRef


async def _consultation(
    registry: RegistryContext, consultation_id: str, session: Session
) -> tuple[Consultation, Modification | None]:
    """Return a consultation and the modification it is about (None for a standalone one)."""
    consultation = await registry.repos.consultations.get(consultation_id, session)
    if consultation is None:
        raise NotFound(f"no consultation {consultation_id}")
    ref = consultation.modification_ref
    if ref is None:
        return consultation, None
    return consultation, await modification_named(registry, ref, session)


async def public_refs(
    registry: RegistryContext, refs: Sequence[ModificationRef], session: Session
) -> tuple[ModificationRef, ...]:
    """Return those of `refs` whose modification is White (what a release may name)."""
    found = [await registry.repos.modifications.get(str(ref), session) for ref in refs]
    return tuple(
        ref
        for ref, mod in zip(refs, found, strict=True)
        if mod is not None and mod.classification.is_public
    )


async def open_consultation(
    registry: RegistryContext,
    title: str,
    kind: ConsultationKind,
    opens_at: datetime,
    closes_at: datetime,
    respond_to: str,
    *,
    classification: Classification,
    modification_ref: ModificationRef | None = None,
    slug: str | None = None,
) -> Consultation:
    """Open a consultation, on an existing modification or standalone."""

    async def work(session: Session) -> Consultation:
        modification = None
        if modification_ref is not None:
            modification = await registry.repos.modifications.get(str(modification_ref), session)
            if modification is None:
                raise NotFound(f"no modification {modification_ref}")
        consultation, events = consultation_rules.open_consultation(
            title,
            kind,
            opens_at,
            closes_at,
            respond_to,
            base_url=registry.base_url,
            modification=modification,
            classification=classification,
            slug=slug,
        )
        if await registry.repos.consultations.get(consultation.id, session) is not None:
            raise AlreadyExists(f"consultation {consultation.id} exists already")
        await registry.repos.consultations.insert(consultation, session)
        await registry.outbox.add(session, events)
        return consultation

    return await registry.commit(work)


async def move_consultation(
    registry: RegistryContext, consultation_id: str, closes_at: datetime
) -> Consultation:
    """Move the deadline of an open consultation (one `closing` event if it changed)."""

    async def work(session: Session) -> Consultation:
        before, modification = await _consultation(registry, consultation_id, session)
        after, events = consultation_rules.move_consultation(
            before, modification, closes_at, base_url=registry.base_url
        )
        if events:
            await registry.repos.consultations.save(after, session)
            await registry.outbox.add(session, events)
        return after

    return await registry.commit(work)


async def close_consultation(
    registry: RegistryContext, consultation_id: str, at: datetime | None = None
) -> Consultation:
    """Close an open consultation now (or at `at`)."""

    async def work(session: Session) -> Consultation:
        before, modification = await _consultation(registry, consultation_id, session)
        after, events = consultation_rules.close_consultation(
            before, modification, at or registry.clock(), base_url=registry.base_url
        )
        await registry.repos.consultations.save(after, session)
        await registry.outbox.add(session, events)
        return after

    return await registry.commit(work)


async def reclassify_consultation(
    registry: RegistryContext, consultation_id: str, classification: Classification
) -> Consultation:
    """Give a consultation a new mark; its calendar entry and reminders follow it."""

    async def work(session: Session) -> Consultation:
        before, modification = await _consultation(registry, consultation_id, session)
        after, events = consultation_rules.reclassify_consultation(
            before, modification, classification, base_url=registry.base_url
        )
        if after != before:
            await registry.repos.consultations.save(after, session)
            await registry.outbox.add(session, events)
        return after

    return await registry.commit(work)


async def schedule_release(
    registry: RegistryContext,
    effective_date: date,
    kind: ReleaseKind,
    *,
    release_id: str | None = None,
    name: str | None = None,
    sec_version: str | None = None,
    modification_refs: Sequence[ModificationRef] = (),
    documents: Sequence[DocumentChange] = (),
    summary: str = "",
) -> Release:
    """Plan a release of modifications that exist in the register.

    An ad hoc release given no id takes the first free one of its day.
    """

    async def work(session: Session) -> Release:
        for ref in modification_refs:
            if await registry.repos.modifications.get(str(ref), session) is None:
                raise NotFound(f"no modification {ref}")
        chosen = release_id
        if chosen is None and kind is ReleaseKind.AD_HOC:
            number = 1
            while (
                await registry.repos.releases.get(
                    release_rules.ad_hoc_release_id(effective_date, number), session
                )
                is not None
            ):
                number += 1
            chosen = release_rules.ad_hoc_release_id(effective_date, number)
        release, events = release_rules.schedule_release(
            effective_date,
            kind,
            base_url=registry.base_url,
            release_id=chosen,
            name=name,
            sec_version=sec_version,
            modification_refs=modification_refs,
            documents=documents,
            summary=summary,
            public_refs=await public_refs(registry, modification_refs, session),
        )
        if await registry.repos.releases.get(release.id, session) is not None:
            raise AlreadyExists(f"release {release.id} exists already")
        await registry.repos.releases.insert(release, session)
        await registry.outbox.add(session, events)
        return release

    return await registry.commit(work)


async def publish_release(
    registry: RegistryContext,
    release_id: str,
    *,
    sec_version: str | None = None,
    expected_version: int | None = None,
) -> Release:
    """Publish a planned release: it is in effect from now."""

    async def work(session: Session) -> Release:
        before = await registry.repos.releases.get(release_id, session)
        if before is None:
            raise NotFound(f"no release {release_id}")
        after, events = release_rules.publish_release(
            before,
            registry.clock(),
            base_url=registry.base_url,
            sec_version=sec_version,
            expected_version=expected_version,
            public_refs=await public_refs(registry, before.modification_refs, session),
        )
        await registry.repos.releases.replace(before, after, session)
        await registry.outbox.add(session, events)
        return after

    return await registry.commit(work)
