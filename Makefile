# The two commands: `make demo` (daemon on embedded defaults, offline fixture feeds) and
# `make test` (the whole suite against a real Kafka broker, PostgreSQL, SQLite and SMTP).
# Both set everything up from a clean clone: virtualenv, install, Kafka jars, services.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test chaos chaos-channels bench bench-quick lint wheel-smoke services broker postgres browser shapes stop clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

broker: venv
	$(BIN)/monitor broker start

postgres: venv
	$(BIN)/monitor postgres start

services: broker postgres

# The browser tests drive Debian's Chromium (never a downloaded browser: no `playwright
# install`) and check pages with axe-core, taken from npm at a pinned version into a
# test-only folder (scripts/vendor-axe). apt-get installs only what is missing (never npm beside
# a Node.js that already brings it: NodeSource's nodejs conflicts with Debian's npm).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser: venv
	@missing=""; test -x /usr/bin/chromium || missing="chromium chromium-driver"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	test -z "$$missing" || { $(SUDO) apt-get update && \
		$(SUDO) apt-get install -y --no-install-recommends $$missing; }
	scripts/vendor-axe

# The Trends map's shapes (Natural Earth via the npm package world-atlas, pinned and checked
# against its integrity) converted into monitor/web/geo/lac.json. The output is committed, so
# builds and installs need neither npm nor a network; run this only to change the pin.
shapes:
	scripts/vendor-shapes

demo: broker
	$(BIN)/monitor demo
	@echo "make demo: to browse these alerts in the web workspace, run: $(BIN)/monitor demo --serve"

run: broker
	$(BIN)/monitor db upgrade
	$(BIN)/monitor feed import $(FEEDS)
	$(BIN)/monitor run

test: services browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

chaos: services
	$(BIN)/python -m pytest -m chaos --chaos-scale=$(or $(SCALE),5) $(PYTEST_ARGS)

# Only the every-channel chaos test, at scale 5 (about 3,000 messages): writes its rows,
# one per channel, to docs/reliability.md.
chaos-channels: services
	$(BIN)/python -m pytest -m chaos --chaos-scale=$(or $(SCALE),5) tests/chaos/test_channel_chaos.py $(PYTEST_ARGS)

bench: services
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-quick: services
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

lint: venv
	$(BIN)/ruff check monitor tests bench migrations seeds
	$(BIN)/mypy monitor tests bench

# The wheel as users install it, in a fresh virtualenv under /tmp, run from there (the demo
# step needs the broker). .ci/run runs it after the suite.
wheel-smoke: broker
	scripts/wheel-smoke

# Stops the broker and PostgreSQL only if this checkout's var/ started them; ones started
# from another checkout (both serve the whole machine) are left running, and named.
stop:
	-$(BIN)/monitor broker stop
	-$(BIN)/monitor postgres stop

clean: stop
	rm -rf var $(VENV)
