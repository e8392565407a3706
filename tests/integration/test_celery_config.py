"""The definitions under Dagster's Celery executor (national scale, README): they load, the
executor takes its broker from KAC_CELERY_BROKER with late acknowledgement, the workers' config
file says the same, and the month's plan has a step per county. No broker is contacted here;
`make test-distributed` runs a month on real workers."""

from __future__ import annotations

import yaml

from assets.definitions import build_defs
from assets.workers import BROKER_ENV, worker_config_yaml
from pipeline.core.execution import CELERY
from pipeline.core.layout import REPO
from pipeline.ingest.reference import Reference

BROKER = "pyamqp://kac@broker.internal//"


def test_kac_writes_the_workers_file_with_the_broker_of_the_environment(monkeypatch, capsys) -> None:
    from assets.cli import main

    monkeypatch.setenv(BROKER_ENV, BROKER)
    assert main(["celery-config"]) == 0
    written = yaml.safe_load(capsys.readouterr().out)["execution"]["config"]
    assert written["broker"] == BROKER and written["config_source"]["task_acks_late"] is True


def test_definitions_load_with_the_celery_executor(tmp_path, monkeypatch) -> None:
    from dagster import validate_run_config
    from dagster._core.execution.api import create_execution_plan

    monkeypatch.setenv(BROKER_ENV, BROKER)
    month = build_defs(REPO / "inputs", tmp_path, CELERY).resolve_job_def("month")
    assert month.executor_def.name == "celery"
    execution = validate_run_config(month, {})["execution"]["celery"]
    assert execution["broker"] == BROKER and execution["backend"] == "rpc://"
    assert execution["config_source"]["task_acks_late"] is True
    assert execution["config_source"]["task_reject_on_worker_lost"] is True
    worker = yaml.safe_load(worker_config_yaml())["execution"]["config"]
    assert {k: worker[k] for k in ("broker", "backend", "config_source")} == {
        k: execution[k] for k in ("broker", "backend", "config_source")
    }
    plan = create_execution_plan(month)
    counties = Reference.load(REPO / "inputs" / "reference").counties.code
    steps = {step.key for step in plan.steps}
    assert {f"county_{code}" for code in counties} <= steps
