# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Installs, then runs the whole system on the embedded store: no server, no internet.
demo: $(STAMP)
	$(BIN)/mediawatch demo

# Browser tests need Debian's chromium; install it when missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null; \
	  else echo "chromium is missing: run 'sudo apt-get install chromium' first" >&2; exit 2; fi; }

test: $(STAMP) chromium
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench.store --sizes 100000
	$(BIN)/python -m bench.crawl
	$(BIN)/python -m bench.social --posts 10000
	$(BIN)/python -m bench.alerts
	$(BIN)/python -m bench.config

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache test-artifacts
