"""List the SEC Releases named in the seed documents, with their document tables."""

from __future__ import annotations

from datetime import date

from services.registry.seed.records import (
    DCUSA_UPDATE_2017_05,
    JUNE_2020_RELEASE_NOTICE,
    NEWSLETTER_2022_01,
    RELEASES_PAGE_2020,
)
from services.registry.seed.records import DocumentRecord as Doc
from services.registry.seed.records import ReleaseRecord as R

# "What parts of the SEC were affected?" in the SEC v27.0 notice: document,
# Available on CodeWorks, SEC Modification, BEIS Designation.
NOVEMBER_2020_DOCUMENTS: tuple[Doc, ...] = (
    Doc("Section A \u2018Definitions and Interpretation\u2019", True, True, False),
    Doc("Section G \u2018Security\u2019", True, True, False),
    Doc("Section I \u2018Data Privacy\u2019", True, True, False),
    Doc("Section J \u2018Payment of Charges\u2019", True, True, False),
    Doc("Section L \u2018Smart Metering Key Infrastructure\u2019", True, True, False),
    Doc("Schedule 8 \u2018GB Companion Specification\u2019", False, True, True),
    Doc(
        "Schedule 9 \u2018Smart Metering Equipment Technical Specifications\u2019",
        False,
        True,
        True,
    ),
    Doc("Schedule 10 \u2018Communications Hub Technical Specifications\u2019", False, False, True),
    Doc("Schedule 11 \u2018TS Applicability Tables\u2019", True, True, True),
    Doc("Appendix A \u2018Device Certificate Policy\u2019", False, True, False),
    Doc("Appendix B \u2018Organisation Certificate Policy\u2019", False, True, True),
    Doc(
        "Appendix D \u2018SMKI Registration Authority Policies and Procedures\u2019",
        True,
        True,
        True,
    ),
    Doc("Appendix E \u2018DCC User Gateway Services Schedule\u2019", True, True, True),
    Doc(
        "Appendix I \u2018CH Installation and Maintenance Support Materials\u2019",
        True,
        True,
        False,
    ),
    Doc("Appendix L \u2018SMKI Recovery Procedure\u2019", True, True, False),
    Doc("Appendix M \u2018SMKI Interface Design Specification\u2019", False, False, True),
    Doc(
        "Appendix O \u2018SMKI Repository Interface Design Specification\u2019", False, False, True
    ),
    Doc("Appendix Q \u2018IKI Certificate Policy\u2019", False, True, False),
    Doc("Appendix AB \u2018Service Request Processing Document\u2019", True, False, True),
    Doc(
        "Appendix AC \u2018Inventory, Enrolment and Decommissioning Procedures\u2019",
        True,
        False,
        True,
    ),
    Doc("Appendix AD \u2018DCC User Interface Specification\u2019", False, True, True),
    Doc("Appendix AF \u2018Message Mapping Catalogue\u2019", False, True, True),
)

NOVEMBER_2020_REFS: tuple[str, ...] = (
    "SECMP0062",
    "MP080",
    "MP081",
    "MP093",
    "MP098",
    "MP101",
    "MP102A",
    "MP103",
    "MP110",
    "MP112",
    "MP115",
    "MP118",
    "MP120",
    "MP124",
    "MP127",
    "MP131",
    "MP133",
    "MP142",
)

RELEASES: tuple[R, ...] = (
    R(
        "2017-05-11",
        "SEC 5.7 (SECMP0033)",
        date(2017, 5, 11),
        "ad-hoc",
        DCUSA_UPDATE_2017_05,
        sec_version="5.7",
        refs=("SECMP0033",),
    ),
    R(
        "2020-01-31",
        "Ad-hoc SEC Release \u2013 SECMP0069 implemented",
        date(2020, 1, 31),
        "ad-hoc",
        RELEASES_PAGE_2020,
        sec_version="6.24",
        refs=("SECMP0069",),
        # Redlined on the Digital SEC, before CodeWorks: that column is unknown.
        documents=(
            Doc("Section A \u2018Definitions and Interpretation\u2019", None, True, None),
            Doc("Section D \u2018Modification Process\u2019", None, True, None),
            Doc("Section I \u2018Data Privacy\u2019", None, True, None),
        ),
        published_on=date(2020, 1, 31),
    ),
    R(
        "2020-02",
        "February 2020 SEC Release",
        date(2020, 2, 27),
        "scheduled",
        RELEASES_PAGE_2020,
        documents=(
            Doc("Section G \u2018Security\u2019", True, True, None),
            Doc("Section Z \u2018Alt HAN Arrangements\u2019", True, True, None),
            Doc("Appendix H \u2018CH Handover Support Materials\u2019", False, True, None),
        ),
        published_on=date(2020, 2, 27),
        summary=(
            "Implemented three modifications (not named in the notice). Each SEC Section and "
            "Subsidiary Document now has its own version number, and a Document Log summarises "
            "the documents making up the SEC."
        ),
    ),
    R(
        "2020-04-03",
        "Update to the SMETS1 SVTAD",
        date(2020, 4, 3),
        "ad-hoc",
        RELEASES_PAGE_2020,
        # A DCC modification under Clause 4.2 of Appendix AK, not a SEC Modification.
        documents=(
            Doc(
                "Appendix AK \u2018SEC Variation Testing Approach Document for SMETS1 "
                "Services\u2019",
                None,
                False,
                None,
            ),
        ),
        published_on=date(2020, 4, 3),
        summary=(
            "The DCC modified the SMETS1 SVTAD following its conclusions on the SMETS1 Uplift "
            "1.1 Consultation."
        ),
    ),
    R(
        "2020-05-27",
        "Ad-hoc SEC Release \u2013 MP130 implemented",
        date(2020, 5, 27),
        "ad-hoc",
        RELEASES_PAGE_2020,
        refs=("MP130",),
        documents=(
            Doc("Section F \u2018Smart Metering System Requirements\u2019", True, True, None),
        ),
        published_on=date(2020, 5, 27),
    ),
    R(
        "2020-05-29",
        "Ad-hoc SEC Release \u2013 MP123 implemented",
        date(2020, 5, 29),
        "ad-hoc",
        RELEASES_PAGE_2020,
        refs=("MP123",),
        documents=(Doc("Schedule 11 \u2018TS Applicability Tables\u2019", None, True, None),),
        published_on=date(2020, 5, 29),
    ),
    R(
        "2020-06",
        "June 2020 SEC Release",
        date(2020, 6, 25),
        "scheduled",
        JUNE_2020_RELEASE_NOTICE,
        refs=("SECMP0053", "SECMP0062"),
        summary=(
            "The DCC proposed on 9 March 2020 to bring the implementation date forward from "
            "25 June 2020 to 6 May 2020; the Panel was to consider it on 13 March 2020. "
            "SECMP0062 part 1 is in this release."
        ),
    ),
    R(
        "2020-07-23",
        "Ad-hoc SEC Release \u2013 MP135 implemented",
        date(2020, 7, 23),
        "ad-hoc",
        RELEASES_PAGE_2020,
        refs=("MP135",),
        # The notice says "Schedule G"; its redlining is of Section G.
        documents=(Doc("Section G \u2018Security\u2019", True, True, None),),
        published_on=date(2020, 7, 23),
    ),
    R(
        "2020-11",
        "November 2020 SEC Release",
        date(2020, 11, 29),
        "scheduled",
        RELEASES_PAGE_2020,
        sec_version="27.0",
        refs=NOVEMBER_2020_REFS,
        documents=NOVEMBER_2020_DOCUMENTS,
        published_on=date(2020, 11, 27),
        summary=(
            "18 Modification Proposals as well as the designation/re-designation of SEC "
            "Subsidiary Documents by the Department for Business, Energy and Industrial Strategy "
            "(BEIS)."
        ),
    ),
    R(
        "2022-02",
        "February 2022 SEC Release",
        date(2022, 2, 24),
        "scheduled",
        NEWSLETTER_2022_01,
        summary="Text only changes to the SEC.",
    ),
    R(
        "2022-06",
        "June 2022 SEC Release",
        date(2022, 6, 30),
        "scheduled",
        NEWSLETTER_2022_01,
        refs=("SECMP0015", "SECMP0024", "MP104"),
    ),
)
