"""Build registry domain objects for tests with sensible defaults."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from services.registry.domain.models import Modification
from shared.contracts.classification import Classification
from shared.contracts.statuses import Path, Status
from shared.refs import ModificationRef

BASE_URL = "http://127.0.0.1:8081"
T0 = datetime(2022, 1, 20, 9, 0, tzinfo=UTC)


def modification(
    ref: str = "MP192",
    status: Status = Status.REFINEMENT,
    path: Path | None = Path.SELF_GOVERNANCE,
    **fields: Any,
) -> Modification:
    """Return a modification in `status`, as if it had got there by the workflow."""
    base = Modification(
        ref=ModificationRef.parse(ref),
        title="Extend Scheduled Services for SMETS1 Devices",
        status=status,
        created_at=T0,
        updated_at=T0,
        classification=Classification.WHITE,
        path=path,
    )
    return dataclasses.replace(base, **fields) if fields else base
