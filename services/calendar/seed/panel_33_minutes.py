"""Hold Panel Meeting 33 (SECP_33_1706) and every dated meeting its minutes name."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.calendar.domain.model import Document, EventDraft
from services.calendar.seed.builders import item, meeting
from shared.contracts.vocabulary import EventType

SOURCE = "panel-33-minutes"
PUBLISHED_AT = datetime(2016, 6, 17, 12, 0, tzinfo=UTC)
FENCHURCH_PLACE = "Gemserv, 8 Fenchurch Place, London EC3M 4AJ"

PANEL_33_AGENDA = (
    item("Minutes and Actions Outstanding"),
    item("Impacts on SEC Panel and Operations"),
    item("Privacy Controls Framework"),
    item("Technical Specifications Management Handover"),
    item("DCC CIO Test Phase Scoping Document"),
    item("SEC Panel Risk Register Update"),
    item("Testing Update"),
    item("Code Governance Review Phase 3 Outcomes: New Reporting Metrics"),
    item(
        "Modification Status Report - June 2016",
        "SECMP0002",
        "SECMP0003",
        "SECMP0005",
        "SECMP0006",
        "SECMP0007",
    ),
    item("Modification Proposals", "SECMP0014", "SECMP0015", "SECMP0016", "SECMP0017"),
    item("DECC Update"),
    item("DCC Update"),
    item("DCC Reporting"),
    item("Implementation of Code Governance Review Phase 3 Final Proposals Update"),
    item("SEC Party Engagement Day Preparations"),
    item("Operations Report - May 2016"),
    item("Configuration Management Update"),
    item("Certified Products List (CPL) Testing Update"),
    item("SEC Panel Member Elections"),
    item("SEC Panel Role in DCC Live"),
    item("Change Board Update", "SECMP0017"),
    item("SMKI PMA Update"),
    item("Technical Sub-Committee Update"),
    item("Security Sub-Committee Update"),
    item("Smarter Markets Project Update"),
    item("Transition Governance Update"),
    item("SEC Panel Activity Planner"),
    item("SEC Party Update"),
    item("AOB"),
)


def _held(
    committee: str | None,
    title: str,
    day: date,
    *,
    slug: str | None = None,
    location: str | None = None,
) -> EventDraft:
    # The minutes give only the day of the other meetings they mention.
    return meeting(
        source=SOURCE,
        committee=committee,
        title=title,
        day=day,
        slug=slug,
        location=location,
    )


def drafts() -> list[EventDraft]:
    """Return Panel Meeting 33 and the meetings, events and milestones its minutes date."""
    may, jun, jul, aug = 5, 6, 7, 8
    return [
        meeting(
            source=SOURCE,
            committee="sec-panel",
            number="33",
            reference="SECP_33_1706",
            title="SEC Panel Meeting 33",
            day=date(2016, jun, 17),
            hours=("10:00", "13:00"),
            location=FENCHURCH_PLACE,
            agenda=PANEL_33_AGENDA,
            documents=(Document("SECP_33_1706 - Final Minutes"),),
        ),
        _held("sec-panel", "SEC Panel ex-committee meeting", date(2016, jul, 1)),
        _held("change-board", "Change Board meeting", date(2016, may, 25)),
        _held("smki-pma", "SMKI PMA meeting", date(2016, may, 10)),
        _held("smki-pma", "SMKI PMA meeting", date(2016, jun, 14)),
        _held("tabasc", "Technical Sub-Committee meeting", date(2016, may, 19)),
        _held("tabasc", "Technical Sub-Committee meeting", date(2016, jun, 16)),
        _held("security-sub-committee", "Security Sub-Committee meeting", date(2016, may, 11)),
        _held("security-sub-committee", "Security Sub-Committee meeting", date(2016, jun, 8)),
        _held("testing-advisory-group", "Testing Advisory Group meeting", date(2016, jun, 8)),
        _held(
            "testing-advisory-group",
            "Testing Advisory Group meeting: DCC report on Test Stubs for UEPT",
            date(2016, jun, 23),
        ),
        _held("working-group", "Working Group 4 meeting", date(2016, jun, 3), slug="wg4"),
        _held("working-group", "Working Group 3 meeting", date(2016, jun, 6), slug="wg3"),
        _held("working-group", "Working Group 2 meeting", date(2016, jun, 20), slug="wg2"),
        meeting(
            source=SOURCE,
            committee="working-group",
            slug="wg1",
            title="Working Group 1 meeting",
            day=date(2016, jun, 27),
            agenda=(item("Remaining questions on SECMP0007", "SECMP0007"),),
        ),
        _held(None, "Cross-Code Administrator meeting", date(2016, jun, 3), slug="cross-code"),
        _held(None, "Smart Metering Delivery Group meeting", date(2016, jun, 9), slug="smdg"),
        _held(
            None,
            "Smart Metering Delivery Group teleconference: progress through SIT",
            date(2016, jun, 20),
            slug="smdg",
            location="Teleconference",
        ),
        meeting(
            source=SOURCE,
            slug="cpl-submission-workshop",
            title="CPL Submission Workshop",
            event_type=EventType.WORKSHOP,
            day=date(2016, jun, 10),
        ),
        meeting(
            source=SOURCE,
            slug="sec-party-engagement-day",
            title="SEC Party Engagement Day",
            event_type=EventType.ENGAGEMENT_DAY,
            day=date(2016, jul, 7),
        ),
        meeting(
            source=SOURCE,
            slug="uept-start",
            title="User Entry Process Testing (UEPT) starts",
            event_type=EventType.OTHER,
            day=date(2016, jul, 4),
        ),
        meeting(
            source=SOURCE,
            slug="dcc-live",
            title="DCC Live",
            event_type=EventType.OTHER,
            day=date(2016, aug, 17),
            description="Moved from 20 July 2016 after the DCC contingency request was approved.",
        ),
        # Not a SEC Release the registry holds, so this one is a plain seed entry.
        meeting(
            source=SOURCE,
            slug="sec-4-12",
            title="SEC 4.12 comes into effect",
            event_type=EventType.RELEASE_GO_LIVE,
            day=date(2016, jun, 15),
        ),
    ]
