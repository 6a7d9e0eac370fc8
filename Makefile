# The README's commands. `make demo` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB ?= sqlite:///accord-demo.db

.PHONY: demo test lint bench serve install clean lock

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Accord needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	ACCORD_DATABASE_URL=$(DEMO_DB) $(BIN)/accord db upgrade
	ACCORD_DATABASE_URL=$(DEMO_DB) $(BIN)/accord demo --if-empty
	-ACCORD_DATABASE_URL=$(DEMO_DB) $(BIN)/accord jobs run
	ACCORD_DATABASE_URL=$(DEMO_DB) ACCORD_SCHEDULER=true $(BIN)/accord serve

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=30 $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v "^accord" > requirements.lock; echo "wheel==$$($(BIN)/python -c "import wheel; print(wheel.__version__)")" >> requirements.lock; echo "setuptools==$$($(BIN)/python -c "import setuptools; print(setuptools.__version__)")" >> requirements.lock

clean:
	rm -rf $(VENV) accord-demo.db* .pytest_cache
