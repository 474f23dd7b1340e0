# saksrobot: `make demo` and `make test` work on a fresh Debian machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HASH := $(shell sha256sum pyproject.toml | cut -c1-12)
# Two stamps: the runtime (what `make demo` needs) and the development extras on top of it
# (what `make test` needs). `make test` after `make demo` only adds the extras.
RUNTIME := $(VENV)/.installed-runtime-$(HASH)
DEV := $(VENV)/.installed-dev-$(HASH)

.PHONY: demo test test-fast lint rules bench clean

$(RUNTIME): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-*
	@touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-dev-*
	@touch $(DEV)

# After the ordinary demo, the round trip through Fiks IO and Fiks Arkiv on RabbitMQ
# (demo/roundtrip.py); without a RabbitMQ it says how to turn one on and exits 0.
demo: $(RUNTIME)
	$(BIN)/saksrobot demo
	$(BIN)/python -m demo.roundtrip

test: $(DEV)
	bash scripts/system-deps.sh
	@# The OpenID provider the single sign-on tests log in at (tests/oidc/provider.mjs).
	@if command -v npm >/dev/null; then npm ci --prefix tests/oidc --no-audit --no-fund --silent; fi
	$(BIN)/ruff check runner tests bench demo
	$(BIN)/mypy
	$(BIN)/saksrobot rules check
	$(BIN)/saksrobot rules test
	@# One worker per core, whole test files per worker (a file's fixtures stay in one process).
	$(BIN)/python -m pytest -n auto --dist loadfile

test-fast: $(DEV)
	$(BIN)/python -m pytest -m "not slow and not e2e and not browser and not postgres"

lint: $(DEV)
	$(BIN)/ruff check runner tests bench demo
	$(BIN)/mypy

bench: $(DEV)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .demo .pytest_cache
