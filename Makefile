# Every target sets up .venv first, so each works on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# The mypyc-compiled build (setup.py), in its own environment: what `make bench` measures and the image ships.
COMPILED_VENV := .venv-compiled
# Not an editable install, so it is rebuilt whenever a packaged file changes.
COMPILED_STAMP := $(COMPILED_VENV)/.built-$(shell find pyproject.toml setup.py build_backend processors streams schemas \
	-type f -not -path '*/__pycache__/*' | sort | xargs cat | cksum | cut -d' ' -f1)

.PHONY: setup compiled demo test lint format bench soak fuzz train clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "dyadwatch needs Python >= 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

$(COMPILED_STAMP): $(STAMP)
	@echo "building the compiled (mypyc) dyadwatch in $(COMPILED_VENV); about two minutes"
	[ -x $(COMPILED_VENV)/bin/python ] || $(PYTHON) -m venv $(COMPILED_VENV)
	$(COMPILED_VENV)/bin/python -m pip install --quiet --upgrade pip
	DYADWATCH_MYPYC=1 $(COMPILED_VENV)/bin/python -m pip install --quiet '.[dev,bench]'
	rm -f $(COMPILED_VENV)/.built-* && touch $(COMPILED_STAMP)

compiled: $(COMPILED_STAMP)

demo: setup
	$(VENV)/bin/dyadwatch demo

# The whole suite on the source, then the unit tests again on the compiled build (dyadwatch.* is imported from the
# environment that runs the tests: the checkout has no dyadwatch/ folder to shadow it).
test: setup compiled
	$(PY) -m pytest -q
	DYADWATCH_EXPECT_COMPILED=1 $(COMPILED_VENV)/bin/python -m pytest -q -p no:cacheprovider tests \
		--ignore=tests/integration --ignore=tests/fuzz -m "not training"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	rm -rf build/typecheck && mkdir -p build/typecheck/dyadwatch && \
		ln -s ../../../processors ../../../streams ../../../schemas build/typecheck/dyadwatch/  # laid out as installed
	cd build/typecheck && ../../$(VENV)/bin/mypy --config-file ../../pyproject.toml -p dyadwatch.processors \
		-p dyadwatch.streams -p dyadwatch.schemas

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Measures the compiled build, as the image ships it; bench_tag also measures the source in the same run.
# Each benchmark writes its own part afresh; collect.py writes bench/results.json whole from this run's parts.
bench: compiled
	rm -rf bench/parts
	$(eval BENCH_STARTED := $(shell date -u +%Y-%m-%dT%H:%M:%SZ))
	$(COMPILED_VENV)/bin/python bench/bench_tag.py
	$(COMPILED_VENV)/bin/python bench/bench_hostile.py
	$(COMPILED_VENV)/bin/python bench/bench_e2e.py
	$(COMPILED_VENV)/bin/python bench/faust_floor.py
	$(COMPILED_VENV)/bin/python bench/broker_growth.py
	$(COMPILED_VENV)/bin/python bench/collect.py --started $(BENCH_STARTED)

soak: compiled
	$(COMPILED_VENV)/bin/python bench/soak.py

# Refit the pair-tone model (processors/data/pair_tone.json) and its CAMEO table from the shared labelled data,
# then print its out-of-fold figures on the development rows.
SHARED ?= ../shared
train: setup
	$(VENV)/bin/dyadwatch train --data $(SHARED)
	$(VENV)/bin/dyadwatch eval $(SHARED)/eval/dev-agnews-world.v2.jsonl --corpus $(SHARED)/corpora/ag_news_world/test_world.csv \
		--folds 5 --train-dir $(SHARED)/train

FUZZ_SECONDS ?= 600
fuzz: setup
	$(PY) -m pip install --quiet -e '.[fuzz]'
	$(PY) tests/fuzz/seed_corpus.py .fuzz/seeds
	mkdir -p .fuzz/corpus .fuzz/crashes
	$(PY) tests/fuzz/fuzz_articles.py .fuzz/corpus .fuzz/seeds -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -artifact_prefix=.fuzz/crashes/ -print_final_stats=1

clean:
	rm -rf $(VENV) $(COMPILED_VENV) .compiled-tests build *.egg-info .pytest_cache .ruff_cache .fuzz .hypothesis
