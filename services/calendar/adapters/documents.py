"""Map the calendar's entries to MongoDB documents and back, losslessly."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.calendar.domain.model import (
    AgendaItem,
    CalendarEvent,
    Document,
    EventStatus,
    OccurrenceOverride,
    Recurrence,
)
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType
from shared.refs import ModificationRef


def to_document(event: CalendarEvent) -> dict[str, Any]:
    """Return a BSON-ready dict: `_id` is the entry id, times are aware UTC datetimes."""
    return {
        "_id": event.id,
        "uid": event.uid,
        "sequence": event.sequence,
        "title": event.title,
        "type": event.type.value,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "all_day": event.all_day,
        "timezone": event.timezone,
        "committee": event.committee,
        "meeting_number": event.meeting_number,
        "reference": event.reference,
        "location": event.location,
        "online_url": event.online_url,
        "description": event.description,
        "documents": [
            {"title": d.title, "url": d.url, "classification": d.classification.value}
            for d in event.documents
        ],
        "agenda": [
            {"title": item.title, "modification_refs": [str(r) for r in item.modification_refs]}
            for item in event.agenda
        ],
        "related_refs": [str(r) for r in event.related_refs],
        # Denormalised so that the per-modification feed is one indexed equality lookup.
        "modification_refs": [str(r) for r in event.modification_refs],
        "classification": event.classification.value,
        "status": event.status.value,
        "cancelled_at": event.cancelled_at,
        "cancel_reason": event.cancel_reason,
        "recurrence": None if event.recurrence is None else _recurrence_doc(event.recurrence),
        "created_at": event.created_at,
        "updated_at": event.updated_at,
        "version": event.version,
        "source": event.source,
    }


def from_document(doc: Mapping[str, Any]) -> CalendarEvent:
    """Rebuild an entry from `to_document`'s output (PyMongo may return naive UTC times)."""
    recurrence = doc.get("recurrence")
    return CalendarEvent(
        id=doc["_id"],
        uid=doc["uid"],
        sequence=doc["sequence"],
        title=doc["title"],
        type=EventType(doc["type"]),
        starts_at=_utc(doc["starts_at"]),
        ends_at=_utc(doc["ends_at"]),
        all_day=doc["all_day"],
        timezone=doc["timezone"],
        committee=doc.get("committee"),
        meeting_number=doc.get("meeting_number"),
        reference=doc.get("reference"),
        location=doc.get("location"),
        online_url=doc.get("online_url"),
        description=doc.get("description", ""),
        documents=tuple(
            Document(d["title"], d.get("url"), Classification(d["classification"]))
            for d in doc.get("documents", ())
        ),
        agenda=tuple(
            AgendaItem(item["title"], _refs(item.get("modification_refs", ())))
            for item in doc.get("agenda", ())
        ),
        related_refs=_refs(doc.get("related_refs", ())),
        classification=Classification(doc["classification"]),
        status=EventStatus(doc["status"]),
        cancelled_at=_optional_utc(doc.get("cancelled_at")),
        cancel_reason=doc.get("cancel_reason"),
        recurrence=None if recurrence is None else _recurrence(recurrence),
        created_at=_utc(doc["created_at"]),
        updated_at=_utc(doc["updated_at"]),
        version=doc["version"],
        source=doc["source"],
    )


def _recurrence_doc(recurrence: Recurrence) -> dict[str, Any]:
    return {
        "rule": recurrence.rule,
        "exdates": list(recurrence.exdates),
        "overrides": [
            {
                "recurrence_id": o.recurrence_id,
                "starts_at": o.starts_at,
                "ends_at": o.ends_at,
                "title": o.title,
                "location": o.location,
                "description": o.description,
                "status": None if o.status is None else o.status.value,
            }
            for o in recurrence.overrides
        ],
    }


def _recurrence(doc: Mapping[str, Any]) -> Recurrence:
    return Recurrence(
        rule=doc["rule"],
        exdates=tuple(_utc(d) for d in doc.get("exdates", ())),
        overrides=tuple(
            OccurrenceOverride(
                recurrence_id=_utc(o["recurrence_id"]),
                starts_at=_utc(o["starts_at"]),
                ends_at=_utc(o["ends_at"]),
                title=o.get("title"),
                location=o.get("location"),
                description=o.get("description"),
                status=None if o.get("status") is None else EventStatus(o["status"]),
            )
            for o in doc.get("overrides", ())
        ),
    )


def _refs(values: Any) -> tuple[ModificationRef, ...]:
    return tuple(ModificationRef.parse(v) for v in values)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _optional_utc(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)
