"""The event catalogue: every event type on the exchange, with one payload model each.

Producers validate what they put in their outbox against these models (a payload that
does not validate is a programming error, raised before the transaction commits);
consumers validate what they take off a queue (one that does not validate is
dead-lettered at once). docs/events.md describes the same shapes for people.

Classification is required wherever the subject has one; a value a consumer does not
know reads as the most restricted mark (`FailClosedClassification`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, ValidationError

from shared.contracts.classification import (
    Classification,
    FailClosedClassification,
    most_restricted,
)
from shared.contracts.statuses import Status
from shared.contracts.vocabulary import EventType
from shared.refs import ModificationRef

SCHEMA_VERSION: Final = 2
"""The catalogue's version, sent as the envelope's `schemaversion` extension attribute.

2: every registry payload about a classified subject carries its `classification`.
"""


class EventName(StrEnum):
    """Every event type on the exchange; the value is the routing key."""

    MODIFICATION_CREATED = "registry.modification.created"
    MODIFICATION_UPDATED = "registry.modification.updated"
    MODIFICATION_STATUS_CHANGED = "registry.modification.status_changed"
    CONSULTATION_OPENED = "registry.consultation.opened"
    CONSULTATION_CLOSING = "registry.consultation.closing"
    CONSULTATION_CLOSED = "registry.consultation.closed"
    CONSULTATION_RECLASSIFIED = "registry.consultation.reclassified"
    DECISION_RECORDED = "registry.decision.recorded"
    DECISION_RECLASSIFIED = "registry.decision.reclassified"
    RELEASE_SCHEDULED = "registry.release.scheduled"
    RELEASE_UPDATED = "registry.release.updated"
    RELEASE_PUBLISHED = "registry.release.published"
    CALENDAR_EVENT_CREATED = "calendar.event.created"
    CALENDAR_EVENT_UPDATED = "calendar.event.updated"
    CALENDAR_EVENT_CANCELLED = "calendar.event.cancelled"
    DELIVERY_BATCH = "notifier.delivery.batch"


class Unprocessable(ValueError):
    """An event no retry can make processable: consumers dead-letter it at once."""


class InvalidPayload(Unprocessable):
    """An event whose type is not in the catalogue or whose data does not fit its model."""


def _canonical_ref(text: str) -> str:
    return str(ModificationRef.parse(text))


Ref = Annotated[str, AfterValidator(_canonical_ref)]
"""A modification reference in canonical spelling (``MP192``, ``SECMP0021``)."""


class Shape(BaseModel):
    """A part of a payload; consumers ignore fields they do not know (producers only add)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Marked(Shape):
    """A part about something that has a classification; the field is required."""

    classification: FailClosedClassification


class ModificationShape(Marked):
    ref: Ref
    title: str
    summary: str = ""
    status: Status
    status_label: str
    path: str | None = None
    path_label: str | None = None
    working_group: str | None = None
    high_impact: bool = False
    proposer: str | None = None
    target_release: str | None = None
    is_draft: bool
    url: str
    classification: FailClosedClassification


class ConsultationShape(Marked):
    id: str
    title: str
    kind: str
    kind_label: str
    modification_ref: Ref | None = None
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime
    respond_to: str
    url: str
    status: str
    # The consultation's own mark, raised to its modification's where that is stricter.
    classification: FailClosedClassification


class DecisionShape(Marked):
    id: str
    modification_ref: Ref
    body: str
    outcome: str
    vote: str | None = None
    decided_on: date
    summary: str = ""
    # The decision's own mark, raised to its modification's where that is stricter.
    classification: FailClosedClassification


class ReleaseShape(Shape):
    """A release; it is public, and `modification_refs` lists only its White modifications."""

    id: str
    name: str
    sec_version: str | None = None
    effective_date: date
    kind: str
    modification_refs: tuple[Ref, ...] = ()
    url: str


class CalendarEventShape(Marked):
    id: str
    uid: str
    sequence: int
    title: str
    type: EventType
    committee: str | None = None
    committee_name: str | None = None
    # Digits with an optional x for an extraordinary meeting ("37x"): text, not a number.
    meeting_number: str | None = None
    reference: str | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    all_day: bool
    timezone: str
    location: str | None = None
    online_url: str | None = None
    description: str = ""
    classification: FailClosedClassification
    status: str
    modification_refs: tuple[Ref, ...] = ()
    url: str
    ics_url: str


class Payload(Shape):
    """The `data` of one event type."""

    @property
    def classification(self) -> Classification:
        """Return the mark of what the event discloses: the strictest of its parts."""
        marks: list[Classification] = [
            part.classification for part in self.__dict__.values() if isinstance(part, Marked)
        ]
        # A release discloses only public facts; everything else names its mark.
        if not marks and not self.public_by_nature:
            return most_restricted()
        return most_restricted(*marks) if marks else Classification.WHITE

    @property
    def public_by_nature(self) -> bool:
        return False


class ModificationCreatedData(Payload):
    modification: ModificationShape


class ModificationUpdatedData(Payload):
    modification: ModificationShape
    changed: tuple[str, ...]


class StatusChangedData(Payload):
    modification: ModificationShape
    previous_ref: Ref
    from_status: Status
    to_status: Status
    from_label: str
    to_label: str
    reason: str
    actor: str
    changed_at: AwareDatetime


class ConsultationData(Payload):
    consultation: ConsultationShape


class DecisionData(Payload):
    decision: DecisionShape
    modification: ModificationShape


class ReleaseData(Payload):
    release: ReleaseShape

    @property
    def public_by_nature(self) -> bool:
        return True


class PreviousTimes(Shape):
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: str | None = None


class CalendarEventData(Payload):
    event: CalendarEventShape


class CalendarEventUpdatedData(CalendarEventData):
    changed: tuple[str, ...]
    previous: PreviousTimes


class CalendarEventCancelledData(CalendarEventData):
    reason: str = ""


class DeliveryBatchData(Payload):
    """The notifier's own work item: one batch of deliveries for its sending workers."""

    batch_id: str
    kind: str

    @property
    def public_by_nature(self) -> bool:
        return True  # it names a batch, not content


CATALOGUE: Final[dict[EventName, type[Payload]]] = {
    EventName.MODIFICATION_CREATED: ModificationCreatedData,
    EventName.MODIFICATION_UPDATED: ModificationUpdatedData,
    EventName.MODIFICATION_STATUS_CHANGED: StatusChangedData,
    EventName.CONSULTATION_OPENED: ConsultationData,
    EventName.CONSULTATION_CLOSING: ConsultationData,
    EventName.CONSULTATION_CLOSED: ConsultationData,
    EventName.CONSULTATION_RECLASSIFIED: ConsultationData,
    EventName.DECISION_RECORDED: DecisionData,
    EventName.DECISION_RECLASSIFIED: DecisionData,
    EventName.RELEASE_SCHEDULED: ReleaseData,
    EventName.RELEASE_UPDATED: ReleaseData,
    EventName.RELEASE_PUBLISHED: ReleaseData,
    EventName.CALENDAR_EVENT_CREATED: CalendarEventData,
    EventName.CALENDAR_EVENT_UPDATED: CalendarEventUpdatedData,
    EventName.CALENDAR_EVENT_CANCELLED: CalendarEventCancelledData,
    EventName.DELIVERY_BATCH: DeliveryBatchData,
}

CONSULTATION_EVENTS: Final = frozenset(
    {
        EventName.CONSULTATION_OPENED,
        EventName.CONSULTATION_CLOSING,
        EventName.CONSULTATION_CLOSED,
        EventName.CONSULTATION_RECLASSIFIED,
    }
)
RELEASE_EVENTS: Final = frozenset(
    {EventName.RELEASE_SCHEDULED, EventName.RELEASE_UPDATED, EventName.RELEASE_PUBLISHED}
)
CALENDAR_EVENTS: Final = frozenset(
    {
        EventName.CALENDAR_EVENT_CREATED,
        EventName.CALENDAR_EVENT_UPDATED,
        EventName.CALENDAR_EVENT_CANCELLED,
    }
)
RECLASSIFICATIONS: Final = frozenset(
    {EventName.CONSULTATION_RECLASSIFIED, EventName.DECISION_RECLASSIFIED}
)
"""Events that only say a mark changed: they move entries and projections, alert nobody."""


def event_name(event_type: str) -> EventName:
    """Return the catalogue's name for a routing key; raise InvalidPayload for any other."""
    try:
        return EventName(event_type)
    except ValueError:
        raise InvalidPayload(f"{event_type!r} is not in the event catalogue") from None


def parse_payload(event_type: str, data: Any) -> Payload:
    """Return the typed payload of an event; raise InvalidPayload if it does not fit."""
    name = event_name(event_type)
    try:
        return CATALOGUE[name].model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(f"{event_type}: {exc}") from exc


# Where each part of a payload names its subject: the part, its key prefix, its id field.
_SUBJECTS: Final = (
    ("modification", "ref"),
    ("consultation", "id"),
    ("decision", "id"),
    ("event", "id"),
)


def subject_keys(data: Any) -> list[str]:
    """Return the keys (``consultation:<id>``, ``modification:MP192``...) of what `data` is about.

    A consumer that keeps the latest mark of each subject (from any event, including a
    reclassification) can hold back something it derived earlier: `most_restricted`
    of the mark it was derived with and the subjects' current marks.
    """
    if not isinstance(data, dict):
        return []
    keys = []
    for part, id_field in _SUBJECTS:
        value = data.get(part)
        if isinstance(value, dict) and isinstance(value.get(id_field), str):
            keys.append(f"{part}:{value[id_field]}")
    return keys


def subject_marks(event_type: str, data: Any) -> dict[str, Classification]:
    """Return the mark an event gives each of its subjects (empty if it does not validate)."""
    try:
        payload = parse_payload(event_type, data)
    except InvalidPayload:
        return {}
    marks = {}
    for part, id_field in _SUBJECTS:
        shape = getattr(payload, part, None)
        if isinstance(shape, Marked):
            marks[f"{part}:{getattr(shape, id_field)}"] = shape.classification
    return marks


def disclosed_classification(event_type: str, data: Any) -> Classification:
    """Return the mark of what an event discloses; anything unreadable is the most restricted."""
    try:
        return parse_payload(event_type, data).classification
    except InvalidPayload:
        return most_restricted()
