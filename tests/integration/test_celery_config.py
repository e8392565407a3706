"""The definitions under Dagster's Celery executor (national scale, README): they load, the
run config of a deployment validates and the month's plan has a step per county. No broker is
contacted. setup installs dagster-celery without its pin of another dagster patch version."""

from __future__ import annotations

from assets.definitions import build_defs
from pipeline.core.execution import CELERY
from pipeline.core.layout import REPO
from pipeline.ingest.reference import Reference

CELERY_RUN_CONFIG = {
    "execution": {
        "config": {
            "broker": "pyamqp://kac@broker.internal//",
            "backend": "rpc://",
            "include": ["assets.definitions"],
            "config_source": {"task_default_queue": "kac", "worker_prefetch_multiplier": 1},
        }
    }
}


def test_definitions_load_with_the_celery_executor(tmp_path) -> None:
    from dagster import validate_run_config
    from dagster._core.execution.api import create_execution_plan

    month = build_defs(REPO / "inputs", tmp_path, CELERY).resolve_job_def("month")
    assert month.executor_def.name == "celery"
    validate_run_config(month, CELERY_RUN_CONFIG)
    plan = create_execution_plan(month, run_config=CELERY_RUN_CONFIG)
    counties = Reference.load(REPO / "inputs" / "reference").counties.code
    steps = {step.key for step in plan.steps}
    assert {f"county_{code}" for code in counties} <= steps
