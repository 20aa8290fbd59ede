"""Validate and normalise subscriber email addresses and hash them for suppression."""

from __future__ import annotations

import hashlib
from typing import NewType

from email_validator import EmailNotValidError, validate_email

from services.notifier.domain.errors import InvalidEmailAddress

EmailAddress = NewType("EmailAddress", str)
"""An address that passed `normalise_email`: one ASCII addr-spec, lower case."""

_MAX_INPUT = 320


def normalise_email(raw: str) -> EmailAddress:
    """Return the canonical form of one subscriber address or raise InvalidEmailAddress."""
    if not isinstance(raw, str):
        raise InvalidEmailAddress("an email address must be a string")
    # Checked before the validator so the error names the attack, not a syntax detail.
    if "\r" in raw or "\n" in raw or "\x00" in raw:
        raise InvalidEmailAddress("an email address must not contain line breaks")
    text = raw.strip()
    if len(text) > _MAX_INPUT:
        raise InvalidEmailAddress("an email address is at most 320 characters")
    if "," in text or ";" in text:
        raise InvalidEmailAddress("give exactly one email address")
    if "<" in text or ">" in text or '"' in text:
        raise InvalidEmailAddress("give the bare address, without a display name or brackets")
    try:
        validated = validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError as err:
        raise InvalidEmailAddress(f"not a valid email address: {err}") from None
    # Local parts are case-sensitive in theory only; one person must map to one
    # subscription and one suppression hash, so the whole address is lower-cased.
    ascii_address = validated.ascii_email
    if ascii_address is None:  # only when SMTPUTF8 is allowed, which it is not
        raise InvalidEmailAddress("the address needs SMTPUTF8, which we cannot send to")
    return EmailAddress(ascii_address.lower())


def email_hash(address: EmailAddress) -> str:
    """Return the suppression key of a normalised address (hex SHA-256)."""
    return hashlib.sha256(address.encode("ascii")).hexdigest()


def mailbox_key(address: EmailAddress) -> str:
    """Return one key for every spelling that reaches the same mailbox (hex SHA-256).

    `alice+a@example.org` and `alice+b@example.org` reach Alice: a limit per address
    that counted them apart would let anyone mail her again and again.
    """
    local, _, domain = address.rpartition("@")
    return hashlib.sha256(f"{local.split('+', 1)[0]}@{domain}".encode("ascii")).hexdigest()
