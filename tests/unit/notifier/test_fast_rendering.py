"""What makes a fan-out's emails cheaper to render changes none of what they say."""

from __future__ import annotations

import re
import uuid
from email import policy as email_policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from typing import Any, cast

import pytest

from services.notifier.domain import mail, subscriptions
from services.notifier.domain.mail import Links, render_alert, wire_bytes
from services.notifier.domain.subscriptions import Subscription

from .samples import DOMAIN, LINKS, NOW, SENDER, confirmed, status_changed
from .test_golden import CASES

BOUNDARY = re.compile(rb'boundary="([^"]+)"')


def _without_boundaries(raw: bytes) -> bytes:
    """Replace each multipart's random boundary by its position, so two renders compare."""
    for number, boundary in enumerate(BOUNDARY.findall(raw)):
        raw = raw.replace(boundary, b"BOUNDARY-%d" % number)
    return raw


def _status_alert(
    data: dict[str, Any],
    subscription: Subscription,
    links: Links = LINKS,
    sender: mail.Sender = SENDER,
    event_id: str = "evt-1",
) -> EmailMessage:
    return render_alert(
        "registry.modification.status_changed",
        data,
        subscription,
        links,
        None,
        event_id=event_id,
        sender=sender,
        sent_at=NOW,
        message_id_domain=DOMAIN,
    )


def _stdlib_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render with the stdlib registry: a new header class and a fresh parse every time."""
    registry = HeaderRegistry()
    for name in mail.STRUCTURED_HEADERS:
        registry.map_to_type(name, cast(type[BaseHeader], mail.WhitespaceFoldedHeader))
    policy = email_policy.default.clone(header_factory=registry, cte_type="7bit")
    monkeypatch.setattr(mail, "MAIL_POLICY", policy)
    monkeypatch.setattr(mail, "WIRE_POLICY", policy.clone(linesep="\r\n"))


def _same_subscriptions_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the subscriptions a case makes the same id, nonce and salt on every render."""
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=1))
    monkeypatch.setattr(subscriptions, "new_nonce", lambda: "nonce")
    monkeypatch.setattr(subscriptions, "new_feed_salt", lambda: "salt")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_email_kind_has_the_bytes_the_stdlib_registry_gives(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _same_subscriptions_each_time(monkeypatch)
    # Twice with reuse, so the second render takes its headers from the cache.
    first = _without_boundaries(wire_bytes(CASES[name]()))
    reused = _without_boundaries(wire_bytes(CASES[name]()))
    _stdlib_policies(monkeypatch)
    parsed_afresh = _without_boundaries(wire_bytes(CASES[name]()))
    assert first == reused == parsed_afresh


def test_each_subscriber_keeps_their_own_headers_when_renders_alternate() -> None:
    people = [confirmed(["modification:MP192"]), confirmed(["all"])]
    links = [
        LINKS,
        Links(
            manage_url="https://alerts.secas.example.org/subscriptions/manage?token=OTHER",
            unsubscribe_url="https://alerts.secas.example.org/unsubscribe?token=OTHER",
            unsubscribe_mailto="mailto:unsubscribe@secas.example.org?subject=unsubscribe%20OTHER",
        ),
    ]

    def render(index: int, event_id: str) -> tuple[str, str, str]:
        message = _status_alert(status_changed(), people[index], links[index], event_id=event_id)
        return message["To"], message["Message-ID"], message["List-Unsubscribe"]

    first = [render(0, "evt-1"), render(1, "evt-1"), render(0, "evt-2")]
    assert first[0][2] != first[1][2]  # their own unsubscribe links
    assert first[0][1] != first[1][1] != first[2][1]  # one Message-ID per event and person
    assert first[0][2] == first[2][2]
    assert [render(0, "evt-1"), render(1, "evt-1"), render(0, "evt-2")] == first


@pytest.mark.parametrize(
    "name", ["SEC alerts", "SEC alerts, Smart Energy Code", 'The "SEC" — Ünïcode alerts']
)
def test_the_from_header_names_the_sender_as_given(name: str) -> None:
    sender = mail.Sender("alerts@secas.example.org", name)
    message = _status_alert(status_changed(), confirmed(["all"]), sender=sender)
    [address] = message["From"].addresses
    assert (address.display_name, address.addr_spec) == (name, sender.address)
    assert wire_bytes(message).isascii()


def test_a_boundary_is_never_in_a_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail, "_BOUNDARIES", mail._Boundaries())
    tokens = iter(["a" * 32, "b" * 32])
    monkeypatch.setattr(mail.secrets, "token_hex", lambda _: next(tokens))
    reason = "The first boundary tried is quoted here: =_" + "a" * 32
    message = _status_alert(status_changed(reason=reason), confirmed(["all"]))
    assert message.get_boundary() == "=_" + "b" * 32
    assert reason in message.get_body(("plain",)).get_content()


def test_a_fan_out_shares_its_boundary_until_a_body_holds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mail, "_BOUNDARIES", mail._Boundaries())
    tokens = iter(["a" * 32, "b" * 32])
    monkeypatch.setattr(mail.secrets, "token_hex", lambda _: next(tokens))
    first = _status_alert(status_changed(), confirmed(["all"]))
    second = _status_alert(status_changed(), confirmed(["all"]))
    quoting = _status_alert(status_changed(reason="see =_" + "a" * 32), confirmed(["all"]))
    assert first.get_boundary() == second.get_boundary() == "=_" + "a" * 32
    assert quoting.get_boundary() == "=_" + "b" * 32


def test_a_calendar_alert_nests_two_different_boundaries() -> None:
    message = CASES["event_created_meeting"]()
    [alternative] = [part for part in message.walk() if part.get_content_subtype() == "alternative"]
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_boundary() != alternative.get_boundary()
    assert not message.get_boundary().startswith(alternative.get_boundary())
