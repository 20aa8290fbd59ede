"""Render every email template from fixed data and compare with the golden files.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/unit/notifier`
and review the diff like any other code change.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from services.notifier.domain.alerts import EmailKind
from services.notifier.domain.digests import DigestItem, build_digest
from services.notifier.domain.mail import (
    render_alert,
    render_confirmation,
    render_digest,
    render_reminder,
)
from services.notifier.domain.reminders import due_reminders
from services.notifier.domain.subscriptions import new_subscription, subscription_request

from .samples import (
    DOMAIN,
    ICS,
    LINKS,
    NOW,
    SECRET,
    SENDER,
    confirmed,
    consultation,
    decision,
    draft_proposal,
    meeting,
    modification,
    release,
    status_changed,
    webinar,
)

GOLDEN = Path(__file__).parent / "golden"
SUBSCRIBER = confirmed(["all", "committee:change-board", "modification:MP192"])


def _alert(event_type: str, data: Mapping[str, Any], ics: bytes | None = None) -> EmailMessage:
    return render_alert(
        event_type,
        data,
        SUBSCRIBER,
        LINKS,
        ics,
        event_id="evt-0001",
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )


def _moved() -> EmailMessage:
    data = {
        "event": meeting(
            starts_at="2022-02-23T10:00:00+00:00", ends_at="2022-02-23T13:00:00+00:00", sequence=1
        ),
        "changed": ["starts_at", "ends_at"],
        "previous": {
            "starts_at": "2022-01-26T10:00:00+00:00",
            "ends_at": "2022-01-26T13:00:00+00:00",
            "location": "8 Fenchurch Place, London EC3M 4AJ",
        },
    }
    return _alert("calendar.event.updated", data, ICS)


def _reminder(at: datetime, kind_index: int = 0) -> EmailMessage:
    reminders = due_reminders(at, [consultation()], [meeting()])
    return render_reminder(
        reminders[kind_index],
        SUBSCRIBER,
        LINKS,
        None,
        sender=SENDER,
        sent_at=at,
        message_id_domain=DOMAIN,
    )


def _confirmation() -> EmailMessage:
    pending = new_subscription(
        subscription_request(
            "jane@example.org", ["committee:change-board", "consultations"], "daily"
        ),
        now=NOW,
        feed_secret=SECRET,
    )
    return render_confirmation(
        pending,
        "https://alerts.secas.example.org/subscriptions/confirm?token=CONFIRM",
        datetime(2022, 1, 31, 9, 0, tzinfo=UTC),
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )


def _digest() -> EmailMessage:
    start = datetime(2022, 1, 17, 7, 0, tzinfo=UTC)
    items = [
        DigestItem("e1", "calendar.event.created", {"event": meeting()}, start),
        DigestItem("e2", "calendar.event.created", {"event": webinar()}, start),
        DigestItem(
            "e3", "registry.modification.created", {"modification": draft_proposal()}, start
        ),
        DigestItem("e4", "registry.consultation.opened", {"consultation": consultation()}, start),
        DigestItem(
            "e5",
            "registry.modification.status_changed",
            status_changed(changed_at="2022-01-17T12:00:00+00:00"),
            start,
        ),
        DigestItem(
            "e6",
            "registry.release.scheduled",
            {
                "release": release(
                    name="February 2022 SEC Release",
                    sec_version="28.0",
                    effective_date="2022-02-24",
                )
            },
            start,
        ),
    ]
    subscriber = confirmed(["all"], digest="weekly")
    digest = build_digest(subscriber, items, start, NOW, {})
    assert digest is not None
    return render_digest(
        digest, subscriber, LINKS, sender=SENDER, sent_at=NOW, message_id_domain=DOMAIN
    )


CASES: dict[str, Callable[[], EmailMessage]] = {
    "event_created_meeting": lambda: _alert("calendar.event.created", {"event": meeting()}, ICS),
    "event_created_webinar": lambda: _alert("calendar.event.created", {"event": webinar()}, ICS),
    "event_updated_moved": _moved,
    "event_cancelled": lambda: _alert(
        "calendar.event.cancelled",
        {"event": meeting(status="cancelled", sequence=2), "reason": "Not quorate."},
        ICS,
    ),
    "consultation_opened": lambda: _alert(
        "registry.consultation.opened", {"consultation": consultation()}
    ),
    "consultation_rescheduled": lambda: _alert(
        "registry.consultation.closing",
        {"consultation": consultation(closes_at="2022-02-11T17:00:00+00:00")},
    ),
    "consultation_closed": lambda: _alert(
        "registry.consultation.closed", {"consultation": consultation(status="closed")}
    ),
    "consultation_reminder": lambda: _reminder(datetime(2022, 2, 1, 17, 0, tzinfo=UTC)),
    "meeting_reminder": lambda: _reminder(datetime(2022, 1, 25, 9, 0, tzinfo=UTC)),
    "modification_created_draft": lambda: _alert(
        "registry.modification.created", {"modification": draft_proposal()}
    ),
    "status_changed": lambda: _alert(
        "registry.modification.status_changed",
        status_changed(),
    ),
    "decision_recorded": lambda: _alert(
        "registry.decision.recorded", {"decision": decision(), "modification": modification()}
    ),
    "release_scheduled": lambda: _alert(
        "registry.release.scheduled", {"release": release(effective_date="2020-11-29")}
    ),
    "release_published": lambda: _alert("registry.release.published", {"release": release()}),
    "confirmation": _confirmation,
    "digest": _digest,
}


def test_every_email_kind_has_a_golden_case() -> None:
    for kind in EmailKind:
        assert any(name.startswith(kind.value) for name in CASES), kind


def _check(path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("UPDATE_GOLDEN") != "1":
            pytest.fail(f"missing golden file {path.name}; run with UPDATE_GOLDEN=1 to create it")
        path.write_text(actual, encoding="utf-8")
        return
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs; see the diff above"


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_email_matches_golden_file(name: str) -> None:
    message = CASES[name]()
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    header = f"Subject: {message['Subject']}\n\n"
    _check(GOLDEN / f"{name}.txt", header + text.get_content())
    _check(GOLDEN / f"{name}.html", html.get_content())
