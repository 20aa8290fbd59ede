"""The classification matrix for what the notifier's scheduler sends: reminders and digests.

These are driven by scheduler ticks at chosen times on the notifier alone (the rig of
tests/integration/notifier); tests/security/test_classification_matrix.py covers the
rest on the whole system. Each mark goes to a public subscriber and a verified SEC
Party; a reclassification after the fact holds back what was already scheduled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.notifier.service.scheduling import tick
from shared.auth import ROLE_ADMIN, issue_token
from shared.contracts.classification import Classification
from tests.conftest import TEST_SIGNER
from tests.integration.notifier.rig import Rig
from tests.integration.notifier.test_scheduler import next_morning
from tests.unit.notifier.samples import consultation

PUBLIC, PARTY = "public@matrix.example", "party@matrix.example"
TITLE = "ZQ scheduled consultation"


def _consultation(mark: Classification, closes_in: timedelta) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    return consultation(
        id="zq-consultation",
        title=TITLE,
        modification_ref=None,
        opens_at=(now - timedelta(days=10)).isoformat(),
        closes_at=(now + closes_in).isoformat(),
        classification=mark.value,
    )


async def _subscribers(rig: Rig, digest: str) -> None:
    await rig.subscribe_confirmed(PUBLIC, ["consultations"], digest=digest)
    await rig.subscribe_confirmed(PARTY, ["consultations"], digest=digest)
    subscription = await rig.mongo.collection("notifier_subscriptions").find_one({"email": PARTY})
    assert subscription is not None
    admin = {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "matrix", {ROLE_ADMIN})}
    response = await rig.client.post(
        f"/api/v1/subscriptions/{subscription['_id']}/verify-party",
        json={"verified": True},
        headers=admin,
    )
    assert response.status == 200, await response.text()


def _told(rig: Rig, address: str) -> bool:
    return any(TITLE in str(message) for message in rig.messages(address))


def _entitled(mark: Classification) -> dict[str, bool]:
    return {
        PUBLIC: mark is Classification.WHITE,
        PARTY: mark in {Classification.WHITE, Classification.GREEN},
    }


async def _open(rig: Rig, mark: Classification, closes_in: timedelta) -> None:
    event = await rig.publish(
        "registry.consultation.opened",
        {"consultation": _consultation(mark, closes_in)},
        subject="zq-consultation",
    )
    await rig.applied(event)
    await rig.settled()


async def _reclassify(rig: Rig, mark: Classification, closes_in: timedelta) -> None:
    event = await rig.publish(
        "registry.consultation.reclassified",
        {"consultation": _consultation(mark, closes_in)},
        subject="zq-consultation",
    )
    await rig.applied(event)
    await rig.settled()


@pytest.mark.parametrize("mark", list(Classification), ids=lambda m: m.value)
async def test_a_reminder_goes_only_to_those_entitled_to_its_consultation(
    rig: Rig, mark: Classification
) -> None:
    await _subscribers(rig, "none")
    closes_in = timedelta(days=2, hours=12)
    await _open(rig, mark, closes_in)
    alerted = {address: len(rig.messages(address)) for address in (PUBLIC, PARTY)}
    await tick(rig.context, rig.clock())
    await rig.settled()
    for address, entitled in _entitled(mark).items():
        reminders = rig.messages(address)[alerted[address] :]
        assert any(TITLE in str(m) for m in reminders) is entitled, address
        assert _told(rig, address) is entitled, address


@pytest.mark.parametrize("mark", list(Classification), ids=lambda m: m.value)
async def test_a_digest_lists_a_consultation_only_for_those_entitled(
    rig: Rig, mark: Classification
) -> None:
    await _subscribers(rig, "daily")
    await _open(rig, mark, timedelta(days=20))
    await tick(rig.context, next_morning(rig.clock()))
    await rig.settled()
    for address, entitled in _entitled(mark).items():
        assert _told(rig, address) is entitled, address


@pytest.mark.parametrize("to", [Classification.GREEN, Classification.RED], ids=lambda m: m.value)
async def test_a_reclassification_holds_back_the_reminder_and_the_digest_line(
    rig: Rig, to: Classification
) -> None:
    await _subscribers(rig, "daily")
    closes_in = timedelta(days=2, hours=12)
    await _open(rig, Classification.WHITE, closes_in)
    await _reclassify(rig, to, closes_in)
    await tick(rig.context, next_morning(rig.clock()))
    await rig.settled()
    for address, entitled in _entitled(to).items():
        assert _told(rig, address) is entitled, address
