# The two commands of the README, and a few for developers.
.PHONY: setup demo test test-unit test-postgres test-distributed lint format dev bench bench-compare

setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/kac demo

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/python -m pytest -q -n auto --dist worksteal

# The plain functions only (no Dagster): seconds
test-unit: setup
	.venv/bin/python -m pytest -q -m unit

# The definitions on PostgreSQL storage with a process per step, against a server started
# from Debian's postgresql package on loopback (installed here when missing)
test-postgres: setup
	scripts/setup.sh postgres
	.venv/bin/python -m pytest -q -m postgres tests/integration/test_postgres.py

# A month on two Celery workers (dagster-celery) with a RabbitMQ broker and PostgreSQL from
# Debian's packages on loopback (installed here when missing): byte-identical to the in-process
# month, and one worker killed mid-step without losing the run (a few minutes)
test-distributed: setup
	scripts/setup.sh distributed
	.venv/bin/python -m pytest -q -s -m distributed tests/integration/test_distributed.py

lint:
	.venv/bin/ruff check .

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# Dagster UI on the same instance as `kac` (outputs/.dagster); SIGINT or SIGTERM stops it in
# about 4 s, also when started in the background (scripts/dagster_dev.py)
dev: setup
	mkdir -p outputs/.dagster
	DAGSTER_HOME=$(CURDIR)/outputs/.dagster .venv/bin/python scripts/dagster_dev.py

# Benchmarks (not tests): medians and ratios against baselines measured in the same run
bench: setup
	.venv/bin/python -m benchmarks.bench

# this tree against BASE (a commit, tag or branch), stage by stage: make bench-compare BASE=v1
bench-compare: setup
	.venv/bin/python -m benchmarks.compare --base $(BASE)
