"""Specify how subscriber addresses are validated and normalised."""

from __future__ import annotations

import pytest

from services.notifier.domain.addresses import email_hash, normalise_email
from services.notifier.domain.errors import InvalidEmailAddress


def test_address_is_trimmed_and_lower_cased() -> None:
    assert normalise_email("  Jane.Doe@Example.ORG ") == "jane.doe@example.org"


def test_international_domain_is_stored_as_punycode() -> None:
    assert normalise_email("x@münchen.de") == "x@xn--mnchen-3ya.de"


@pytest.mark.parametrize(
    "attack",
    [
        "a@b.com\r\nBcc: x@y.com",
        "a@b.com\nBcc: x@y.com",
        "a@b.com\rX-Injected: 1",
        "a@b.com\x00",
    ],
)
def test_header_injection_with_line_breaks_is_rejected(attack: str) -> None:
    with pytest.raises(InvalidEmailAddress, match="line breaks"):
        normalise_email(attack)


@pytest.mark.parametrize("several", ["a@b.com, c@d.com", "a@b.com;c@d.com"])
def test_several_addresses_in_one_are_rejected(several: str) -> None:
    with pytest.raises(InvalidEmailAddress, match="exactly one"):
        normalise_email(several)


@pytest.mark.parametrize(
    "tricky", ["Bank <a@example.org>", '"a@evil.example" <a@example.org>', "<a@example.org>"]
)
def test_display_name_tricks_are_rejected(tricky: str) -> None:
    with pytest.raises(InvalidEmailAddress, match="display name"):
        normalise_email(tricky)


@pytest.mark.parametrize(
    "malformed", ["", "plainaddress", "a@", "@example.org", "a@localhost", "a b@example.org"]
)
def test_malformed_addresses_are_rejected(malformed: str) -> None:
    with pytest.raises(InvalidEmailAddress):
        normalise_email(malformed)


def test_overlong_input_is_rejected_before_parsing() -> None:
    with pytest.raises(InvalidEmailAddress, match="320"):
        normalise_email("a" * 400 + "@example.org")


def test_same_person_gets_one_suppression_hash_whatever_the_case() -> None:
    assert email_hash(normalise_email("JANE@example.org")) == email_hash(
        normalise_email("jane@EXAMPLE.org")
    )
    assert len(email_hash(normalise_email("jane@example.org"))) == 64
