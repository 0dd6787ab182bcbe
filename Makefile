# Two commands on a fresh machine (Python 3.12 and make): `make run` and `make test`.
# Set-up: a private uv in .uv/, then .venv from the committed uv.lock (spaCy model included).
# Python 3.12: `python3.12` on the PATH, or pyenv's 3.12 (its shim answers only when 3.12 is the
# selected version, so its folder is searched too). Override with `make PYTHON=/path/to/python3.12`.
PYTHON ?= $(shell for p in python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 \
	/usr/bin/python3.12; do "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12); print(sys.executable)' \
	2>/dev/null && break; done)
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
# The environment newsflow's command and tests need (no telemetry, Prefect's start-up timeout)
# is set by newsflow itself: `newsflow.tasks.config.ENVIRONMENT`.

.PHONY: setup browser run test test-fast lint eval benchmark clean

$(UV):
	@test -n "$(PYTHON)" || { echo "newsflow needs Python 3.12: install it (e.g. pyenv install 3.12, or apt-get install python3.12) or pass make PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

# Debian's Chromium for the browser test (Playwright's own browser download cannot work here).
# Only `make test` needs it; installed once, when /usr/bin/chromium is missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y --no-install-recommends chromium fonts-liberation; }

run: setup
	$(VENV)/bin/newsflow run --input seeds --output output

test: setup browser
	$(VENV)/bin/python -m pytest -ra $(PYTEST_ARGS)

# The fast loop: every test that needs no Prefect server, browser or full flow run (no `slow` mark).
test-fast: setup
	$(VENV)/bin/python -m pytest -ra -m "not slow" $(PYTEST_ARGS)

# Style, then the architecture: which way the imports point (the contracts in pyproject.toml) and
# no import circle inside the libraries.
lint: setup
	$(VENV)/bin/ruff check flows tasks schemas tests benchmarks eval tools
	$(VENV)/bin/ruff format --check flows tasks schemas tests benchmarks eval tools
	$(VENV)/bin/python tools/import_cycles.py
	$(VENV)/bin/lint-imports --no-cache

eval: setup
	$(VENV)/bin/newsflow eval --input ../shared/eval/seed/input --gold ../shared/eval/seed/gold
	$(VENV)/bin/newsflow eval --statements --input ../shared/eval/polnear-dev/input --gold ../shared/eval/polnear-dev/gold eval/gold/polnear-dev
	$(VENV)/bin/newsflow eval --input tests/gold/extra/input --gold tests/gold/extra/gold
	$(VENV)/bin/newsflow eval --statements --input ../shared/corpora/bbc --gold eval/gold/bbc
	$(VENV)/bin/newsflow eval --statements --input ../shared/corpora/bbc --gold eval/gold/bbc-test
	$(VENV)/bin/newsflow eval --statements --input ../shared/eval/polnear-train/input --gold eval/gold/polnear-train
	$(VENV)/bin/newsflow eval --statements --input ../shared/eval/polnear-train/input --gold eval/gold/polnear-train-test
	$(VENV)/bin/python eval/check_statement_gold.py statements statements-test
	$(VENV)/bin/newsflow eval --statements --input eval/gold/statements/input --gold eval/gold/statements/gold
	$(VENV)/bin/newsflow eval --statements --input eval/gold/statements-test/input --gold eval/gold/statements-test/gold

benchmark: setup
	$(VENV)/bin/python benchmarks/throughput.py

clean:
	rm -rf output .pytest_cache
