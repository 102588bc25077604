# Yuebiao (粤标): `make run` to serve the platform with demo data, `make test` to run every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve install install-test test bench messages clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Development mode: the development key, no persistent database connections (production is the default).
run: export YUEBIAO_DEV = 1
run: install
	$(BIN)/yuebiao migrate --noinput
	$(BIN)/yuebiao load-reference
	$(BIN)/yuebiao demo
	$(BIN)/yuebiao refresh-status
	@echo ""
	@echo "粤标 Yuebiao: http://$(HOST):$(PORT)/   （演示账户见上，例如 sheng / yuebiao-demo-2026）"
	@echo "后台任务（通知邮件）和每日任务（锚定、提醒、复审、状态更新）由 yuebiao worker 处理，随本服务一同启动和停止"
# The worker lives as long as runserver: the EXIT trap stops it however runserver ends (Ctrl+C, error).
	$(BIN)/yuebiao worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(BIN)/yuebiao runserver $(HOST):$(PORT) --noreload

# Production web server (gunicorn.conf.py); needs YUEBIAO_SECRET_KEY. Run `yuebiao worker` beside it as a service.
serve: install
	$(BIN)/yuebiao serve

test: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m bench $(BENCH_ARGS)

# Recompile the English catalogue after editing yuebiao/locale/en/LC_MESSAGES/django.po (needs GNU gettext).
messages: install
	$(BIN)/yuebiao makemessages -l en --ignore=.venv --ignore=bench --no-obsolete
	$(BIN)/yuebiao compilemessages --ignore=.venv
