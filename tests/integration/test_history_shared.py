"""History months computed with a helper process (assets.runner.compute_history): each month's
part that the next month reads here, the rest one month behind in the helper. The tables are
byte for byte those of months computed one run each (the `published` fixture), every asset and
check is there, and a helper that dies leaves the month to compute again."""

from __future__ import annotations

import os
import signal
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterEventType, DagsterRunStatus, RunsFilter

import assets.runner as runner
from assets.checks import MONTH_TABLES
from assets.runner import RunReport, carried_keys, compute_history, instance_for, jobs_for, missing_history
from pipeline.core.layout import Layout
from tests.integration.test_contract_checks import PAY_ASSETS, contract, expected
from tests.integration.test_correction import copy_of

HISTORY = ["2025-01", "2025-02"]


@pytest.fixture
def shared(monkeypatch):
    """A helper from two history months on, also in a test process given one core of its own."""
    monkeypatch.setattr(runner, "SHARED_HISTORY_FROM", 2)
    monkeypatch.setattr(runner, "worth_a_helper", lambda tasks, apart_from: tasks >= apart_from)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_the_carried_part_is_what_a_later_month_reads():
    from assets.definitions import defs

    names = {k.to_user_string() for k in carried_keys(defs)}
    assert {"usage", "customer_archive", "cases", "tiers", "projects", "key_person_birthdays"} <= names
    assert {"county_xichang", "submissions", "problems"} <= names  # their step's, and what they come from
    assert not names & {"market", "reconciliation", "centre_scorecards", "alerts", "scorecards_table"}


def test_history_shared_with_a_helper_gives_the_same_tables(published, tmp_path, shared):
    layout = Layout(published.inputs, tmp_path / "outputs")
    instance = instance_for(layout)
    jobs = jobs_for(layout, instance)
    assert missing_history(jobs, "2025-03") == HISTORY
    report = RunReport("2025-03", success=False)
    meanwhile = []  # what runs while the helper finishes: the carried part of every month is there

    def then() -> bool:
        meanwhile.append(jobs.instance.get_materialized_partitions(AssetKey("tiers")))
        return True

    assert compute_history(layout, jobs, HISTORY, report, shareable=True, then=then), report.error
    assert meanwhile == [{"2025-01-01", "2025-02-01"}]
    assert report.history_months == HISTORY and report.failed_checks == []
    assert missing_history(jobs, "2025-03") == []
    for month in HISTORY:
        assert files(layout.tables(month)) == files(published.tables(month)), month
        runs = instance.get_runs(
            RunsFilter(job_name="month_analytics", tags={"dagster/partition": f"{month}-01"})
        )
        assert [r.status for r in runs] == [DagsterRunStatus.SUCCESS] * 2  # the carried part, the rest
        checks = {}
        for run in runs:
            found = instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
            checks |= contract([e.dagster_event.event_specific_data for e in found])
        assert set(checks) == expected(MONTH_TABLES, PAY_ASSETS)
        assert all(passed for passed, _, _ in checks.values())


@contextmanager
def dying_helper(preload):
    """The helper process killed as soon as it is given its first month."""
    with runner_helper_process(preload) as pool:
        submit = pool.submit

        def submit_then_die(*args):
            future = submit(*args)
            for process in list(pool._processes.values()):
                os.kill(process.pid, signal.SIGKILL)
            return future

        pool.submit = submit_then_die
        yield pool


runner_helper_process = runner.helper_process


def test_a_helper_that_dies_fails_the_run_and_leaves_the_month_to_compute(
    published, tmp_path, shared, monkeypatch
):
    monkeypatch.setattr(runner, "helper_process", dying_helper)
    layout = Layout(published.inputs, tmp_path / "outputs")
    jobs = jobs_for(layout, instance_for(layout))
    report = RunReport("2025-03", success=False)

    assert not compute_history(layout, jobs, HISTORY, report, shareable=True)
    assert report.failed_step == "month_analytics" and "辅助进程出错" in report.error
    assert missing_history(jobs, "2025-03") == HISTORY  # the rest of 2025-01 is missing: computed next time
    assert jobs.instance.get_materialized_partitions(AssetKey("usage")) >= {"2025-01-01"}


def test_a_month_missing_an_asset_is_computed_again_unless_published(published, tmp_path):
    layout = copy_of(published, tmp_path)
    instance = instance_for(layout)
    jobs = jobs_for(layout, instance)
    assert missing_history(jobs, "2025-04") == []
    instance.wipe_assets([AssetKey("market")])  # as if computed before the market existed
    assert missing_history(jobs, "2025-04") == ["2025-01", "2025-02"]  # 2025-03 is published: kept
    instance.wipe_assets([AssetKey("usage")])  # what a later month needs
    assert missing_history(jobs, "2025-04") == ["2025-01", "2025-02", "2025-03"]


def test_an_error_in_the_helper_outside_its_run_is_one_line_not_a_traceback():
    failed = Future()
    failed.set_exception(OSError(28, "No space left on device"))
    report = RunReport("2025-03", success=False)
    assert not runner._finished([("2025-01", failed)], report, wait=True)
    assert report.failed_step == "month_analytics"
    assert report.error == "2025-01:OSError: [Errno 28] No space left on device"
