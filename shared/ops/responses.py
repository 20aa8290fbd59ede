"""Response bodies of the admin routes every service serves, as the OpenAPI document shows them.

The views answer through `admin_json`, so what goes out is what the document promises:
`json_response` alone would write a time as `2026-11-30 09:00:00+00:00`, which is not
the RFC 3339 `date-time` the document declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.web import json_response


def admin_json(model: type[BaseModel], data: Mapping[str, Any], status: int = 200) -> web.Response:
    """Answer with `data` written as `model` writes it (times in RFC 3339, enums as values)."""
    return json_response(model.model_validate(data).model_dump(mode="json"), status=status)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutboxBacklog(_Out):
    """What waits in the service's outbox for the broker."""

    service: str
    pending: int
    oldest_pending_at: AwareDatetime | None
    oldest_age_seconds: float | None


class QueueCount(_Out):
    queue: str
    dead_letters: int


class DeadLetterQueues(_Out):
    """The service's consumer queues and how many dead letters each holds."""

    service: str
    queues: list[QueueCount]


class FirstDeath(_Out):
    """Where and why the message was first dead-lettered, and when if known."""

    queue: str
    reason: str
    # From the message's headers, which a foreign publisher may have written without a zone.
    at: datetime | None


class DeadLetterSummary(_Out):
    """One dead letter as a listing shows it: everything but its headers and payload."""

    id: str
    queue: str
    message_id: str | None
    type: str | None
    attempts: int | None
    reason: str | None
    first_death: FirstDeath | None
    replays: int
    size: int


class DeadLetterList(_Out):
    """The first dead letters of a queue (up to `limit`) and how many it holds in all."""

    queue: str
    count: int
    dead_letters: list[DeadLetterSummary]


class DeadLetter(DeadLetterSummary):
    """One dead letter with every header and its payload (JSON, text, or base64 bytes)."""

    headers: dict[str, Any]
    payload_encoding: Literal["json", "text", "base64"]
    payload: Any = Field(description="The body: JSON as JSON, else text, else base64 of its bytes.")


class Replayed(_Out):
    """The ids put back on the queue once each, and the asked-for ids not found."""

    queue: str
    replayed: list[str]
    missing: list[str]


class Dropped(_Out):
    """The ids removed from the dead-letter queue, and the asked-for ids not found."""

    queue: str
    dropped: list[str]
    missing: list[str]
