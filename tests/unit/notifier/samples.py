"""Build catalogue-shaped events (docs/events.md) from the January 2022 newsletter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.notifier.domain.mail import Links, Sender
from services.notifier.domain.subscriptions import (
    Subscription,
    confirm,
    new_subscription,
    subscription_request,
)
from services.notifier.domain.tokens import TokenClaims, TokenPurpose

SECRET = b"s" * 32
NOW = datetime(2022, 1, 24, 9, 0, tzinfo=UTC)
SENDER = Sender("alerts@secas.example.org", "SEC alerts")
DOMAIN = "secas.example.org"
LINKS = Links(
    manage_url="https://alerts.secas.example.org/subscriptions/manage?token=MANAGE",
    unsubscribe_url="https://alerts.secas.example.org/unsubscribe?token=UNSUB",
    unsubscribe_mailto="mailto:unsubscribe@secas.example.org?subject=unsubscribe%20UNSUB",
)
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"


def confirmed(
    topics: list[str], *, verified_party: bool = False, digest: str = "none"
) -> Subscription:
    """Return a confirmed subscription following `topics`."""
    pending = new_subscription(
        subscription_request("Member@Example.org", topics, digest), now=NOW, feed_secret=SECRET
    )
    assert pending.confirm_nonce is not None
    claims = TokenClaims(TokenPurpose.CONFIRM, pending.id, NOW, pending.confirm_nonce)
    subscription = confirm(pending, claims, now=NOW)
    if verified_party:
        subscription = replace(subscription, verified_party=True)
    return subscription


def meeting(**overrides: Any) -> dict[str, Any]:
    """Return Change Board Meeting 62 as the calendar publishes it."""
    event: dict[str, Any] = {
        "id": "evt-cb-62",
        "uid": "evt-cb-62@calendar.secas.example.org",
        "sequence": 0,
        "title": "Change Board Meeting 62",
        "type": "meeting",
        "committee": "change-board",
        "committee_name": "Change Board",
        "meeting_number": "62",
        "reference": None,
        "starts_at": "2022-01-26T10:00:00+00:00",
        "ends_at": "2022-01-26T13:00:00+00:00",
        "all_day": False,
        "timezone": "Europe/London",
        "location": "8 Fenchurch Place, London EC3M 4AJ",
        "online_url": "https://teams.example.org/cb62",
        "description": "The Change Board will vote on MP192.",
        "classification": "white",
        "status": "confirmed",
        "modification_refs": ["MP192", "MP078"],
        "url": "https://calendar.secas.example.org/events/evt-cb-62",
        "ics_url": "https://calendar.secas.example.org/events/evt-cb-62.ics",
    }
    event.update(overrides)
    return event


def webinar(**overrides: Any) -> dict[str, Any]:
    """Return the Security Assessment Guidance Webinar (28 January 2022, 2-3pm)."""
    return meeting(
        id="evt-webinar-sa",
        uid="evt-webinar-sa@calendar.secas.example.org",
        title="Security Assessment Guidance Webinar",
        type="webinar",
        committee=None,
        committee_name=None,
        meeting_number=None,
        starts_at="2022-01-28T14:00:00+00:00",
        ends_at="2022-01-28T15:00:00+00:00",
        location=None,
        online_url="https://webinar.example.org/sa",
        description="SECAS Security experts explain the Validation Process "
        "for Security Assessments.",
        modification_refs=[],
        url="https://calendar.secas.example.org/events/evt-webinar-sa",
        **overrides,
    )


def modification(**overrides: Any) -> dict[str, Any]:
    """Return MP192 as the registry publishes it."""
    value: dict[str, Any] = {
        "ref": "MP192",
        "title": "Extend Scheduled Services for SMETS1 Devices",
        "summary": "Allow SRVs 4.3 and 4.4.3 to be scheduled for SMETS1 Devices using SRV 5.1.",
        "status": "refinement",
        "status_label": "Refinement Process",
        "path": "path3",
        "path_label": "Path 3: Self-Governance",
        "working_group": "WG1",
        "high_impact": False,
        "proposer": "British Gas",
        "target_release": None,
        "is_draft": False,
        "url": "https://registry.secas.example.org/modifications/MP192",
        "classification": "white",
    }
    value.update(overrides)
    return value


def draft_proposal() -> dict[str, Any]:
    """Return DP197 as the registry publishes it."""
    return modification(
        ref="DP197",
        title="Reallocating Third Party Communications Hubs in the Event of a SoLR",
        summary="Migrate liability for uninstalled Communications Hubs held by a third party "
        "when a Supplier ceases trading.",
        status="draft-proposal",
        status_label="Development Stage",
        path=None,
        path_label=None,
        proposer="Lowri Williams",
        is_draft=True,
        url="https://registry.secas.example.org/modifications/DP197",
    )


def consultation(**overrides: Any) -> dict[str, Any]:
    """Return the MP192 Refinement Consultation (closes 5pm, 4 February 2022)."""
    value: dict[str, Any] = {
        "id": "con-mp192-rc",
        "title": "MP192 Refinement Consultation",
        "kind": "refinement",
        "kind_label": "Refinement Consultation",
        "modification_ref": "MP192",
        "opens_at": "2022-01-14T09:00:00+00:00",
        "closes_at": "2022-02-04T17:00:00+00:00",
        "respond_to": "changeteam@secas.example.org",
        "url": "https://registry.secas.example.org/consultations/con-mp192-rc",
        "status": "open",
        "classification": "white",
    }
    value.update(overrides)
    return value


def release(**overrides: Any) -> dict[str, Any]:
    """Return the November 2020 SEC Release."""
    value: dict[str, Any] = {
        "id": "rel-2020-11",
        "name": "November 2020 SEC Release",
        "sec_version": "27.0",
        "effective_date": "2020-11-29",
        "kind": "scheduled",
        "modification_refs": ["SECMP0062", "MP080", "MP102A"],
        "url": "https://registry.secas.example.org/releases/rel-2020-11",
    }
    value.update(overrides)
    return value


def decision() -> dict[str, Any]:
    """Return a unanimous Change Board approval of MP192."""
    return {
        "id": "dec-1",
        "modification_ref": "MP192",
        "body": "change_board",
        "outcome": "approve",
        "vote": "unanimous",
        "decided_on": "2022-02-23",
        "summary": "The Change Board approved MP192 for the June 2022 SEC Release.",
        "classification": "white",
    }


def status_changed(**overrides: Any) -> dict[str, Any]:
    """Return MP192's move from Refinement to the Report Phase as the registry publishes it."""
    value: dict[str, Any] = {
        "modification": modification(status="report-phase", status_label="Report Phase"),
        "previous_ref": "MP192",
        "from_status": "refinement",
        "to_status": "report-phase",
        "from_label": "Refinement Process",
        "to_label": "Report Phase",
        "reason": "Refinement consultation responses considered by the Working Group.",
        "actor": "secas",
        "changed_at": "2022-02-10T12:00:00+00:00",
    }
    value.update(overrides)
    return value


def meeting_moved(event: dict[str, Any]) -> dict[str, Any]:
    """Return `calendar.event.updated` data: Change Board Meeting 62 moved to `event`."""
    return {
        "event": event,
        "changed": ["starts_at", "ends_at"],
        "previous": {
            "starts_at": "2022-01-26T10:00:00+00:00",
            "ends_at": "2022-01-26T13:00:00+00:00",
            "location": "8 Fenchurch Place, London EC3M 4AJ",
        },
    }
