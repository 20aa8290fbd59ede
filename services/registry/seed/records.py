"""Describe the seed's raw records and the documents they come from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time


@dataclass(frozen=True, slots=True)
class Source:
    """A seed document: what it is and the date its statuses hold for."""

    key: str
    title: str
    dated: date


PANEL_MINUTES_2016_06 = Source(
    "panel-33-minutes", "SEC Panel Meeting 33 (SECP_33_1706) Final Minutes", date(2016, 6, 17)
)
DCUSA_UPDATE_2017_05 = Source(
    "dcusa-sec-update-2017-05",
    "Smart Energy Code (SEC) Update to the DCUSA Panel",
    date(2017, 5, 10),
)
RELEASES_PAGE_2020 = Source(
    "sec-release-news-2020",
    "SEC Release news: SEC v27.0 and earlier 2020 releases",
    date(2020, 11, 27),
)
JUNE_2020_RELEASE_NOTICE = Source(
    "june-2020-release-date-proposal",
    "Proposal to move the June 2020 SEC Release implementation date",
    date(2020, 3, 9),
)
# The newsletter carries only its month; it went out before its first
# deadline (questions by 5pm on 24 January), so the 20th is assumed.
NEWSLETTER_2022_01 = Source(
    "sec-newsletter-2022-01", "SEC Newsletter January 2022", date(2022, 1, 20)
)

SOURCES: tuple[Source, ...] = (
    PANEL_MINUTES_2016_06,
    DCUSA_UPDATE_2017_05,
    JUNE_2020_RELEASE_NOTICE,
    RELEASES_PAGE_2020,
    NEWSLETTER_2022_01,
)


@dataclass(frozen=True, slots=True)
class Observation:
    """A status a document gives a modification on its date."""

    status: str
    source: Source
    as_of: date | None = None

    @property
    def on(self) -> date:
        return self.as_of or self.source.dated


@dataclass(frozen=True, slots=True)
class ModificationRecord:
    """A modification as the documents describe it; `seen` is oldest first."""

    ref: str
    title: str
    seen: tuple[Observation, ...]
    summary: str = ""
    path: str | None = None
    working_group: str | None = None
    high_impact: bool = False
    documents: tuple[str, ...] = ()
    irps: tuple[str, ...] = ()
    release: str | None = None


@dataclass(frozen=True, slots=True)
class ConsultationRecord:
    id: str
    title: str
    kind: str
    closes_on: date
    respond_to: str
    source: Source
    closes_at_time: time = time(17, 0)
    opens_on: date | None = None
    modification_ref: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    ref: str
    body: str
    outcome: str
    decided_on: date
    summary: str
    vote: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    document: str
    codeworks: bool | None
    sec_modification: bool | None
    beis_designation: bool | None


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    id: str
    name: str
    effective_date: date
    kind: str
    source: Source
    sec_version: str | None = None
    refs: tuple[str, ...] = ()
    documents: tuple[DocumentRecord, ...] = ()
    published_on: date | None = None
    summary: str = ""
