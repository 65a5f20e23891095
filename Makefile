# Marketing Portal — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup setup-dev venv venv-dev assets messages compilemessages lint check-messages demo clean lock

## make run: set everything up (SQLite, no server needed) and start web + worker + beat with demo data.
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Portal: http://127.0.0.1:8000  (demo logins in README.md, password Demo@2026)"
	@# Threads, not forked children, in the worker: Ctrl-C ends every process without an ERROR line. TZ: honcho's
	@# time stamps in the portal's time zone, like the apps' own log lines (settings.TIME_ZONE).
	TZ=Asia/Shanghai .venv/bin/honcho start -f Procfile.dev

## make test: the whole suite on the local PostgreSQL and Redis (ruff, migrations check, catalogue, pytest).
test: setup-dev
	./scripts/system_deps.sh test
	.venv/bin/ruff check .
	DJANGO_SETTINGS_MODULE=marketing_portal.settings_test $(PY) manage.py makemigrations --check --dry-run
	.venv/bin/pytest $(PYTEST_ARGS)

setup: venv assets compilemessages .env
setup-dev: venv-dev setup

# The runtime tree is locked in requirements/runtime.txt, runtime + tools in requirements/dev.txt (pip-tools).
venv: .venv/.installed-runtime
.venv/.installed-runtime: requirements/runtime.txt
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements/runtime.txt
	./scripts/system_deps.sh run
	touch $@

venv-dev: .venv/.installed-dev
.venv/.installed-dev: requirements/dev.txt .venv/.installed-runtime
	$(PIP) install --quiet -r requirements/dev.txt
	touch $@

## make lock: recompute requirements/*.txt from the pinned requirements/*.in (after adding a dependency).
lock: venv-dev
	cd requirements && ../.venv/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links runtime.in -o runtime.txt
	cd requirements && ../.venv/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links dev.in -o dev.txt

assets: static/vendor/htmx.min.js
static/vendor/htmx.min.js: package.json package-lock.json
	./scripts/vendor_assets.sh

.env:
	printf 'SECRET_KEY=dev-%s\nDEBUG=1\n' "$$(openssl rand -hex 24)" > .env
	@echo "wrote .env with a random SECRET_KEY (development only)"

compilemessages: venv
	$(PY) scripts/messages.py compile

## make messages: update locale/zh_Hans from the source, keeping translations; then list what is untranslated.
messages: venv
	$(PY) scripts/messages.py update
	$(PY) scripts/messages.py missing

lint: venv
	.venv/bin/ruff check .

clean:
	rm -rf var staticfiles .pytest_cache
