"""List every modification named in the seed documents, with its statuses over time."""

from __future__ import annotations

from datetime import date

from services.registry.seed.records import (
    DCUSA_UPDATE_2017_05 as MAY_2017,
)
from services.registry.seed.records import (
    JUNE_2020_RELEASE_NOTICE as MARCH_2020,
)
from services.registry.seed.records import (
    NEWSLETTER_2022_01 as JAN_2022,
)
from services.registry.seed.records import (
    PANEL_MINUTES_2016_06 as JUNE_2016,
)
from services.registry.seed.records import (
    RELEASES_PAGE_2020 as NOV_2020,
)
from services.registry.seed.records import ModificationRecord as M
from services.registry.seed.records import Observation as Seen

# The documents name these without a title; the register shows that plainly
# rather than inventing one.
UNTITLED = "(title not given in the seed documents)"

_REFINEMENT_2017 = (Seen("refinement", MAY_2017),)
_IMPLEMENTED_NOV_2020 = (Seen("implemented", NOV_2020),)


def _in_november_2020(
    ref: str, title: str, *, irps: tuple[str, ...] = (), documents: tuple[str, ...] = ()
) -> M:
    return M(ref, title, _IMPLEMENTED_NOV_2020, irps=irps, documents=documents, release="2020-11")


MAY_2017_TABLE: tuple[M, ...] = (
    M(
        "SECMP0002",
        "Add New Command to Reset Debt Registers",
        (Seen("refinement", JUNE_2016), *_REFINEMENT_2017),
        working_group="WG1",
    ),
    M(
        "SECMP0004",
        "Inclusion of Meter Serial Number data item in the Smart Metering Inventory",
        (
            Seen("change-board-vote", MAY_2017, date(2017, 4, 19)),
            Seen("awaiting-authority-decision", MAY_2017, date(2017, 4, 21)),
        ),
        path="path-2",
    ),
    M(
        "SECMP0005",
        "Inclusion of Tariff and Register Labels on SMETS2 Devices",
        (Seen("refinement", JUNE_2016), *_REFINEMENT_2017),
        working_group="WG1",
    ),
    M(
        "SECMP0006",
        "Specifying the number of digits for device displays",
        (Seen("refinement", JUNE_2016), *_REFINEMENT_2017),
        working_group="WG1",
    ),
    M(
        "SECMP0007",
        "Firmware updates to mandated HAN devices",
        (Seen("refinement", JUNE_2016), *_REFINEMENT_2017),
        working_group="WG1",
    ),
    M(
        "SECMP0008",
        "Provision of a DCC Alert (formerly Service Request Error Response) for Quarantined "
        "Service Requests",
        (
            Seen("change-board-vote", MAY_2017, date(2017, 4, 19)),
            Seen("awaiting-authority-decision", MAY_2017, date(2017, 4, 21)),
        ),
        path="path-2",
    ),
    M("SECMP0009", "Centralised Firmware Library", _REFINEMENT_2017),
    M("SECMP0010", "Introduction of triage arrangements for Communication Hubs", _REFINEMENT_2017),
    M(
        "SECMP0011",
        "Including the MAP ID in the Smart Metering Inventory",
        (
            Seen("change-board-vote", MAY_2017, date(2017, 4, 19)),
            Seen("awaiting-authority-decision", MAY_2017, date(2017, 4, 21)),
        ),
        path="path-2",
    ),
    M("SECMP0012", "Channel selection to support Shared HAN Solutions", _REFINEMENT_2017),
    M("SECMP0013", "Smart meter device diagnostics and triage", _REFINEMENT_2017),
    M(
        "SECMP0015",
        "GPF timestamp for reading instantaneous Gas values",
        (
            Seen("refinement", JUNE_2016),
            *_REFINEMENT_2017,
            Seen("awaiting-implementation", JAN_2022),
        ),
        summary=(
            "Allow the Gas Proxy Function (GPF) to match the date-time stamp on the data "
            "received from the Gas Smart Metering Equipment (GSME) on its own version of the "
            "update."
        ),
        working_group="WG1",
        release="2022-06",
    ),
    M("SECMP0018", "Standard Electricity Distributor Configuration Settings", _REFINEMENT_2017),
    M("SECMP0019", "Auxiliary Load Control Switches (ALCS) Description Label", _REFINEMENT_2017),
    M(
        "SECMP0021",
        "Increase Other SEC Party representation for TABASC and SSC",
        (
            Seen("change-board-vote", MAY_2017, date(2017, 4, 19)),
            Seen("rejected", MAY_2017, date(2017, 4, 19)),
            Seen("referred", MAY_2017),
        ),
        summary=(
            "Increase the representation of the \u201cOther SEC Party\u201d category on the SSC "
            "and TABASC."
        ),
        path="path-3",
    ),
    M("SECMP0023", "Correct Units of Measurement for Uncontrolled Gas Flow Rate", _REFINEMENT_2017),
    M(
        "SECMP0024",
        "Enduring Approach to Communication Hub Firmware Management",
        (*_REFINEMENT_2017, Seen("awaiting-implementation", JAN_2022)),
        release="2022-06",
    ),
    M(
        "SECMP0025",
        "Electricity Network Party Access to Load Switching Information",
        _REFINEMENT_2017,
    ),
    M("SECMP0027", "Amending Service Request Forecasting", _REFINEMENT_2017),
    M("SECMP0028", "Prioritising Service Requests", _REFINEMENT_2017),
    M(
        "SECMP0029",
        "Business Continuity and Disaster Recovery Testing Amendments",
        _REFINEMENT_2017,
    ),
    M("SECMP0030", "Demand Management of DCC Systems", _REFINEMENT_2017),
    M("SECMP0031", "Adding UTRN Functionality to SMETS", _REFINEMENT_2017),
    M("SECMP0032", "Prioritising Prepayment Customers in No WAN Situations", _REFINEMENT_2017),
    M(
        "SECMP0033",
        "Update to CH Handover Support Materials",
        (
            Seen("change-board-vote", MAY_2017, date(2017, 4, 19)),
            Seen("approved", MAY_2017, date(2017, 4, 19)),
            Seen("awaiting-implementation", MAY_2017),
        ),
        path="path-3",
        documents=("Appendix H",),
        release="2017-05-11",
    ),
    M(
        "SECMP0034",
        "Changes to the SEC Section D for DCC analysis provisions",
        _REFINEMENT_2017,
        documents=("Section D",),
    ),
    M(
        "SECMP0035",
        "Updates to SEC Appendix B \u2013 Organisation ARL expiration date to be aligned to "
        "DCCKI ARL",
        (Seen("initial-consideration", MAY_2017),),
        summary=(
            "This modification looks to ensure that the Smart Metering Key Infrastructure (SMKI) "
            "Organisation Authority Revocation List (ARL) is aligned to the Data Communications "
            "Company Key Infrastructure (DCCKI) ARL; amending the expiration date of the "
            "Organisation ARL from 12 months to 13 months, as per the DCCKI Certificate Policy "
            "(CP) and the DCCKI ARL."
        ),
        documents=("Appendix B",),
    ),
)

# Named in the June 2016 Panel minutes and absent from the May 2017 table of
# open proposals: their last known status is the minutes'.
JUNE_2016_MINUTES: tuple[M, ...] = (
    M("SECMP0003", UNTITLED, (Seen("refinement", JUNE_2016),), working_group="WG1"),
    M(
        "SECMP0014",
        "Standardise Formatting Of Device ID",
        (Seen("initial-consideration", JUNE_2016), Seen("refinement", JUNE_2016)),
        summary=(
            "Device IDs are formatted to a common standard so that the type of Device is "
            "included within the EUI-64 identifier."
        ),
        working_group="WG4",
    ),
    M(
        "SECMP0016",
        "Consideration of \u2018maximum credit\u2019 value in credit cover calculation",
        (Seen("initial-consideration", JUNE_2016), Seen("refinement", JUNE_2016)),
        summary=(
            "Amend the SEC so that a \u201cMaximum Credit\u201d value is considered when "
            "calculating a SEC Party's Credit Cover Requirement."
        ),
        working_group="New governance Working Group",
        high_impact=True,
    ),
    M(
        "SECMP0017",
        "CGR Phase 3 outcomes: Code Administrator to chair Working Groups",
        (Seen("initial-consideration", JUNE_2016), Seen("report-phase", JUNE_2016)),
        summary=(
            "Amend SEC Sections D6.3 and D6.4 to align them with the outcomes of the Ofgem CGR3 "
            "proposals: SECAS will chair all Modification Proposal Working Groups, unless the "
            "Panel identifies a conflict of interest."
        ),
        path="path-3",
        documents=("Section D",),
    ),
)

RELEASE_NEWS_2020: tuple[M, ...] = (
    M(
        "SECMP0053",
        "Amend Target Response Times for Service Requests Critical to Installation and "
        "Commissioning Processes",
        (Seen("awaiting-implementation", MARCH_2020),),
        release="2020-06",
    ),
    M(
        "SECMP0062",
        "Northbound Application Traffic Management \u2013 Alert Storm Protection",
        (Seen("awaiting-implementation", MARCH_2020), *_IMPLEMENTED_NOV_2020),
        summary="Implemented in two parts: part 1 in the June 2020 SEC Release, part 2 in the "
        "November 2020 SEC Release.",
        release="2020-11",
    ),
    M(
        "SECMP0069",
        "EU Exit Changes",
        (Seen("implemented", NOV_2020, date(2020, 1, 31)),),
        documents=("Section A", "Section D", "Section I"),
        release="2020-01-31",
    ),
    M(
        "MP123",
        "IVP realignment of SMETS2 v2.0 and v3.1",
        (Seen("implemented", NOV_2020, date(2020, 5, 29)),),
        documents=("Schedule 11",),
        release="2020-05-29",
    ),
    M(
        "MP130",
        "CH order and delivery changes due to COVID-19",
        (Seen("implemented", NOV_2020, date(2020, 5, 27)),),
        documents=("Section F",),
        release="2020-05-27",
    ),
    M(
        "MP135",
        "Correcting equivalence in Security Standards",
        (Seen("implemented", NOV_2020, date(2020, 7, 23)),),
        documents=("Section G",),
        release="2020-07-23",
    ),
    _in_november_2020("MP080", "Managing DUIS uplifts"),
    _in_november_2020("MP081", "Alignment of DUIS and CHISM to reflect current DCC Processing"),
    _in_november_2020(
        "MP093", "Implementing IRP511 and CRP535 to support GBCS v3.2 devices", irps=("IRP511",)
    ),
    _in_november_2020(
        "MP098", "Incorporation of multiple Issue Resolution Proposals into the SEC - Batch 3"
    ),
    _in_november_2020("MP101", "Large Gas Meter Displays"),
    _in_november_2020("MP102A", "Power Outage Alerts triggered by an OTA firmware upgrade"),
    _in_november_2020("MP103", "DCC SOC2 Assessments"),
    _in_november_2020(
        "MP110", "Aligning SEC Appendix D with DCC Processes", documents=("Appendix D",)
    ),
    _in_november_2020("MP112", "Setting the Privacy Assessment Assurance Status"),
    _in_november_2020("MP115", "Changes to the NCSC Good Practice Guides"),
    _in_november_2020("MP118", "Communications Hub Finance Charges"),
    _in_november_2020("MP120", "Correcting DUIS Matrix for SRV7.7 Eligible Users"),
    _in_november_2020("MP124", "Consequential changes to DUIS and MMC"),
    _in_november_2020("MP127", "SMKI RAPP Security Screening clarification"),
    _in_november_2020("MP131", "Default maximum demand configuration conflict"),
    _in_november_2020("MP133", "Consequential changes to SEC Section G", documents=("Section G",)),
    _in_november_2020("MP142", "Clarification to the MMC"),
)

NEWSLETTER_JANUARY_2022: tuple[M, ...] = (
    M(
        "DP197",
        "Reallocating Third Party Communications Hubs in the Event of a SoLR",
        (Seen("draft-proposal", JAN_2022),),
        summary=(
            "SEC Section F8.7 states that when a SEC Party ceases to be a SEC Party it should "
            "return all uninstalled Communications Hubs to the DCC. This would apply in the event "
            "of a Supplier of Last Resort (SoLR), but not where the Communications Hubs are held "
            "by a third-party Meter Asset Manager (MAM) or Meter Asset Provider (MAP). In the "
            "event of that Supplier ceasing trading, the third-party MAM or MAP carries all the "
            "financial risk and commercial burden when ordering Comms Hubs on behalf of a "
            "Supplier, and would be responsible for the storage, rental, and reallocation costs "
            "of the surplus Communications Hubs. The issue could potentially be resolved by "
            "migrating liability for existing stock and its rental either to the incoming "
            "Supplier or back to the DCC."
        ),
        documents=("Section F",),
    ),
    M(
        "DP198",
        "Further Changes from the Review of the SMKI and DCCKI Document Set",
        (Seen("draft-proposal", JAN_2022),),
        summary=(
            "The observations of the SMKI and DCCKI Document Set review that require further work "
            "relate to SEC Appendix L and the processes for the Recovery of the SMKI Contingency. "
            "Specifically, there is a discrepancy in the order of the steps set out in Appendix L "
            "sections 5 and 6 that need clarification with the DCC to ensure these align with "
            "the correct operational processes and the order of the steps."
        ),
        documents=("Appendix L",),
    ),
    M(
        "DP199",
        "June 2022 SEC Release Supporting Changes",
        (Seen("draft-proposal", JAN_2022),),
        summary=(
            "SECMP0015, SECMP0024, and MP104 are intended to be implemented on 30 June 2022 "
            "(June 2022 SEC Release). The DCC detailed system design associated with these "
            "changes occurred after the approval of the modifications and associated legal text; "
            "the DCC has identified some additions and amendments as being required to align to "
            "the required solution design to deliver the required intent of the modifications' "
            "solutions."
        ),
    ),
    # Named only as the modification already addressing CH reallocation; the
    # newsletter gives no status, so "in progress" is recorded as Refinement.
    M("MP140", "CH Stock Transfer", (Seen("refinement", JAN_2022),)),
    M(
        "MP192",
        "Extend Scheduled Services for SMETS1 Devices",
        (Seen("refinement", JAN_2022),),
        summary=(
            "Service Request Variants (SRV) 4.3 'Read Instantaneous Prepay Values' and SRV 4.4.3 "
            "'Retrieve Billing Calendar Triggered Billing Data Log' can only be requested on an "
            "'On-Demand' service basis or as a 'Future Dated' service, and are not eligible for "
            "Scheduled Services. The Proposed Solution is to change SRVs 4.3 and 4.4.3 so they "
            "can also be scheduled by Suppliers for SMETS1 Devices using SRV 5.1; the DCC will "
            "implement a new error code if a Supplier attempts to schedule them for SMETS2+ "
            "Devices."
        ),
    ),
    M(
        "MP078",
        "Incorporation of multiple Issue Resolution Proposals into the SEC - Part 2",
        (Seen("modification-report-consultation", JAN_2022),),
        summary=(
            "MP078 contains three Issue Resolution Proposals (IRP) 550, 603 and 604. IRP 550 "
            "relates to message GCS20r sent from the Gas Smart Metering Equipment (GSME) to the "
            "Communications Hub: the Technical Specification (GBCS) does not say what response "
            "the GSME should give if it cannot send the information. IRP 604 has resulted from a "
            "typographical error in IRP 550. IRP 603 relates to IHDs, PPMIDs and CADs on the Home "
            "Area Network (HAN) requesting security log information from the GSME or ESME and "
            "displaying it to the consumer, which could be a security risk."
        ),
        irps=("IRP550", "IRP603", "IRP604"),
    ),
    M(
        "MP085A",
        "Synchronisation of smart meter voltage measurement periods",
        (Seen("modification-report-consultation", JAN_2022),),
        summary=(
            "Provide a consistent approach for all Electricity Smart Metering Equipment (ESME), "
            "ensuring that the Average RMS Voltage Measurement Period starts or resumes from a "
            "predictable point in time, allowing automatic realignment of a Device's measurement "
            "periods with those of other ESMEs, so that DNOs can make full use of the Average RMS "
            "Voltage Profile Data Logs. The length of the period is expected to be consistent "
            "across a DNO's ESMEs and a factor of 1800 seconds (30 minutes)."
        ),
    ),
    M("MP104", UNTITLED, (Seen("awaiting-implementation", JAN_2022),), release="2022-06"),
)

MODIFICATIONS: tuple[M, ...] = (
    *MAY_2017_TABLE,
    *JUNE_2016_MINUTES,
    *RELEASE_NEWS_2020,
    *NEWSLETTER_JANUARY_2022,
)
