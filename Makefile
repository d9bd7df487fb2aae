# Every target sets up .venv first, so each works on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup demo test lint format bench soak fuzz clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "dyadwatch needs Python >= 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/dyadwatch demo

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/bench_tag.py
	$(PY) bench/bench_hostile.py
	$(PY) bench/bench_e2e.py
	$(PY) bench/broker_growth.py

soak: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/soak.py

FUZZ_SECONDS ?= 600
fuzz: setup
	$(PY) -m pip install --quiet -e '.[fuzz]'
	$(PY) tests/fuzz/seed_corpus.py .fuzz/seeds
	mkdir -p .fuzz/corpus .fuzz/crashes
	$(PY) tests/fuzz/fuzz_articles.py .fuzz/corpus .fuzz/seeds -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -artifact_prefix=.fuzz/crashes/ -print_final_stats=1

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .fuzz .hypothesis
