# Developer shortcuts; CI runs .ci/run, which does the same from a clean virtual environment.
PY := .venv/bin/python

.PHONY: install test check lint types format bench demo

install:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'

test:
	$(PY) -m pytest -q

lint:
	.venv/bin/ruff check scanner tests bench
	.venv/bin/ruff format --check scanner tests bench

types:
	.venv/bin/mypy

check: lint types test

format:
	.venv/bin/ruff check --fix scanner tests bench
	.venv/bin/ruff format scanner tests bench

bench:
	$(PY) bench/bench_evaluate.py
	$(PY) bench/bench_matching.py
	$(PY) bench/bench_refetch.py
	$(PY) bench/bench_fetch_concurrency.py
	$(PY) bench/bench_fetch_ratelimit.py
	$(PY) bench/bench_connectors.py
	$(PY) bench/bench_load.py
	$(PY) bench/bench_startup.py
	$(PY) bench/bench_history.py

demo:
	.venv/bin/rollcall demo
