# 디지털서비스 마켓: `make run` serves the platform, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: setup run test test-fast lint format messages bench clean lock upgrade

setup: $(VENV)/.installed node_modules/.installed

# Every Python package comes from requirements.lock (exact versions with their hashes), so that a fresh clone
# runs what CI tested; the project itself is then installed without its dependencies.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(BIN)/digitalmarket migrate
	$(BIN)/digitalmarket seed-demo --if-empty
	$(BIN)/digitalmarket serve --host $(HOST) --port $(PORT)

# The suite runs in TEST_WORKERS processes (one per core of a 2-core machine); TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= 2
test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

test-fast: setup
	$(BIN)/python -m pytest -m "not browser" -x -q

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Extract translatable messages and merge them into the ko and en catalogs.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o src/digitalmarket/locale/messages.pot --no-location --omit-header --no-wrap src
	$(BIN)/pybabel update -i src/digitalmarket/locale/messages.pot -d src/digitalmarket/locale --no-fuzzy-matching --omit-header --no-wrap --ignore-obsolete

SEARCH_DEV ?= ../shared/data/search-dev
# Catalog sizes of the search speed bench; the first run builds them (100000 takes long), later runs reuse them.
SPEED_SIZES ?= 1000,10000,100000
# Benches to leave out, comma-separated: quality, foundation, speed, http, orders, ocds.
BENCH_SKIP ?=
# Seconds of each timed wrk run of the HTTP throughput bench (16 runs, plus a 3 s warm-up each).
HTTP_DURATION ?= 15
run_bench = $(if $(findstring $(1),$(BENCH_SKIP)),@echo "bench $(1) skipped",$(2))

# Every bench writes bench/results/<name>.json (some also their own section of bench/README.md); a bench
# that fails does not stop the others. summary.py then rebuilds the README's summary table from every
# results file. The HTTP bench serves the 10,000-service catalog the search speed bench builds.
bench: setup
	-$(call run_bench,quality,$(BIN)/python bench/search_quality.py --dev $(SEARCH_DEV) --ablation)
	-$(call run_bench,foundation,$(BIN)/python bench/run.py)
	-$(call run_bench,speed,if [ -f $(SEARCH_DEV)/services.jsonl ]; then $(BIN)/python bench/search_speed.py --sample $(SEARCH_DEV) --sizes $(SPEED_SIZES); fi)
	-$(call run_bench,http,$(BIN)/python bench/http_throughput.py --duration $(HTTP_DURATION))
	-$(call run_bench,orders,$(BIN)/python bench/orders_flow.py)
	-$(call run_bench,ocds,$(BIN)/python bench/ocds_export.py)
	$(BIN)/python bench/summary.py

LOCK_INPUTS := pyproject.toml requirements/tools.in --extra test --generate-hashes --python-version 3.11 --custom-compile-command "make lock"
# lock: write requirements.lock again after a change of pyproject.toml, keeping every version that still fits.
lock: setup
	$(BIN)/uv pip compile $(LOCK_INPUTS) -o requirements.lock
# upgrade: the newest version of every package, installed and tested; commit the lock only if the suite passes.
upgrade: setup
	$(BIN)/uv pip compile $(LOCK_INPUTS) --upgrade -o requirements.lock
	$(MAKE) test

clean:
	rm -rf $(VENV) node_modules var tests/artifacts .pytest_cache
