# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/industry-etl run --inbox examples/inbox --warehouse data/warehouse
	@echo
	@echo "Tables are in data/warehouse/{indicators,documents,quarantine,facts}/region_code=*/year=*/"
	@echo "Read them with DuckDB, e.g.:"
	@echo "  $(BIN)/industry-etl sql \"SELECT region, year, indicator, measure, value, unit FROM indicators ORDER BY region, indicator LIMIT 20\""
	@$(BIN)/industry-etl sql "SELECT region, year, indicator, measure, value, unit FROM indicators ORDER BY region, indicator, measure LIMIT 10"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf data/warehouse .pytest_cache
