"""Say what follows when a modification is reclassified: its consultations and decisions."""

from __future__ import annotations

from collections.abc import Iterable

from services.registry.domain.events import ConsultationReclassified, DecisionReclassified
from services.registry.domain.models import Consultation, Decision, Modification, disclosed
from shared.events import DomainEvent


def follow_reclassification(
    before: Modification,
    after: Modification,
    consultations: Iterable[Consultation],
    decisions: Iterable[Decision],
    *,
    base_url: str,
) -> list[DomainEvent]:
    """Return an event for each consultation and decision whose disclosed mark changed.

    Their calendar entries and the notifier's reminders follow these events; without
    them a deadline derived while the modification was White would stay public.
    """
    events: list[DomainEvent] = []
    for consultation in sorted(consultations, key=lambda c: c.id):
        own = consultation.classification
        if disclosed(own, before) != disclosed(own, after):
            events.append(ConsultationReclassified(consultation, after, base_url))
    for decision in sorted(decisions, key=lambda d: d.id):
        own = decision.classification
        if disclosed(own, before) != disclosed(own, after):
            events.append(DecisionReclassified(decision, after, base_url))
    return events
