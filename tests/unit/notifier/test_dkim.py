"""Specify DKIM signing: what is signed, how the key is configured, what DNS must publish."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import dkim
import pytest
from pydantic import ValidationError

from services.notifier.adapters.smtp import DkimSigner
from services.notifier.domain.mail import wire_bytes
from shared.dev.run import dkim_txt_record, new_dkim_key, zone_line
from shared.settings import NotifierSettings

from .test_golden import CASES
from .wire import header

SELECTOR = "sec2027"
DOMAIN = "sec.example.org"


@functools.cache
def _key() -> bytes:
    return new_dkim_key()


def dns_for(private_pem: bytes, selector: str, domain: str) -> Callable[..., bytes | None]:
    """Return a dkimpy dnsfunc answering only the key record `make run` prints."""
    record = dkim_txt_record(private_pem).encode()

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        del timeout
        return record if name == f"{selector}._domainkey.{domain}.".encode() else None

    return lookup


def _settings(**overrides: object) -> NotifierSettings:
    values: dict[str, object] = {"secret_key": "k" * 32, **overrides}
    return NotifierSettings(**values)  # type: ignore[arg-type]


def _signer() -> DkimSigner:
    signer = DkimSigner.from_settings(
        _settings(dkim_private_key=_key().decode(), dkim_selector=SELECTOR)
    )
    assert signer is not None
    return signer


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_email_kind_is_signed_so_that_a_receiver_verifies_it(name: str) -> None:
    signed = _signer().sign(wire_bytes(CASES[name]()))
    assert dkim.verify(signed, dnsfunc=dns_for(_key(), SELECTOR, DOMAIN))


def test_signature_covers_the_one_click_headers_and_what_a_reader_trusts() -> None:
    signed = _signer().sign(wire_bytes(CASES["status_changed"]()))
    tags = dict(
        part.strip().split("=", 1)
        for part in "".join(header(signed, "DKIM-Signature").split()).split(";")
        if part
    )
    assert tags["d"] == DOMAIN
    assert tags["s"] == SELECTOR
    assert tags["a"] == "rsa-sha256"
    assert tags["c"] == "relaxed/relaxed"
    signed_headers = set(tags["h"].lower().split(":"))
    assert {"from", "to", "subject", "date", "message-id"} <= signed_headers
    assert {"list-unsubscribe", "list-unsubscribe-post", "list-id"} <= signed_headers


def test_a_changed_message_fails_verification() -> None:
    signed = _signer().sign(wire_bytes(CASES["status_changed"]()))
    tampered = signed.replace(b"Report Phase", b"Withdrawn", 1)
    assert tampered != signed
    assert not dkim.verify(tampered, dnsfunc=dns_for(_key(), SELECTOR, DOMAIN))


def test_key_from_a_pem_file_or_inline_with_escaped_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "dkim.pem"
    path.write_bytes(_key())
    escaped = _key().decode().replace("\n", "\\n")
    for configured in (str(path), escaped):
        signer = DkimSigner.from_settings(
            _settings(dkim_private_key=configured, dkim_selector=SELECTOR)
        )
        assert signer is not None
        assert signer.private_key.strip() == _key().strip()


def test_the_private_key_stays_out_of_the_signer_repr() -> None:
    signer = _signer()
    assert "PRIVATE" not in repr(signer)
    assert SELECTOR in repr(signer)


def test_d_is_the_from_domain_unless_configured() -> None:
    signer = DkimSigner.from_settings(
        _settings(
            dkim_private_key=_key().decode(),
            dkim_selector=SELECTOR,
            mail_from="SEC alerts <alerts@mail.secas.example.net>",
        )
    )
    assert signer is not None
    assert signer.domain == "mail.secas.example.net"
    configured = DkimSigner.from_settings(
        _settings(dkim_private_key=_key().decode(), dkim_selector=SELECTOR, dkim_domain="X.org")
    )
    assert configured is not None
    assert configured.domain == "x.org"


def test_unconfigured_signing_is_off_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING"):
        assert DkimSigner.from_settings(_settings()) is None
    assert "DKIM signing is off" in caplog.text


def test_half_a_configuration_is_refused() -> None:
    with pytest.raises(ValidationError, match="together"):
        _settings(dkim_selector=SELECTOR)
    with pytest.raises(ValidationError, match="together"):
        _settings(dkim_private_key=_key().decode())


@pytest.mark.parametrize(
    "configured",
    [
        "-----BEGIN RSA PRIVATE KEY-----\nbm9wZQ==\n-----END RSA PRIVATE KEY-----",
        "/nonexistent/dkim.pem",
    ],
)
def test_a_key_that_is_not_a_usable_key_is_refused_at_start_up(configured: str) -> None:
    with pytest.raises(ValueError, match="DKIM_PRIVATE_KEY"):
        DkimSigner.from_settings(_settings(dkim_private_key=configured, dkim_selector=SELECTOR))


def test_the_printed_dns_record_is_in_strings_of_at_most_255_octets() -> None:
    line = zone_line(SELECTOR, DOMAIN, dkim_txt_record(_key()))
    assert line.startswith(f"{SELECTOR}._domainkey.{DOMAIN}. IN TXT ( ")
    strings = line.split("( ", 1)[1].rstrip(" )").split('" "')
    assert all(len(s.strip('"')) <= 255 for s in strings)
    assert "".join(s.strip('"') for s in strings) == dkim_txt_record(_key())
