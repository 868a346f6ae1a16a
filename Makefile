# postdesk — two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install lint bench-help clean

$(STAMP): requirements/lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/lock.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## The centre on the embedded default (SQLite + in-process worker), with demo data.
run: $(STAMP)
	bash scripts/system-deps.sh --runtime
	$(BIN)/postdesk i18n --compile
	$(BIN)/postdesk migrate --noinput
	$(BIN)/postdesk seed_demo
	@echo
	@echo "postdesk 邮政客服中心系统 — http://127.0.0.1:8000/"
	@echo "Demo logins (demo data only), password 'postdesk':"
	@echo "  admin · agent1 · agent2 · lead1 · director1 · branch1 (鹿城支局) · branch2 (龙湾支局) · auditor1 (审计员)"
	@echo
	$(BIN)/postdesk serve --host 127.0.0.1 --port 8000

## Everything needed, then every check: lint, types, migrations, translations, the suite
## on SQLite and on PostgreSQL with Redis and Celery, and the browser tests.
test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy postdesk

clean:
	rm -rf $(VENV) var
