# voicestack.aws — see README.md. Every target installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
COLLECTIONS := $(VENV)/collections
SCAN_VENV   := .venv-scan
TOOLS_DIR   ?= $(HOME)/.cache/voicestack/tools
# make test: test files run this many at a time, each worker on its own sandbox.
TEST_WORKERS ?= 2

# The checkout is the collection voicestack.aws: a link in the venv's own
# collections path makes it importable without installing it.
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLLECTIONS)
export VOICESTACK_TOOLS ?= $(TOOLS_DIR)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help venv tools sandbox-up sandbox-down sandbox-status test demo bench lint lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(COLLECTIONS)/ansible_collections/voicestack/aws:
	@mkdir -p $(dir $@)
	@ln -sfn $(CURDIR) $@

$(SCAN_VENV)/.installed: requirements-scan.txt
	@test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt
	@touch $@

venv: $(VENV)/.installed $(SCAN_VENV)/.installed $(COLLECTIONS)/ansible_collections/voicestack/aws ## create .venv (and .venv-scan for checkov) with pinned dependencies

lock: ## re-resolve requirements.in into the pinned requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.in
	$(PY) -m pip freeze --exclude-editable | sort > requirements.txt

tools: ## build or find tofu, providers, etcd, kube-apiserver, helm (cached)
	@dev/tools/build.sh

sandbox-up: venv tools ## start moto, OpenBao, etcd and kube-apiserver on loopback
	@$(PY) -m dev.sandbox up

sandbox-down: ## stop what sandbox-up started
	@$(PY) -m dev.sandbox down

sandbox-status: ## show what runs where
	@$(PY) -m dev.sandbox status

test: venv tools ## the whole suite, TEST_WORKERS test files at a time, each worker on a fresh sandbox of its own
	@$(PY) -m dev.sandbox.workers down
	@$(PY) -m dev.sandbox.workers up $(TEST_WORKERS)
	@status=0; $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS) || status=$$?; \
	  $(PY) -m dev.sandbox.workers down; exit $$status

demo: venv tools ## provision the whole stack into two accounts of a fresh local sandbox
	@$(PY) -m dev.sandbox down >/dev/null
	@$(PY) -m dev.sandbox up
	@set -a; . dev/sandbox/.state/sandbox.env; set +a; \
	  VAULT_TOKEN=$$VOICESTACK_SANDBOX_ROOT_TOKEN ansible-playbook -i dev/sandbox/inventory --forks 2 \
	    playbooks/bootstrap_backend.yml playbooks/site.yml
	@$(PY) -m dev.sandbox status
	@echo "Provisioned into the sandbox. Stop it with 'make sandbox-down'."

bench: venv tools ## benchmarks on a fresh sandbox, one table (docs/performance.md); BENCH_ARGS=--accounts 1,2
	@$(PY) -m dev.sandbox down >/dev/null
	@$(PY) -m dev.sandbox up
	@status=0; $(PY) -m dev.bench.run $(BENCH_ARGS) || status=$$?; \
	  $(PY) -m dev.sandbox down; exit $$status

lint: venv tools ## ruff, yamllint, tofu fmt, changelog, ansible-lint (production), ansible-test sanity
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/yamllint -s .
	@. $(TOOLS_DIR)/tools.env && TF_CLI_CONFIG_FILE=$$VOICESTACK_TF_CLI_CONFIG $$VOICESTACK_TOFU fmt -check -recursive terraform
	$(VENV)/bin/antsibull-changelog lint
	$(PY) -m dev.tools.role_docs --check
	$(PY) -m dev.tools.account_policies --check
	$(VENV)/bin/ansible-lint
	dev/tools/sanity.sh

clean: sandbox-down ## remove the venv and sandbox state (keeps the tool cache)
	rm -rf $(VENV) $(SCAN_VENV) dev/sandbox/.state .pytest_cache
