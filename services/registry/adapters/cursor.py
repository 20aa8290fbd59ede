"""Encode and decode opaque keyset-pagination cursors over (sort key, ref)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from services.registry.domain.errors import InvalidField


def encode_cursor(sort: str, value: Any, ref: str) -> str:
    """Return an opaque cursor naming the last row of a page under `sort`."""
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([sort, value, ref], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    """Return (sort value, ref) of a cursor made for `sort`; InvalidField otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, ref = json.loads(raw)
    except (ValueError, binascii.Error, TypeError) as exc:
        raise InvalidField("cursor", "is not a cursor this API returned") from exc
    if name != sort or not isinstance(ref, str):
        raise InvalidField("cursor", f"was made for another sort order than {sort!r}")
    # Only plain values come back out of a cursor: never an operator document.
    if not isinstance(value, str):
        raise InvalidField("cursor", "is not a cursor this API returned")
    if sort.lstrip("-") == "updated_at":
        try:
            return datetime.fromisoformat(value), ref
        except ValueError as exc:
            raise InvalidField("cursor", "is not a cursor this API returned") from exc
    return value, ref
