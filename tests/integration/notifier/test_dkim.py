"""Verify the DKIM signature of what the running notifier sends, read raw from the sink."""

from __future__ import annotations

from pathlib import Path

import dkim

from shared.dev.run import new_dkim_key
from tests.integration.notifier.conftest import StartRig
from tests.integration.notifier.rig import Rig
from tests.integration.notifier.test_subscribing import STATUS_CHANGED, status_change
from tests.unit.notifier.test_dkim import dns_for
from tests.unit.notifier.wire import check_wire_rules, raw_headers

SELECTOR = "sec2027"
DOMAIN = "sec.example.org"  # the domain of the default MAIL_FROM


async def test_every_email_sent_verifies_against_the_published_key(
    start_rig: StartRig, tmp_path: Path
) -> None:
    key = new_dkim_key()
    path = tmp_path / "dkim-private.pem"
    path.write_bytes(key)
    path.chmod(0o600)
    async with start_rig(dkim_private_key=str(path), dkim_selector=SELECTOR) as rig:
        await rig.subscribe_confirmed("signed@example.org", ["modification:MP192"])
        await rig.publish(STATUS_CHANGED, status_change(), subject="MP192")
        await rig.wait_mail(2)
        sent = rig.raw_messages("signed@example.org")
    assert len(sent) == 2  # the confirmation and the alert
    for raw in sent:
        check_wire_rules(raw, with_unsubscribe=b"List-Unsubscribe:" in raw)
        assert len(raw_headers(raw)["dkim-signature"]) == 1
        assert dkim.verify(raw, dnsfunc=dns_for(key, SELECTOR, DOMAIN))
        # Not a verifier that says yes to anything: another key's record fails.
        assert not dkim.verify(raw, dnsfunc=dns_for(new_dkim_key(), SELECTOR, DOMAIN))


async def test_without_a_key_mail_goes_unsigned(rig: Rig) -> None:
    await rig.subscribe_confirmed("unsigned@example.org", ["modification:MP192"])
    [confirmation] = rig.raw_messages("unsigned@example.org")
    assert "dkim-signature" not in raw_headers(confirmation)
