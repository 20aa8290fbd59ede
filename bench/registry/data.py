"""Build the benchmark's register: 5,000 varied modifications, inserted in bulk."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from pymongo import MongoClient

from services.registry.adapters.documents import modification_document
from services.registry.adapters.repository import MODIFICATIONS
from services.registry.domain.models import Modification
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path, Status
from shared.refs import ModificationRef, RefKind

WORDS = [
    "smart",
    "meter",
    "communications",
    "hub",
    "firmware",
    "schedule",
    "gas",
    "electricity",
    "prepayment",
    "tariff",
    "security",
    "certificate",
    "gateway",
    "supplier",
    "network",
    "registration",
    "data",
    "privacy",
    "release",
]
# Statuses an MP can hold without a DP reference; the transition pool starts in Refinement.
LISTED = [s for s in Status if s is not Status.DRAFT_PROPOSAL]
GROUPS = ("TABASC", "SSC", "OPSG", "TAG", "MWG")


def modifications(count: int, moving: int, seed: int = 7) -> list[Modification]:
    """Return `count` MPs; the first `moving` are in Refinement for the transition runs."""
    rng = random.Random(seed)
    start = datetime(2018, 1, 1, tzinfo=UTC)
    mods = []
    for number in range(1, count + 1):
        created = start + timedelta(hours=number)
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
        mods.append(
            Modification(
                # MP001-MP999 then SECMP1000+: both reference forms, all distinct.
                ref=ModificationRef(
                    RefKind.MODIFICATION if number < 1000 else RefKind.LEGACY, number
                ),
                title=title,
                classification=Classification.WHITE,
                summary=" ".join(rng.choice(WORDS) for _ in range(40)),
                status=Status.REFINEMENT if number <= moving else rng.choice(LISTED),
                created_at=created,
                updated_at=created + timedelta(days=rng.randint(0, 900)),
                path=rng.choice(list(Path)),
                working_group=rng.choice(GROUPS),
                target_release=rng.choice((None, "2022-06", "2022-11", "2023-02")),
            )
        )
    return mods


def load(url: str, database: str, mods: list[Modification]) -> None:
    """Insert the register directly (the API's write path is measured separately)."""
    client: MongoClient[dict[str, object]] = MongoClient(url)
    with client:
        collection = client[database][MODIFICATIONS]
        docs = [modification_document(mod) for mod in mods]
        for start in range(0, len(docs), 500):
            collection.insert_many(docs[start : start + 500])
