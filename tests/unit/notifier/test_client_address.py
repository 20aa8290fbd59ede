"""The client address behind proxies: trusted hops are skipped, anyone else's header ignored."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from services.notifier.domain.addresses import mailbox_key, normalise_email
from services.notifier.web.api import client_address


def request(peer: str, forwarded: str | None) -> object:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    mocked = make_mocked_request("POST", "/subscribe", headers=headers)
    mocked._transport_peername = (peer, 1234)  # type: ignore[attr-defined]
    return mocked


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("198.51.100.7", None, [], "198.51.100.7"),
        ("198.51.100.7", "203.0.113.9", [], "198.51.100.7"),  # not from a proxy: ignored
        ("10.0.0.2", "203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.5", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.2", "not-an-ip, 203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
    ],
    ids=["no-proxy", "forged-header", "one-proxy", "chain", "garbage-left", "empty"],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(
    peer: str, forwarded: str | None, trusted: list[str], client: str
) -> None:
    assert client_address(request(peer, forwarded), trusted) == client  # type: ignore[arg-type]


def test_plus_tags_and_case_reach_one_mailbox() -> None:
    keys = {
        mailbox_key(normalise_email(text))
        for text in ("alice@example.org", "Alice+news@Example.org", "alice+x+y@example.org")
    }
    assert len(keys) == 1
    assert mailbox_key(normalise_email("bob@example.org")) not in keys
