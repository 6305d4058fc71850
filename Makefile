# Two commands for a newcomer: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := shared $(sort $(dir $(wildcard services/*/pyproject.toml)))
STAMP := $(VENV)/.installed

.PHONY: install run test postgres-binaries chromium clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python shared/pyproject.toml $(wildcard services/*/pyproject.toml) requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt $(foreach p,$(PACKAGES),-e $(p))
	touch $(STAMP)

install: $(STAMP) ## create .venv and install every package

run: install ## broker + all services on SQLite + demo data; Ctrl-C stops
	$(BIN)/python scripts/run.py

postgres-binaries: ## the integration suites need initdb/pg_ctl (Debian postgresql)
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

chromium: ## the e2e layer renders every /docs in headless Chromium (Debian chromium, its driver, a CJK font)
	@[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null)

test: install postgres-binaries chromium lint ## the linters, then every suite on SQLite and a real PostgreSQL
	$(BIN)/python scripts/test.py

LINTED := shared services scripts tests
.PHONY: lint format
lint: install ## ruff (lint and format check), mypy strict, the import contracts
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy -p medshared -p enrollment -p settlement -p remote_care -p evoucher
	$(BIN)/lint-imports

format: install ## rewrite the sources as ruff formats them, and apply ruff's safe fixes
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

# One layer across every suite (markers set by directory in medshared.testing): make test-unit ...
.PHONY: test-unit test-integration test-api test-contracts test-e2e
test-unit: install ## unit layer of every suite: pure code and fakes, no database
	$(BIN)/python scripts/test.py -m unit

test-integration: install postgres-binaries ## integration layer: repositories, outbox, inbox, consumers on SQLite and PostgreSQL
	$(BIN)/python scripts/test.py -m integration

test-api: install postgres-binaries ## api layer: each service's app through TestClient (with the compatibility suite and the fuzz)
	$(BIN)/python scripts/test.py -m api

test-contracts: install postgres-binaries ## contracts layer: every producer's events applied by every consumer of its topic
	$(BIN)/python scripts/test.py -m contracts

test-e2e: install postgres-binaries chromium ## e2e layer: the four services and a real broker over HTTP
	$(BIN)/python scripts/test.py -m e2e

.PHONY: bench
bench: install postgres-binaries ## PostgreSQL + broker + every service under load; writes docs/benchmarks.md (BENCH_QUICK=1: ~3 min)
	cd scripts && ../$(BIN)/python -m bench

.PHONY: chaos
chaos: install postgres-binaries ## kill the broker, each service and PostgreSQL under settlement load; writes docs/reliability.md (Faults)
	cd scripts && ../$(BIN)/python -m chaos

.PHONY: fuzz
fuzz: install postgres-binaries ## schemathesis + hypothesis on every service's OpenAPI and the national envelope, 200 examples each
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz

.PHONY: reliability
reliability: chaos fuzz test ## everything docs/reliability.md reports: fault runs, the long fuzz, the security tests

clean:
	rm -rf var
