# The two quick-start commands: `make synth` and `make test`. Each installs what it needs first
# (pipenv and the locked packages; for tests also redis-server, chromium, graphviz, checkov
# and the cdktf CLI), so both work on a fresh Debian machine.
SHELL := /bin/bash
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
# jsii's banner about node 20 (the node these machines have) would bury the real output.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export BC_SKIP_MAPPING := TRUE

PIPENV_VERSION := 2026.10.3
CHECKOV_VERSION := 3.3.30
CATEGORIES := packages dev-packages frontend
# The project venv that `pipenv sync` fills; run from it directly (`pipenv run` adds ~0.5 s).
VENV := .venv/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: synth test lint bench requirements system-packages

synth: .venv/.synced
	$(VENV)/python main.py

test: .venv/.synced .venv-checkov/.installed node_modules/.installed system-packages
	$(VENV)/pytest

lint: .venv/.synced
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

bench: .venv/.synced system-packages
	$(VENV)/python bench/synth.py
	$(VENV)/python bench/load.py

# The frontend image installs exactly the lock's `frontend` category, with hashes.
requirements: .venv/.synced
	pipenv requirements --hash --categories frontend > frontend/requirements.txt

.venv/.synced: Pipfile.lock
	command -v pipenv >/dev/null || python3 -m pip install --quiet "pipenv==$(PIPENV_VERSION)"
	pipenv sync --categories "$(CATEGORIES)"
	touch $@

# checkov pins libraries that clash with cdktf's, so it gets a venv of its own.
.venv-checkov/.installed:
	python3 -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet "checkov==$(CHECKOV_VERSION)"
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

system-packages:
	@if ! command -v redis-server >/dev/null || ! [ -x /usr/bin/chromium ] || ! command -v dot >/dev/null \
		|| ! command -v wrk >/dev/null || ! command -v openssl >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			redis-server chromium graphviz wrk openssl; \
	fi
