# The two commands of the README, and a few for developers.
.PHONY: setup demo test lint format dev bench

setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/kac demo

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/python -m pytest -q

lint:
	.venv/bin/ruff check .

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# Dagster UI on the same instance as `kac` (outputs/.dagster)
dev: setup
	mkdir -p outputs/.dagster
	DAGSTER_HOME=$(CURDIR)/outputs/.dagster .venv/bin/dagster dev

# Benchmarks (not tests): medians and ratios against baselines measured in the same run
bench: setup
	.venv/bin/python -m benchmarks.bench
