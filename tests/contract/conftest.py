"""A system of the contract suite's own, and each service's OpenAPI document as served.

Its own processes, database and RabbitMQ vhost: what schemathesis writes (entries,
modifications, subscriptions) never reaches the system the security matrix counts on.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
import schemathesis

from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, issue_token
from tests.conftest import TEST_SIGNER
from tests.support.rabbit import amqp_url_of_own
from tests.support.system import System, running_system

# Both roles, so every documented operation is reached: staff writes and admin imports.
STAFF_TOKEN = issue_token(TEST_SIGNER, "contract-staff", {ROLE_SECRETARIAT, ROLE_ADMIN})


@pytest.fixture(scope="session")
def contract_system(mongo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    with (
        amqp_url_of_own() as amqp_url,
        running_system(
            mongo_url, amqp_url, tmp_path_factory.mktemp("contract"), database="contract_system"
        ) as system,
    ):
        yield system


def schema_of(system: System, service: str) -> schemathesis.BaseSchema:
    """Return the service's document as its running process serves it."""
    url = system.url(service, "/api/v1/openapi.json")
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        document = json.load(response)
    return schemathesis.openapi.from_dict(document)
