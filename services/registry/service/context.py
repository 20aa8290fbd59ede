"""Hold what the registry's use cases need, build it once, and run a change with its events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from services.registry.adapters.repository import Repositories
from services.registry.domain.errors import DomainError
from services.registry.domain.models import Modification
from services.registry.service.read_model import RegisterReadModel
from shared.app import Platform
from shared.clock import Clock
from shared.db import Mongo, Session
from shared.outbox import Outbox
from shared.refs import ModificationRef
from shared.settings import RegistrySettings

T = TypeVar("T")


class NotFound(DomainError):
    """No entity has this identifier (or the caller may not see it)."""


class AlreadyExists(DomainError):
    """An entity with this identifier exists already."""


@dataclass(frozen=True)
class RegistryContext:
    """The registry's dependencies: database, outbox, repositories, read model, base URL."""

    mongo: Mongo
    outbox: Outbox
    repos: Repositories
    base_url: str
    # The register as read by requests: listing and reading one never scan the database.
    register: RegisterReadModel
    clock: Clock

    async def commit(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run `work` (entity + history + outbox writes) in one transaction, then wake the relay."""
        result = await self.mongo.transaction(work)
        self.outbox.notify()
        return result


def build_context(platform: Platform, settings: RegistrySettings, clock: Clock) -> RegistryContext:
    """Return the registry's context on the platform's resources, telling the time by `clock`."""
    repos = Repositories.build(platform.mongo)
    return RegistryContext(
        mongo=platform.mongo,
        outbox=platform.outbox,
        repos=repos,
        base_url=settings.public_base_url_registry,
        register=RegisterReadModel(platform.mongo, repos.modifications),
        clock=clock,
    )


async def modification_named(
    registry: RegistryContext, ref: ModificationRef, session: Session
) -> Modification | None:
    """Return the modification `ref` names, also by a converted Draft Proposal's old DPnnn."""
    repo = registry.repos.modifications
    found = await repo.get(str(ref), session)
    if found is None:
        current = await repo.aliased(str(ref), session)
        found = None if current is None else await repo.get(current, session)
    return found
