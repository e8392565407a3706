"""The executor of a month: chosen by county count from the rules, or forced."""

from __future__ import annotations

import pytest

from assets.definitions import build_defs
from pipeline.core.execution import IN_PROCESS, MULTIPROCESS, choose_executor, max_processes
from pipeline.core.layout import REPO
from pipeline.core.rules import RuleBook


def rules(**execution):
    period = {"from": "2025-01", "execution": execution} if execution else {"from": "2025-01"}
    return RuleBook([period]).latest()


def test_threshold_from_the_rules(monkeypatch) -> None:
    monkeypatch.delenv("KAC_EXECUTOR", raising=False)
    limit = rules(multiprocess_from_counties=100)
    assert choose_executor(17, limit) == IN_PROCESS
    assert choose_executor(99, limit) == IN_PROCESS
    assert choose_executor(100, limit) == MULTIPROCESS
    assert choose_executor(2800, rules()) == IN_PROCESS  # an older rules file without the section


def test_override_and_environment(monkeypatch) -> None:
    limit = rules(multiprocess_from_counties=100)
    assert choose_executor(17, limit, MULTIPROCESS) == MULTIPROCESS
    monkeypatch.setenv("KAC_EXECUTOR", "multiprocess")
    assert choose_executor(17, limit) == MULTIPROCESS
    assert choose_executor(183, limit, IN_PROCESS) == IN_PROCESS
    with pytest.raises(ValueError, match="executor 'threads'"):
        choose_executor(17, limit, "threads")


def test_max_processes() -> None:
    assert max_processes(rules(max_processes=3)) == 3
    assert max_processes(rules(max_processes=0)) >= 1


def test_definitions_carry_the_chosen_executor(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("KAC_EXECUTOR", raising=False)
    sample = build_defs(REPO / "inputs", tmp_path).resolve_job_def("month")
    assert sample.executor_def.name == "in_process"  # 17 counties: below the rules' threshold
    forced = build_defs(REPO / "inputs", tmp_path, MULTIPROCESS).resolve_job_def("month")
    assert forced.executor_def.name == "forkserver_multiprocess"
    config = forced.executor_def.apply_config_mapping({}).value["config"]
    assert "assets.counties" in config["start_method"]["forkserver"]["preload_modules"]
