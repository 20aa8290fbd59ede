"""Hold the go-live dates and the Panel date on the 2020 SEC Release news page."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.calendar.domain.model import EventDraft, EventStatus
from services.calendar.seed.builders import closing, go_live, item, meeting

SOURCE = "sec-release-news-2020"
PUBLISHED_AT = datetime(2020, 11, 27, 9, 0, tzinfo=UTC)

NOVEMBER_2020_MODIFICATIONS = (
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


def drafts() -> list[EventDraft]:
    """Return the page's release go-lives and the Panel meeting it names."""
    return [
        go_live(
            release_id="2020-11",
            name="November 2020 SEC Release",
            day=date(2020, 11, 29),
            description=(
                "SEC version 27.0 comes into effect: 18 Modification Proposals and the "
                "designation/re-designation of SEC Subsidiary Documents by BEIS."
            ),
            modifications=NOVEMBER_2020_MODIFICATIONS,
        ),
        go_live(
            release_id="2020-07-23",
            name="Ad-hoc SEC Release (MP135)",
            day=date(2020, 7, 23),
            description="Implements MP135 'Correcting equivalence in Security Standards'.",
            modifications=("MP135",),
        ),
        go_live(
            release_id="2020-05-29",
            name="Ad-hoc SEC Release (MP123)",
            day=date(2020, 5, 29),
            description="Implements MP123 'IVP realignment of SMETS2 v2.0 and v3.1'.",
            modifications=("MP123",),
        ),
        go_live(
            release_id="2020-05-27",
            name="Ad-hoc SEC Release (MP130)",
            day=date(2020, 5, 27),
            description="Implements MP130 'CH order and delivery changes due to COVID-19'.",
            modifications=("MP130",),
        ),
        go_live(
            release_id="2020-04-03",
            name="SMETS1 SVTAD update",
            day=date(2020, 4, 3),
            description=(
                "The DCC's update to SEC Appendix AK 'SEC Variation Testing Approach Document "
                "for SMETS1 Services' comes into effect."
            ),
        ),
        go_live(
            release_id="2020-02",
            name="February 2020 SEC Release",
            day=date(2020, 2, 27),
            description="Implements three modifications; every SEC document gets its own version.",
        ),
        go_live(
            release_id="2020-01-31",
            name="SEC version 6.24 (SECMP0069)",
            day=date(2020, 1, 31),
            description="Implements SECMP0069 'EU Exit Changes' as an ad-hoc SEC Release.",
            modifications=("SECMP0069",),
        ),
        go_live(
            release_id="2020-06",
            name="June 2020 SEC Release",
            day=date(2020, 6, 25),
            description=(
                "The DCC proposed on 9 March 2020 to bring this release forward from 25 June "
                "2020 to 6 May 2020; the Panel considered the request on 13 March 2020."
            ),
            modifications=("SECMP0062", "SECMP0053"),
            status=EventStatus.TENTATIVE,
        ),
        closing(
            consultation_id="june-2020-release-date-2020-03",
            title="Comments close: moving the June 2020 SEC Release implementation date",
            day=date(2020, 3, 12),
            at="17:00",
            description=(
                "Tell sec.change@gemserv.com by close of play whether bringing the June 2020 "
                "SEC Release forward to 6 May 2020 would adversely affect you."
            ),
        ),
        meeting(
            source=SOURCE,
            committee="sec-panel",
            title="SEC Panel meeting",
            day=date(2020, 3, 13),
            agenda=(
                item(
                    "DCC request to move the June 2020 SEC Release implementation date",
                    "SECMP0062",
                    "SECMP0053",
                ),
            ),
        ),
    ]
