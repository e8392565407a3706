"""The helper process's side of the history months (assets.runner.compute_history): the rest of
each month, one month behind the process that started it. It imports `assets.quiet_steps`
before the definitions, so that library notices stay off stderr, as in `kac`."""

from __future__ import annotations

import logging
from pathlib import Path

from dagster import AssetKey
from dagster._core.utils import make_new_run_id

import assets.quiet_steps  # noqa: F401  (before the definitions are imported)
from assets.definitions import build_defs
from assets.instance import instance_for
from assets.runner import HISTORY_JOB, Jobs, RunReport, execute
from pipeline.core.execution import IN_PROCESS
from pipeline.core.layout import Layout
from pipeline.core.progress import progress
from pipeline.core.runtime import settle_heap
from pipeline.publish.snapshot import take_snapshot

_jobs: list[Jobs] = []  # the definitions and instance, made once as the process starts
_lines: list[tuple[int, str]] = []  # progress lines, handed back with each month


class _KeepLines(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        _lines.append((record.levelno, record.getMessage()))


def start(inputs: str, outputs: str) -> None:
    layout = Layout(Path(inputs), Path(outputs))
    _jobs.append(Jobs(build_defs(layout.inputs, layout.outputs, IN_PROCESS), instance_for(layout)))
    progress.addHandler(_KeepLines())
    progress.setLevel(logging.INFO)
    settle_heap()


def rest_of_month(month: str, keys: list[str]) -> tuple[bool, RunReport, list[tuple[int, str]]]:
    """One run of `keys` for `month`: its tables kept aside first and put back if it fails, as
    the carried part's intake step does. (success, its report, its progress lines)."""
    (jobs,) = _jobs
    _lines.clear()
    report = RunReport(month, success=False)
    run_id = make_new_run_id()
    take_snapshot(jobs.defs.resources["settings"].layout, month, run_id, with_site=False, holds_run=True)
    success = execute(
        jobs, HISTORY_JOB, month, report, only={AssetKey.from_user_string(k) for k in keys}, run_id=run_id
    )
    return success, report, list(_lines)
