"""Hold the dated entries of the January 2022 SEC Newsletter."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.calendar.domain.model import EventDraft, EventStatus
from services.calendar.seed.builders import closing, go_live, item, meeting
from shared.contracts.vocabulary import EventType

SOURCE = "newsletter-2022-01"
PUBLISHED_AT = datetime(2022, 1, 20, 9, 0, tzinfo=UTC)


def _key_date(committee: str, number: str | None, title: str, day: date) -> EventDraft:
    # The "Key Meeting Dates" table gives days only, so these are all-day entries.
    return meeting(source=SOURCE, committee=committee, number=number, title=title, day=day)


def drafts() -> list[EventDraft]:
    """Return the newsletter's meetings, events, closings and go-lives."""
    jan, feb = 1, 2
    return [
        _key_date("change-board", "62", "Change Board Meeting 62", date(2022, jan, 26)),
        _key_date(
            "security-sub-committee",
            "139",
            "Security Sub-Committee Meeting 139",
            date(2022, jan, 26),
        ),
        _key_date(
            "testing-advisory-group", "86", "Testing Advisory Group Meeting 86", date(2022, jan, 26)
        ),
        meeting(
            source=SOURCE,
            slug="security-assessment-guidance-webinar",
            title="Security Assessment Guidance Webinar",
            event_type=EventType.WEBINAR,
            day=date(2022, jan, 28),
            hours=("14:00", "15:00"),
            location="Online",
            description=(
                "SECAS Security experts give an insight into the Validation Process for "
                "Security Assessments: the key obligations that often trip up Users, and what "
                "to look out for in Management Responses to Observations raised."
            ),
        ),
        meeting(
            source=SOURCE,
            slug="credit-cover-webinar",
            title="Smart DCC: Credit Cover Webinar",
            event_type=EventType.WEBINAR,
            day=date(2022, jan, 31),
            hours=("14:00", "14:45"),
            location="Online",
            description=(
                "SECAS and Smart DCC give an overview of the Credit Cover process as detailed in "
                "the SEC, and in practice from a DCC perspective. Send questions to be addressed "
                "in the presentation by 5pm on 24 January 2022 to SECAS@gemserv.com."
            ),
        ),
        meeting(
            source=SOURCE,
            slug="dcc-ipv-workshop",
            title="DCC Initial Pallet Validation (IPV) Online Workshop",
            event_type=EventType.WORKSHOP,
            day=date(2022, jan, 27),
            hours=("13:30", "17:00"),
            location="Online",
            description=(
                "The DCC's Comms Hub & Network workshop, focused on Initial Pallet Validation. "
                "To attend, contact customerengagement@smartdcc.co.uk."
            ),
        ),
        meeting(
            source=SOURCE,
            committee="implementation-managers-forum",
            title="Implementation Managers Forum",
            day=date(2022, jan, 27),
            agenda=(
                item("ECoS JIP Change Request consultation: potential issues and clarification"),
            ),
        ),
        _key_date(
            "sec-monthly-working-group",
            None,
            "SEC Monthly Working Group Meeting - February 2022",
            date(2022, feb, 2),
        ),
        _key_date(
            "tabasc",
            "74",
            "Technical Architecture and Business Architecture Sub-Committee Meeting 74",
            date(2022, feb, 3),
        ),
        _key_date(
            "strategic-working-group", "07", "Strategic Working Group 07", date(2022, feb, 7)
        ),
        _key_date("operations-group", "65", "Operations Group Meeting 65", date(2022, feb, 8)),
        _key_date(
            "smki-pma",
            "90",
            "Smart Metering Key Infrastructure Policy Management Authority Meeting 90",
            date(2022, feb, 9),
        ),
        _key_date(
            "security-sub-committee",
            "140",
            "Security Sub-Committee Meeting 140",
            date(2022, feb, 9),
        ),
        _key_date(
            "change-sub-committee", "36", "Change Sub-Committee Meeting 36", date(2022, feb, 15)
        ),
        _key_date("sec-panel", "101", "SEC Panel Meeting 101", date(2022, feb, 18)),
        closing(
            consultation_id="sec-panel-draft-budget-2022-2025",
            title="Consultation closes: SEC Panel Draft Budget 2022-2025",
            day=date(2022, jan, 28),
            at="17:00",
            description="Respond by email to the SECAS Helpdesk by 5pm on 28 January 2022.",
        ),
        closing(
            consultation_id="ecos-jip-change-request-2022-01",
            title="Consultation closes: ECoS Joint Industry Plan Change Request",
            day=date(2022, feb, 4),
            at="17:00",
            description=(
                "The JIP CR proposes a revised ECoS Go Live date of 30 June 2023. Feedback via "
                "IMF representatives or BEIS (smip.sdc@beis.gov.uk) by 5pm on 4 February 2022."
            ),
        ),
        # The newsletter prints a closing date without a time for modification
        # consultations; SECAS consultations close at 5pm, as the others above do.
        closing(
            consultation_id="mp192-refinement-consultation",
            title=(
                "Refinement Consultation closes: MP192 'Extend Scheduled Services for "
                "SMETS1 Devices'"
            ),
            day=date(2022, feb, 4),
            at="17:00",
            description="Send responses to the Change Team.",
            modification="MP192",
        ),
        closing(
            consultation_id="mp078-modification-report-consultation",
            title=(
                "Modification Report Consultation closes: MP078 'Incorporation of multiple "
                "Issue Resolution Proposals into the SEC - Part 2'"
            ),
            day=date(2022, feb, 8),
            at="17:00",
            description="Send responses to the Change Team.",
            modification="MP078",
        ),
        closing(
            consultation_id="mp085a-modification-report-consultation",
            title=(
                "Modification Report Consultation closes: MP085A 'Synchronisation of smart "
                "meter voltage measurement periods'"
            ),
            day=date(2022, feb, 8),
            at="17:00",
            description="Send responses to the Change Team.",
            modification="MP085A",
        ),
        go_live(
            release_id="2022-02",
            name="February 2022 SEC Release",
            day=date(2022, feb, 24),
            description="The first SEC Release of 2022: text-only changes to the SEC.",
        ),
        go_live(
            release_id="2022-06",
            name="June 2022 SEC Release",
            day=date(2022, 6, 30),
            description="SECMP0015, SECMP0024 and MP104 are intended to be implemented.",
            modifications=("SECMP0015", "SECMP0024", "MP104"),
            status=EventStatus.TENTATIVE,
        ),
    ]
