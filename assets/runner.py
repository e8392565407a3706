"""Running months through Dagster in-process, as `kac run` does (and tests do)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import AssetKey, DagsterInstance, Definitions

from assets.counties import changed_counties, is_county
from assets.definitions import build_defs
from assets.partitions import FIRST_MONTH, months
from pipeline.layout import Layout
from pipeline.months import from_partition_key, month_range, shift, to_partition_key
from pipeline.progress import progress
from pipeline.versions import read_manifest

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
# The operator's instance: no telemetry, no per-step stdout capture (≈10 % of a month's run).
INSTANCE_CONFIG = """\
telemetry:
  enabled: false
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""


class MonthNotAvailable(ValueError):
    """The month is outside the partitions (before the first month or not yet closed)."""


@dataclass
class RunReport:
    month: str
    success: bool
    history_months: list[str] = field(default_factory=list)
    later_months: list[tuple[str, int, bool]] = field(default_factory=list)  # (month, version, new)
    counties_read: dict[str, list[str]] = field(default_factory=dict)  # month -> county codes read
    failed_step: str = ""
    error: str = ""


def instance_for(layout: Layout) -> DagsterInstance:
    """The persistent instance under outputs/.dagster (shared with `dagster dev` via DAGSTER_HOME)."""
    layout.dagster_home.mkdir(parents=True, exist_ok=True)
    config = layout.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
    return DagsterInstance.from_config(str(layout.dagster_home))


def check_month(month: str) -> None:
    keys = months.get_partition_keys()
    if to_partition_key(month) not in keys:
        raise MonthNotAvailable(f"{month} 不在可处理的月份范围内({FIRST_MONTH} 至 {keys[-1][:7]})")


def run_month(
    layout: Layout,
    month: str,
    instance: DagsterInstance | None = None,
    defs: Definitions | None = None,
) -> RunReport:
    """Materialise `month` (counties → tables → bulletin → site), building missing history first."""
    check_month(month)
    instance = instance or instance_for(layout)
    defs = defs or build_defs(layout.inputs, layout.outputs)
    report = RunReport(month, success=False)
    done = instance.get_materialized_partitions(AssetKey("usage"))
    for earlier in month_range(FIRST_MONTH, shift(month, -1)):
        if to_partition_key(earlier) in done:
            continue
        progress.info("补齐历史月份 %s(同比、趋势需要)", earlier)
        if not _execute(defs, "month_analytics", earlier, instance, report):
            return report
        report.history_months.append(earlier)
    if not _surveys(defs, instance, report):
        return report
    progress.info("处理 %s", month)
    report.success = _execute(defs, "month", month, instance, report)
    if report.success:
        report.success = _later_months(layout, defs, month, instance, report)
    return report


def _later_months(
    layout: Layout, defs: Definitions, month: str, instance: DagsterInstance, report: RunReport
) -> bool:
    """Months after `month` already computed use it (trailing tier window, last month's tiers,
    year-on-year, year to date): recompute them in order; a published one gets a new version
    only where its content changes."""
    done = instance.get_materialized_partitions(AssetKey("usage"))
    last = from_partition_key(months.get_partition_keys()[-1])
    later = [m for m in month_range(shift(month, 1), last) if to_partition_key(m) in done]
    for other in later:
        before = read_manifest(layout.bulletins(other))["versions"]
        progress.info("重算后续月份 %s(引用了 %s 的数据)", other, month)
        if not _execute(defs, "month" if before else "month_analytics", other, instance, report):
            return False
        if before:
            after = read_manifest(layout.bulletins(other))["versions"][-1]["version"]
            report.later_months.append((other, after, after > before[-1]["version"]))
    return True


def _surveys(defs: Definitions, instance: DagsterInstance, report: RunReport) -> bool:
    """Every survey wave, then the headlines the bulletins quote (a wave is cheap to read)."""
    from assets.surveys import waves

    for wave in waves.get_partition_keys():
        result = defs.resolve_job_def("survey_waves").execute_in_process(
            partition_key=wave, instance=instance, run_config=QUIET, raise_on_error=False
        )
        if not result.success:
            return _failed(result, report)
    result = defs.resolve_job_def("survey_summary").execute_in_process(
        instance=instance, run_config=QUIET, raise_on_error=False
    )
    return result.success or _failed(result, report)


def _execute(defs: Definitions, job: str, month: str, instance: DagsterInstance, report: RunReport) -> bool:
    """Run `job` for `month`; a county whose inputs are as last read is not read again (its
    stored result is used), everything downstream is recomputed."""
    job_def = defs.resolve_job_def(job)
    changed = changed_counties(defs.resources["settings"], month, instance)
    selection = [k for k in job_def.asset_layer.executable_asset_keys if not is_county(k) or k in changed]
    result = job_def.execute_in_process(
        partition_key=to_partition_key(month),
        instance=instance,
        run_config=QUIET,
        raise_on_error=False,
        asset_selection=selection,
    )
    report.counties_read[month] = sorted(k.path[0].removeprefix("county_") for k in changed)
    return result.success or _failed(result, report)


def _failed(result, report: RunReport) -> bool:
    """Record the failing step and the user code's own message; False."""
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    report.failed_step = failure.step_key if failure else ""
    data = failure.step_failure_data if failure else None
    error = data.error if data else None
    while error is not None and error.cause is not None:  # the user code's own exception
        error = error.cause
    report.error = error.message.strip().splitlines()[-1] if error else "运行失败"
    return False
