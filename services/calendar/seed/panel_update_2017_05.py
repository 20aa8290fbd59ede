"""Hold the dated entries of the May 2017 SEC update paper to the DCUSA Panel."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.calendar.domain.model import EventDraft
from services.calendar.seed.builders import go_live, item, meeting
from shared.contracts.vocabulary import EventType

SOURCE = "panel-update-2017-05"
PUBLISHED_AT = datetime(2017, 5, 10, 9, 0, tzinfo=UTC)


def drafts() -> list[EventDraft]:
    """Return the seminar, the meetings and the go-live the paper dates."""
    return [
        meeting(
            source=SOURCE,
            slug="spotlight-on-the-sec-sheffield",
            title="Spotlight on the SEC seminar - Sheffield",
            event_type=EventType.SEMINAR,
            day=date(2017, 5, 18),
            location="Sheffield",
            description=(
                "The quarterly SECAS seminar, held outside London for the first time, with DCC "
                "presenters: general updates on the Code, becoming a DCC User, and the Security "
                "and Privacy requirements of the SEC. To attend, contact SECAS@gemserv.com."
            ),
        ),
        meeting(
            source=SOURCE,
            committee="change-board",
            title="Change Board meeting",
            day=date(2017, 4, 19),
            description="The Change Board voted on five Modification Proposals.",
            agenda=(
                item(
                    "Path 2 votes (recommendations to the Authority)",
                    "SECMP0004",
                    "SECMP0008",
                    "SECMP0011",
                ),
                item("Path 3 votes (self-governance)", "SECMP0021", "SECMP0033"),
            ),
        ),
        # The paper says the May 2017 Modification Status Report is on the
        # "SEC Panel Meeting 44" page and that the next Panel meets on 12 May 2017.
        meeting(
            source=SOURCE,
            committee="sec-panel",
            number="44",
            title="SEC Panel Meeting 44",
            day=date(2017, 5, 12),
            agenda=(
                item("SECMP0035 Initial Modification Report", "SECMP0035"),
                item("Referral of the Change Board decision on SECMP0021", "SECMP0021"),
                item("Modification and Release Status Report - May 2017"),
            ),
        ),
        go_live(
            release_id="2017-05-11",
            name="SEC 5.7 (SECMP0033)",
            day=date(2017, 5, 11),
            description="SECMP0033 'Update to CH Handover Support Materials' is implemented.",
            modifications=("SECMP0033",),
        ),
    ]
