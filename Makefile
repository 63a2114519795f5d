# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install compile lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Extraction (tasks/extract, tasks/parse.py) compiled with mypyc (setup.py); rebuilt after an edit of
# its sources. Until then the sources run (tasks/native.py). INDUSTRY_ETL_PURE=1 skips compiling.
COMPILED := tasks/compiled.sha256
EXTRACT_SOURCES := tasks/parse.py $(filter-out tasks/extract/__init__.py,$(wildcard tasks/extract/*.py))

$(COMPILED): $(EXTRACT_SOURCES) setup.py | $(STAMP)
	$(BIN)/python setup.py --quiet build_ext --inplace

compile: $(COMPILED)

demo: $(STAMP) $(COMPILED)
	$(BIN)/industry-etl run --inbox examples/inbox --warehouse data/warehouse
	@echo
	@echo "Tables are in data/warehouse/{indicators,documents,quarantine,facts}/region_code=*/year=*/"
	@echo "Read them with DuckDB, e.g.:"
	@echo "  $(BIN)/industry-etl sql \"SELECT region, year, indicator, measure, value, unit FROM indicators ORDER BY region, indicator LIMIT 20\""
	@$(BIN)/industry-etl sql "SELECT region, year, indicator, measure, value, unit FROM indicators ORDER BY region, indicator, measure LIMIT 10"

test: $(STAMP) $(COMPILED)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

bench: $(STAMP) $(COMPILED)
	$(BIN)/python bench/run.py

clean:
	rm -rf data/warehouse .pytest_cache
