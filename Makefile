# The README's two commands: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest

.PHONY: install system-deps run test test-unit test-integration test-e2e test-security test-conformance test-contract test-journeys chaos lint bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@echo "==> creating $(VENV) and installing the project with its test extras"
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --progress-bar off -e '.[test]'
	touch $@

# Chromium for the page tests and RabbitMQ, from Debian's packages, when missing.
system-deps:
	@bash deploy/dev/system-deps.sh

run: install
	$(PY) -m shared.dev.run

test: install system-deps
	$(PYTEST) -q tests/unit tests/integration tests/conformance tests/e2e tests/security tests/contract tests/chaos tests/journeys -m "not chaos_full"

test-unit: install
	$(PYTEST) -q tests/unit

test-integration: install system-deps
	$(PYTEST) -q tests/integration

test-e2e: install system-deps
	$(PYTEST) -q tests/e2e

# Who sees what: the classification matrix over every surface (the whole system as processes).
test-security: install system-deps
	$(PYTEST) -q tests/security

# Feeds and .ics of the running calendar read by ical.js (Node) and libical, and strict parsers.
test-conformance: install system-deps
	$(PYTEST) -q tests/conformance

# Schemathesis against each service's OpenAPI document, on a system of its own (about 1.5 min).
test-contract: install system-deps
	$(PYTEST) -q tests/contract

# People's journeys in Chromium against the system as `make run` starts it (its ports must
# be free), axe-core on every page; screenshots at 375 and 1280 px in test-artifacts/journeys.
test-journeys: install system-deps
	$(PYTEST) -q tests/journeys

# The fault suite (issue 12): every scenario, ~7 min; figures to var/chaos/results.json
# (or CHAOS_RESULTS), quoted in docs/reliability.md. `make test` runs its short subset.
chaos: install system-deps
	$(PYTEST) -v -p no:cacheprovider tests/chaos

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: install
	@bash deploy/dev/system-deps.sh --bench
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench
