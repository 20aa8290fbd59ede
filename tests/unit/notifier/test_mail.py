"""Specify the headers, parts, escaping and guards of composed emails."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from services.notifier.domain.errors import NotEntitled
from services.notifier.domain.mail import message_id, render_alert, render_confirmation
from services.notifier.domain.subscriptions import (
    Subscription,
    new_subscription,
    subscription_request,
)

from .samples import DOMAIN, ICS, LINKS, NOW, SECRET, SENDER, confirmed, consultation, meeting


def _alert(
    data_event: dict[str, object],
    *,
    ics: bytes | None = ICS,
    event_id: str = "evt-1",
    subscription: Subscription | None = None,
) -> EmailMessage:
    return render_alert(
        "calendar.event.created",
        {"event": data_event},
        subscription or confirmed(["all"]),
        LINKS,
        ics,
        event_id=event_id,
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )


def test_alert_carries_list_and_one_click_unsubscribe_headers() -> None:
    message = _alert(meeting())
    assert message["List-Id"] == "SEC alerts <sec-alerts.secas.example.org>"
    assert message["List-Unsubscribe"] == f"<{LINKS.unsubscribe_url}>, <{LINKS.unsubscribe_mailto}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"] == "SEC alerts <alerts@secas.example.org>"
    assert message["To"] == "member@example.org"
    assert message["Date"] == "Mon, 24 Jan 2022 09:00:00 +0000"


def test_message_id_is_stable_per_event_and_subscriber() -> None:
    subscriber = confirmed(["all"])
    first = _alert(meeting(), subscription=subscriber)
    retry = _alert(meeting(), subscription=subscriber)
    other_event = _alert(meeting(), subscription=subscriber, event_id="evt-2")
    assert first["Message-ID"] == retry["Message-ID"]
    assert first["Message-ID"] != other_event["Message-ID"]
    assert first["Message-ID"] == message_id("evt-1", subscriber.id, DOMAIN)
    assert message_id("evt-1", "a", DOMAIN) != message_id("evt-1", "b", DOMAIN)


def test_alert_is_plain_text_and_html_alternatives() -> None:
    message = _alert(meeting(), ics=None)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_meeting_alert_attaches_the_ics_as_publish() -> None:
    message = _alert(meeting())
    assert message.get_content_type() == "multipart/mixed"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "event.ics"
    assert attachment.get_content() == ICS.decode()


def test_html_escapes_markup_in_titles_and_descriptions() -> None:
    message = _alert(meeting(title="<script>alert(1)</script>", description="<b>bold</b>"))
    html = message.get_body(("html",))
    assert html is not None
    body = html.get_content()
    assert "<script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


def test_plain_text_is_not_html_escaped() -> None:
    text = _alert(meeting(title="Fish & Chips <Forum>")).get_body(("plain",))
    assert text is not None
    assert "Fish & Chips <Forum>" in text.get_content()


def test_javascript_urls_never_become_links() -> None:
    html = _alert(meeting(url="javascript:alert(1)", online_url="javascript:x")).get_body(("html",))
    assert html is not None
    assert "javascript:" not in html.get_content()


def test_line_breaks_in_a_title_cannot_inject_headers() -> None:
    message = _alert(meeting(title="Panel\r\nBcc: victim@example.org"))
    raw = message.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None
    assert "\n" not in str(parsed["Subject"])


def test_times_are_shown_on_the_london_clock_in_summer() -> None:
    summer = meeting(starts_at="2022-06-15T09:00:00+00:00", ends_at="2022-06-15T12:00:00+00:00")
    text = _alert(summer).get_body(("plain",))
    assert text is not None
    assert "Wednesday 15 June 2022, 10:00am to 1:00pm" in text.get_content()


def test_consultation_subject_names_the_closing_date() -> None:
    message = render_alert(
        "registry.consultation.opened",
        {"consultation": consultation()},
        confirmed(["consultations"]),
        LINKS,
        None,
        event_id="c1",
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )
    assert (
        message["Subject"]
        == "Consultation open until 4 February 2022: MP192 Refinement Consultation"
    )


def test_green_content_is_refused_for_an_unverified_subscriber() -> None:
    with pytest.raises(NotEntitled):
        _alert(meeting(classification="green"))


def test_green_content_to_a_party_is_marked_green() -> None:
    message = _alert(
        meeting(classification="green"), subscription=confirmed(["all"], verified_party=True)
    )
    text = message.get_body(("plain",))
    assert text is not None
    assert text.get_content().startswith("GREEN: for SEC Parties only")


@pytest.mark.parametrize("level", ["amber", "red"])
def test_amber_and_red_are_never_emailed(level: str) -> None:
    with pytest.raises(NotEntitled):
        _alert(meeting(classification=level), subscription=confirmed(["all"], verified_party=True))


def test_unconfirmed_address_gets_no_alert() -> None:
    pending = new_subscription(
        subscription_request("a@example.org", ["all"]), now=NOW, feed_secret=SECRET
    )
    with pytest.raises(NotEntitled, match="unconfirmed"):
        _alert(meeting(), subscription=pending)


def test_confirmation_email_has_no_unsubscribe_headers_and_a_new_id_per_request() -> None:
    pending = new_subscription(
        subscription_request("a@example.org", ["all"]), now=NOW, feed_secret=SECRET
    )
    expires = datetime(2022, 1, 31, 9, 0, tzinfo=UTC)
    message = render_confirmation(
        pending,
        "https://x.example.org/c?t=1",
        expires,
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )
    assert message["List-Unsubscribe"] is None
    assert message["Subject"] == "Confirm your subscription to SEC alerts"
    again = render_confirmation(
        replace(pending, version=pending.version + 1),
        "https://x.example.org/c?t=1",
        expires,
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )
    assert again["Message-ID"] != message["Message-ID"]
