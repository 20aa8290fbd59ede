"""Define the CloudEvents 1.0 envelope and the shape of a domain event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events import SCHEMA_VERSION


class DomainEvent(Protocol):
    """What a service's domain layer records; the outbox wraps it in a CloudEvent.

    `event_type` is the routing key, e.g. ``registry.modification.status_changed``;
    `subject` names the entity (``MP192``, an event id); `data()` is JSON-ready and
    carries everything a consumer needs to act without calling back. An event may also
    have `occurred_at`, set when it records imported history: the envelope's `time`.
    """

    @property
    def event_type(self) -> str: ...

    @property
    def subject(self) -> str: ...

    def data(self) -> dict[str, Any]: ...


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 structured-mode JSON envelope."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: str = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    data: dict[str, Any] = Field(default_factory=dict)
    # Extension attribute: carries the correlation id across services.
    correlationid: str | None = None
    # Extension attribute: the event catalogue's version (shared/contracts/events.py).
    schemaversion: int | None = None
    # Extension attribute (CloudEvents "recordedtime"): set when the occurrence was
    # recorded after it happened (imported history); `time` is then when it happened.
    recordedtime: datetime | None = None

    @classmethod
    def from_domain(
        cls, source: str, event: DomainEvent, correlation_id: str | None = None
    ) -> CloudEvent:
        # A domain event about the past (imported history) names when it happened.
        occurred_at: datetime | None = getattr(event, "occurred_at", None)
        past = (
            {} if occurred_at is None else {"time": occurred_at, "recordedtime": datetime.now(UTC)}
        )
        return cls(
            source=source,
            type=event.event_type,
            subject=event.subject,
            data=event.data(),
            correlationid=correlation_id,
            schemaversion=SCHEMA_VERSION,
            **past,
        )
