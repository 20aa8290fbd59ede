"""Read and write the registry's collections; every query runs on an index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from services.registry.adapters.documents import (
    consultation_document,
    consultation_from,
    decision_document,
    decision_from,
    history_document,
    history_from,
    modification_document,
    modification_from,
    release_document,
    release_from,
)
from services.registry.adapters.register_version import RegisterVersion
from services.registry.domain.errors import VersionConflict
from services.registry.domain.models import Consultation, Decision, Modification, Release
from services.registry.domain.workflow import HistoryEntry
from shared.contracts.classification import Classification
from shared.db import Collection, Document, Mongo, Session

MODIFICATIONS = "registry_modifications"
HISTORY = "registry_history"
CONSULTATIONS = "registry_consultations"
DECISIONS = "registry_decisions"
RELEASES = "registry_releases"

INDEXES: dict[str, Sequence[IndexModel]] = {
    # Listing and filtering are served from the in-process read model
    # (docs/decisions/registry-read-model.md): reads look documents up by `_id`,
    # and a converted Draft Proposal by its old reference.
    MODIFICATIONS: [IndexModel([("aliases", ASCENDING)])],
    HISTORY: [IndexModel([("ref", ASCENDING), ("version", ASCENDING)])],
    CONSULTATIONS: [
        IndexModel([("modification_ref", ASCENDING), ("closes_at", ASCENDING)]),
        IndexModel([("closes_at", ASCENDING)]),
    ],
    DECISIONS: [IndexModel([("modification_ref", ASCENDING), ("decided_on", ASCENDING)])],
    RELEASES: [
        IndexModel([("effective_date", DESCENDING)]),
        IndexModel([("modification_refs", ASCENDING)]),
    ],
}


@dataclass(frozen=True)
class Stored:
    """A modification with what its document keeps beside it: former references, search words."""

    modification: Modification
    aliases: tuple[str, ...]
    tokens: frozenset[str]


async def insert_if_absent(collection: Collection, doc: Document, session: Session) -> bool:
    """Insert `doc` unless its `_id` exists; return whether it was inserted (idempotent seed)."""
    fields = {key: value for key, value in doc.items() if key != "_id"}
    result = await collection.update_one(
        {"_id": doc["_id"]}, {"$setOnInsert": fields}, upsert=True, session=session
    )
    return result.upserted_id is not None


class Modifications:
    """The register: one document per modification, `_id` its current reference."""

    def __init__(self, mongo: Mongo) -> None:
        self.collection: Collection = mongo.collection(MODIFICATIONS)
        # Every write bumps it in the same transaction: the read models' freshness check.
        self.version = RegisterVersion(mongo)

    async def get(self, ref: str, session: Session | None = None) -> Modification | None:
        doc = await self.collection.find_one({"_id": ref}, session=session)
        return None if doc is None else modification_from(doc)

    async def aliased(self, ref: str, session: Session | None = None) -> str | None:
        """Return the current reference of a converted Draft Proposal such as DP197."""
        doc = await self.collection.find_one({"aliases": ref}, {"_id": 1}, session=session)
        return None if doc is None else str(doc["_id"])

    async def taken(self, ref: str, session: Session) -> bool:
        """Return whether `ref` names a modification, directly or as an alias."""
        if await self.get(ref, session) is not None:
            return True
        return await self.aliased(ref, session) is not None

    async def insert(self, mod: Modification, session: Session) -> None:
        await self.collection.insert_one(modification_document(mod), session=session)
        await self.version.bump([str(mod.ref)], session)

    async def replace(self, before: Modification, after: Modification, session: Session) -> None:
        """Write `after` over `before` if nobody changed it meanwhile, else VersionConflict."""
        old_ref = str(before.ref)
        await self.version.bump({old_ref, str(after.ref)}, session)
        if after.ref == before.ref:
            result = await self.collection.replace_one(
                {"_id": old_ref, "version": before.version},
                modification_document(after, await self.aliases(old_ref, session)),
                session=session,
            )
            if result.matched_count == 1:
                return
        else:
            # A converted DP: the document moves to its MP reference and keeps the old one.
            aliases = [*await self.aliases(old_ref, session), old_ref]
            deleted = await self.collection.delete_one(
                {"_id": old_ref, "version": before.version}, session=session
            )
            if deleted.deleted_count == 1:
                await self.collection.insert_one(
                    modification_document(after, aliases), session=session
                )
                return
        current = await self.get(old_ref, session)
        raise VersionConflict(old_ref, before.version, current.version if current else 0)

    async def aliases(self, ref: str, session: Session | None = None) -> list[str]:
        """Return the former references of `ref` (a converted DP's DPnnn)."""
        doc = await self.collection.find_one({"_id": ref}, {"aliases": 1}, session=session)
        return list(doc["aliases"]) if doc else []

    async def stored(self, session: Session, refs: Iterable[str] | None = None) -> list[Stored]:
        """Return every modification (or those of `refs`, by `_id`) with aliases and words."""
        conditions: Document = {} if refs is None else {"_id": {"$in": sorted(refs)}}
        return [
            Stored(modification_from(doc), tuple(doc["aliases"]), frozenset(doc["tokens"]))
            async for doc in self.collection.find(conditions, session=session)
        ]

    async def upsert_new(self, mod: Modification, session: Session) -> bool:
        inserted = await insert_if_absent(self.collection, modification_document(mod), session)
        if inserted:
            await self.version.bump([str(mod.ref)], session)
        return inserted


class History:
    """Status moves, one document each, found by any reference the modification had."""

    def __init__(self, mongo: Mongo) -> None:
        self.collection: Collection = mongo.collection(HISTORY)

    async def add(self, entry: HistoryEntry, session: Session) -> None:
        await self.collection.insert_one(history_document(entry), session=session)

    async def of(self, refs: Sequence[str]) -> list[HistoryEntry]:
        docs = self.collection.find({"ref": {"$in": list(refs)}}).sort("version", ASCENDING)
        return [history_from(doc) async for doc in docs]


class Consultations:
    def __init__(self, mongo: Mongo) -> None:
        self.collection: Collection = mongo.collection(CONSULTATIONS)

    async def get(
        self, consultation_id: str, session: Session | None = None
    ) -> Consultation | None:
        doc = await self.collection.find_one({"_id": consultation_id}, session=session)
        return None if doc is None else consultation_from(doc)

    async def insert(self, consultation: Consultation, session: Session) -> None:
        await self.collection.insert_one(consultation_document(consultation), session=session)

    async def save(self, consultation: Consultation, session: Session) -> None:
        await self.collection.replace_one(
            {"_id": consultation.id}, consultation_document(consultation), session=session
        )

    async def upsert_new(self, consultation: Consultation, session: Session) -> bool:
        return await insert_if_absent(self.collection, consultation_document(consultation), session)

    async def about(self, refs: Sequence[str], session: Session) -> list[Consultation]:
        """Return the consultations on any spelling of one modification (inside `session`)."""
        docs = self.collection.find({"modification_ref": {"$in": list(refs)}}, session=session)
        return [consultation_from(doc) async for doc in docs]

    async def find(
        self, *, modification_refs: Sequence[str] | None = None, public_only: bool = True
    ) -> list[Consultation]:
        """Return consultations by closing time, optionally those of one modification."""
        conditions: dict[str, Any] = {}
        if modification_refs is not None:
            conditions["modification_ref"] = {"$in": list(modification_refs)}
        if public_only:
            conditions["classification"] = Classification.WHITE.value
        docs = self.collection.find(conditions).sort("closes_at", ASCENDING).limit(500)
        return [consultation_from(doc) async for doc in docs]


class Decisions:
    def __init__(self, mongo: Mongo) -> None:
        self.collection: Collection = mongo.collection(DECISIONS)

    async def insert(self, decision: Decision, session: Session) -> None:
        await self.collection.insert_one(decision_document(decision), session=session)

    async def upsert_new(self, decision: Decision, session: Session) -> bool:
        return await insert_if_absent(self.collection, decision_document(decision), session)

    async def of(self, refs: Sequence[str]) -> list[Decision]:
        docs = self.collection.find({"modification_ref": {"$in": list(refs)}})
        return [decision_from(doc) async for doc in docs.sort("decided_on", ASCENDING)]

    async def get(self, decision_id: str, session: Session | None = None) -> Decision | None:
        doc = await self.collection.find_one({"_id": decision_id}, session=session)
        return None if doc is None else decision_from(doc)

    async def save(self, decision: Decision, session: Session) -> None:
        await self.collection.replace_one(
            {"_id": decision.id}, decision_document(decision), session=session
        )

    async def about(self, refs: Sequence[str], session: Session) -> list[Decision]:
        """Return the decisions on any spelling of one modification (inside `session`)."""
        docs = self.collection.find({"modification_ref": {"$in": list(refs)}}, session=session)
        return [decision_from(doc) async for doc in docs]

    async def exists(self, decision_id: str, session: Session) -> bool:
        found = await self.collection.find_one({"_id": decision_id}, {"_id": 1}, session=session)
        return found is not None


class Releases:
    def __init__(self, mongo: Mongo) -> None:
        self.collection: Collection = mongo.collection(RELEASES)

    async def get(self, release_id: str, session: Session | None = None) -> Release | None:
        doc = await self.collection.find_one({"_id": release_id}, session=session)
        return None if doc is None else release_from(doc)

    async def insert(self, release: Release, session: Session) -> None:
        await self.collection.insert_one(release_document(release), session=session)

    async def replace(self, before: Release, after: Release, session: Session) -> None:
        result = await self.collection.replace_one(
            {"_id": before.id, "version": before.version}, release_document(after), session=session
        )
        if result.matched_count != 1:
            raise VersionConflict(before.id, before.version, before.version + 1)

    async def upsert_new(self, release: Release, session: Session) -> bool:
        return await insert_if_absent(self.collection, release_document(release), session)

    async def listing(self, refs: Sequence[str], session: Session) -> list[Release]:
        """Return the releases that list any of `refs` (inside `session`)."""
        docs = self.collection.find({"modification_refs": {"$in": list(refs)}}, session=session)
        return [release_from(doc) async for doc in docs]

    async def all(self) -> list[Release]:
        docs = self.collection.find({}).sort("effective_date", DESCENDING).limit(500)
        return [release_from(doc) async for doc in docs]


@dataclass(frozen=True)
class Repositories:
    """Every registry collection, built once per process from the platform's Mongo."""

    modifications: Modifications
    history: History
    consultations: Consultations
    decisions: Decisions
    releases: Releases

    @classmethod
    def build(cls, mongo: Mongo) -> Repositories:
        return cls(
            Modifications(mongo),
            History(mongo),
            Consultations(mongo),
            Decisions(mongo),
            Releases(mongo),
        )
