"""Specify every email kind's bytes as they leave: headers, line lengths, parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import quote

import pytest

from services.notifier.domain.mail import (
    Links,
    StructuredHeaderError,
    render_alert,
    render_confirmation,
    wire_bytes,
)
from services.notifier.domain.subscriptions import new_subscription, subscription_request
from services.notifier.domain.tokens import TokenPurpose, make_token

from .samples import DOMAIN, ICS, NOW, SECRET, SENDER, confirmed, meeting
from .test_golden import CASES
from .wire import (
    check_wire_rules,
    decoded,
    header,
    parts,
    raw_headers,
    structure,
    text_says_what_html_says,
    unsubscribe_uris,
)

# As long as a real token gets: a 64-character id and nonce, behind a long public URL.
BASE = "https://secas-alerts.notifications.smartenergycodecompany.example.co.uk/sec-alerts"
TOKEN = make_token(
    SECRET, TokenPurpose.UNSUBSCRIBE, "s" * 64, NOW + timedelta(days=400), nonce="n" * 64
)
LONG_LINKS = Links(
    manage_url=f"{BASE}/subscriptions/manage?token={TOKEN.replace('unsubscribe', 'manage')}",
    unsubscribe_url=f"{BASE}/unsubscribe?token={TOKEN}",
    unsubscribe_mailto=(
        f"mailto:unsubscribe@smartenergycodecompany.example.co.uk"
        f"?subject={quote('unsubscribe ' + TOKEN)}"
    ),
)


def _alert(data_event: dict[str, object], links: Links = LONG_LINKS) -> EmailMessage:
    return render_alert(
        "calendar.event.created",
        {"event": data_event},
        confirmed(["all"]),
        links,
        ICS,
        event_id="evt-1",
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )


def test_list_unsubscribe_with_a_long_token_is_plain_uris_folded_at_whitespace() -> None:
    raw = wire_bytes(_alert(meeting()))
    check_wire_rules(raw)
    [value] = raw_headers(raw)["list-unsubscribe"]
    assert b"=?" not in value
    # Folded where the header has a space, between the two URIs, and nowhere else.
    assert value.count(b"\r\n") <= 1
    assert unsubscribe_uris(raw) == (LONG_LINKS.unsubscribe_url, LONG_LINKS.unsubscribe_mailto)
    assert len(TOKEN) > 150


def test_list_unsubscribe_puts_the_one_click_https_uri_first() -> None:
    raw = wire_bytes(_alert(meeting()))
    https, mailto = unsubscribe_uris(raw)
    assert https.startswith(f"{BASE}/unsubscribe?token=")
    assert mailto.startswith("mailto:")


def test_a_structured_header_word_longer_than_a_line_is_refused_not_encoded() -> None:
    huge = Links(
        manage_url="https://x.example.org/m",
        unsubscribe_url="https://x.example.org/u?token=" + "A" * 1000,
        unsubscribe_mailto="mailto:u@x.example.org",
    )
    with pytest.raises(StructuredHeaderError):
        wire_bytes(_alert(meeting(), huge))


def test_a_non_ascii_subject_is_encoded_words_and_structured_headers_are_not() -> None:
    raw = wire_bytes(_alert(meeting(title="Réunion du Change Board — " + "très " * 30)))
    check_wire_rules(raw)
    assert "=?utf-8?" in header(raw, "Subject")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_email_kind_keeps_the_wire_rules(name: str) -> None:
    raw = wire_bytes(CASES[name]())
    check_wire_rules(raw, with_unsubscribe=name != "confirmation")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_email_kind_has_a_text_part_saying_what_the_html_says(name: str) -> None:
    raw = wire_bytes(CASES[name]())
    kinds = structure(raw)
    assert "multipart/alternative" in kinds
    alternative = kinds.index("multipart/alternative")
    assert kinds[alternative + 1 : alternative + 3] == ["text/plain", "text/html"]
    found = parts(raw)
    text_says_what_html_says(decoded(found["text/plain"]), decoded(found["text/html"]))


def test_meeting_alert_carries_the_calendar_part_as_publish() -> None:
    raw = wire_bytes(_alert(meeting()))
    calendar = parts(raw)["text/calendar"]
    assert calendar.get_param("method") == "PUBLISH"
    assert decoded(calendar) == ICS.decode()


def test_confirmation_with_a_long_link_keeps_the_wire_rules() -> None:
    pending = new_subscription(
        subscription_request("a@example.org", ["all"]), now=NOW, feed_secret=SECRET
    )
    message = render_confirmation(
        pending,
        f"{BASE}/subscriptions/confirm?token={TOKEN}",
        datetime(2022, 1, 31, 9, 0, tzinfo=UTC),
        sender=SENDER,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )
    check_wire_rules(wire_bytes(message), with_unsubscribe=False)
