"""The contract checks (assets.checks) run in the month's own runs, per partition, and pass on a
real month; a table that breaks the contract fails its check, and kac's report names it."""

from __future__ import annotations

import pandas as pd
from dagster import AssetCheckKey, AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from assets.checks import MONTH_TABLES, WAVE_TABLES, check_name
from assets.definitions import build_defs
from assets.runner import RunReport, _failed_checks, instance_for
from pipeline.core.contract import TIERS
from pipeline.core.layout import Layout
from pipeline.core.tables import write_table

MONTH = "2025-03"
PAY_ASSETS = {"pay", "pay_statements", "todo_lists"}  # not in the history months' analytics job


def evaluations(instance: DagsterInstance, job: str, partition: str) -> list[list]:
    """The check evaluations of each successful run of `job` for `partition`."""
    runs = instance.get_runs(
        RunsFilter(job_name=job, statuses=[DagsterRunStatus.SUCCESS], tags={"dagster/partition": partition})
    )
    return [
        [
            e.dagster_event.event_specific_data
            for e in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
        for run in runs
    ]


def contract(found: list) -> dict[tuple[str, str], tuple[bool, str | None, str]]:
    return {
        (e.asset_key.to_user_string(), e.check_name): (e.passed, e.partition, e.description)
        for e in found
        if e.check_name.endswith("_contract")
    }


def expected(tables: dict, skip: set[str] = frozenset()) -> set[tuple[str, str]]:
    return {(a, check_name(t)) for a, ts in tables.items() if a not in skip for t in ts}


def test_the_month_run_records_every_contract_check_as_passed(published):
    instance = instance_for(published)
    runs = evaluations(instance, "month", f"{MONTH}-01")
    assert runs
    for found in runs:
        checks = contract(found)
        assert set(checks) == expected(MONTH_TABLES)
        assert {c: r for c, r in checks.items() if r[:2] != (True, f"{MONTH}-01")} == {}


def test_history_months_and_survey_waves_are_checked_in_their_own_runs(published):
    instance = instance_for(published)
    for month in ("2025-01", "2025-02"):
        (found,) = evaluations(instance, "month_analytics", f"{month}-01")
        checks = contract(found)
        assert set(checks) == expected(MONTH_TABLES, PAY_ASSETS)
        assert all(passed and partition == f"{month}-01" for passed, partition, _ in checks.values())
    (found,) = evaluations(instance, "survey_waves", "2025-H1")
    assert contract(found) == {
        # the small sample has no survey: the wave publishes nothing and its check says so
        ("survey_wave", "satisfaction_contract"): (
            True,
            "2025-H1",
            "2025-H1: nothing published (no survey workbooks)",
        )
    }
    assert expected(WAVE_TABLES) == {("survey_wave", "satisfaction_contract")}


def test_a_broken_table_fails_its_check_and_the_report_names_it(published, tmp_path):
    """tiers.csv with a customer twice and a blank tier: the check alone, run as the month job
    runs it (same definitions, the month's partition)."""
    layout = Layout(published.inputs, tmp_path / "outputs")
    tiers = pd.read_parquet(published.tables(MONTH) / "tiers.parquet")
    broken = pd.concat([tiers, tiers.head(1)], ignore_index=True)
    broken.loc[1, "tier"] = ""
    write_table(broken, layout.tables(MONTH), TIERS)
    job = build_defs(layout.inputs, layout.outputs, "in_process").resolve_job_def("month")
    key = AssetCheckKey(AssetKey("tiers"), "tiers_contract")
    result = job.get_subset(asset_check_selection={key}).execute_in_process(
        partition_key=f"{MONTH}-01", instance=DagsterInstance.ephemeral()
    )
    assert result.success  # not blocking: the month would still be published
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.partition == f"{MONTH}-01"
    violations = evaluation.metadata["violations"].value
    assert violations == [
        "tier: blank in a required column at row 3",
        f"key (customer_id) not unique: 2 rows share a key, e.g. {tiers.customer_id[0]} "
        f"at row 2, {len(tiers) + 2}",
    ]
    report = RunReport(MONTH, success=True)
    _failed_checks(result, report)
    assert report.failed_checks == [f"tiers:tiers_contract({MONTH}-01) tiers.csv: {'; '.join(violations)}"]
