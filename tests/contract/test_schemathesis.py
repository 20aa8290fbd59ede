"""Schemathesis against each running service: no server error, no answer off its document.

Cases are generated from each service's /api/v1/openapi.json, valid and invalid ones,
and sent with a staff token so the staff operations are exercised too; every answer
must be below 500, have a documented status and content type, and fit the documented
schema and headers. (schemathesis' own pytest plugin does not run on pytest 9, so the
operations are driven through its Python API: one Hypothesis run per operation.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.contract.conftest import STAFF_TOKEN, schema_of
from tests.support.system import System

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Enough to reach every field's limits, few enough for the three services in minutes.
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 8}
HEADERS = {"Authorization": f"Bearer {STAFF_TOKEN}"}


def failures_of(system: System, service: str, mode: GenerationMode) -> list[str]:
    """Run every operation of `service`; return what broke, one line per operation."""
    schema: schemathesis.BaseSchema = schema_of(system, service)
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(
                base_url=system.url(service), headers=HEADERS, checks=CHECKS, timeout=30
            )

        try:
            run()
        except Unsatisfiable:
            continue  # nothing to make invalid (no body, no bounded parameter)
        except Exception as exc:  # every operation is tried; the failures are listed
            found.append(f"{operation.method.upper()} {operation.path}: {exc}")
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("service", ["registry", "calendar", "notifier"])
def test_every_operation_answers_as_documented(
    contract_system: System, service: str, mode: GenerationMode
) -> None:
    failures = failures_of(contract_system, service, mode)
    assert not failures, "\n\n".join(failures)
