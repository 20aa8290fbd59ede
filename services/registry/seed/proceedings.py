"""List the consultations and decisions named in the seed documents."""

from __future__ import annotations

from datetime import date, time

from services.registry.seed.records import JUNE_2020_RELEASE_NOTICE, NEWSLETTER_2022_01
from services.registry.seed.records import ConsultationRecord as C
from services.registry.seed.records import DecisionRecord as D

CHANGE_TEAM = "SECAS Change Team (sec.change@gemserv.com)"

CONSULTATIONS: tuple[C, ...] = (
    C(
        "sec-panel-draft-budget-2022-2025",
        "SEC Panel Draft Budget 2022-2025",
        "budget",
        date(2022, 1, 28),
        "SECAS Helpdesk, by email (say if any feedback is confidential or anonymous)",
        NEWSLETTER_2022_01,
    ),
    C(
        "ecos-jip-change-request-2022-01",
        "Enduring Change of Supplier (ECoS) Joint Industry Plan (JIP) Change Request",
        "jip-change-request",
        date(2022, 2, 4),
        "Your IMF representative, or BEIS (smip.sdc@beis.gov.uk)",
        NEWSLETTER_2022_01,
        # The DCC issued the CR to the IMF on this day; the newsletter gives no time.
        opens_on=date(2022, 1, 14),
    ),
    C(
        "mp192-refinement-consultation",
        "MP192 'Extend Scheduled Services for SMETS1 Devices' Refinement Consultation",
        "refinement",
        date(2022, 2, 4),
        CHANGE_TEAM,
        NEWSLETTER_2022_01,
        modification_ref="MP192",
    ),
    C(
        "mp078-modification-report-consultation",
        "MP078 'Incorporation of multiple Issue Resolution Proposals into the SEC - Part 2' "
        "Modification Report Consultation",
        "modification-report",
        date(2022, 2, 8),
        CHANGE_TEAM,
        NEWSLETTER_2022_01,
        modification_ref="MP078",
    ),
    C(
        "mp085a-modification-report-consultation",
        "MP085A 'Synchronisation of smart meter voltage measurement periods' "
        "Modification Report Consultation",
        "modification-report",
        date(2022, 2, 8),
        CHANGE_TEAM,
        NEWSLETTER_2022_01,
        modification_ref="MP085A",
    ),
    C(
        "june-2020-release-date-2020-03",
        "Proposal to move the June 2020 SEC Release implementation date",
        "other",
        date(2020, 3, 12),
        "sec.change@gemserv.com",
        JUNE_2020_RELEASE_NOTICE,
        # "By close of play": the end of the working day.
        closes_at_time=time(17, 0),
        opens_on=date(2020, 3, 9),
    ),
)

_CB_APRIL_2017 = date(2017, 4, 19)
_FMR_ISSUED = (
    " The outcome was captured in the updated Final Modification Report issued to the "
    "Authority (BEIS per the transitional arrangements) on 21 April 2017."
)
_PANEL_IMR = date(2016, 6, 17)

DECISIONS: tuple[D, ...] = (
    D(
        "SECMP0004",
        "change_board",
        "recommend_approve",
        _CB_APRIL_2017,
        "Change Board recommendation to the Authority was for the approval of SECMP0004."
        + _FMR_ISSUED,
    ),
    D(
        "SECMP0008",
        "change_board",
        "recommend_approve",
        _CB_APRIL_2017,
        "Change Board recommendation to the Authority was for the approval of SECMP0008."
        + _FMR_ISSUED,
    ),
    D(
        "SECMP0011",
        "change_board",
        "recommend_reject",
        _CB_APRIL_2017,
        "Change Board recommendation to the Authority was for the rejection of SECMP0011."
        + _FMR_ISSUED,
    ),
    D(
        "SECMP0021",
        "change_board",
        "reject",
        _CB_APRIL_2017,
        "Majority decision to reject by the Change Board. A SEC Party, who is also the Proposer "
        "and a Change Board Member, has referred the decision to the Panel for determination.",
        vote="majority",
    ),
    D(
        "SECMP0033",
        "change_board",
        "approve",
        _CB_APRIL_2017,
        "Unanimous decision to approve by the Change Board; to be implemented on 11 May 2017 "
        "with the designation of SEC 5.7.",
        vote="unanimous",
    ),
    D(
        "SECMP0014",
        "panel",
        "determine",
        _PANEL_IMR,
        "Initial Modification Report accepted; grouped with Working Group 4.",
    ),
    D(
        "SECMP0015",
        "panel",
        "determine",
        _PANEL_IMR,
        "Initial Modification Report accepted; grouped with Working Group 1.",
    ),
    D(
        "SECMP0016",
        "panel",
        "determine",
        _PANEL_IMR,
        "Initial Modification Report accepted; a new Working Group on governance matters to be "
        "created. The Panel asked SECAS to look into the definition and criteria for the "
        "'high impact' label attached to it (ACTION SECP33/06).",
    ),
    D(
        "SECMP0017",
        "panel",
        "determine",
        _PANEL_IMR,
        "Initial Modification Report accepted; as a Path 3 modification it needs no refinement "
        "and goes directly to consultation. First Change Board vote expected in July 2016.",
    ),
)
