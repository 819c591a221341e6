# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# XStatic-Bootstrap's sdist still imports pkg_resources: build it with setuptools<81.
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check --build-constraint build-constraints.txt
# `make run` always uses SQLite and in-process tasks, whatever the shell exports.
RUN_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 REDIS_URL=
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-test seed messages messages-check lint clean audit bench

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --upgrade "pip>=25.3"

$(VENV)/.installed: pyproject.toml build-constraints.txt | $(VENV)/bin/activate
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml build-constraints.txt | $(VENV)/bin/activate
	$(PIP_INSTALL) -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST)/ (German) and http://$(HOST)/en/ (English)"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST)

# The suite runs on every core (pytest-xdist); a module's tests stay on one worker, so the
# worlds they build once per module are built once. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install-test
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# Update the message catalogues after changing texts, then translate the new entries.
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l de -l en --no-location --no-obsolete \
		--ignore ".venv/*" --ignore "staticfiles/*" --ignore "tests/*"
	DEBUG=1 $(PY) manage.py compilemessages --ignore ".venv/*"

# The performance benchmark (not part of `make test`): a large dataset in its own PostgreSQL
# database, gunicorn loaded with wrk; prints the figures and writes benchmarks/results/.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vernetzt_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15
bench: install-test
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
		$(PY) benchmarks/bench.py $(BENCH_ARGS)

# Known vulnerabilities in the installed dependencies (pip-audit; needs access to pypi.org).
audit: install-test
	bash scripts/audit-dependencies

# CI: fail if the committed catalogues miss a text or a compiled file is stale.
messages-check: install
	bash scripts/check-messages

lint: install-test
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
