"""Automation while `dagster dev` runs: a corrected or late county file re-runs its month, then
every later month already computed, in order, as `kac run YYYY-MM` does.

The sensor compares each county's input fingerprint (the county asset's data version: its file,
the reference data, last month's archive names, the reader's code) with the one recorded at the
last materialisation by a run that succeeded, for every month already processed. It asks for
one run at a time (a later month reads the earlier month's partitions): the earliest month whose
counties changed, with exactly the changed counties and everything downstream of them, or else
the earliest month whose last recompute is older than an earlier month's recomputed outside
`kac` (pipeline.carry_forward). Months not yet processed are left to the schedule on the 4th (or
`kac run`).
"""

from __future__ import annotations

import hashlib

from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRecord,
    RunRequest,
    RunsFilter,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)

from assets.counties import changed_counties, succeeded_runs
from assets.resources import KacSettings
from pipeline.core.months import from_partition_key
from pipeline.publish.carry_forward import BY_KAC_TAG, MonthState, next_run
from pipeline.publish.editions import read_manifest
from pipeline.publish.snapshot import discard_snapshot, restore_snapshot, snapshots

SENSOR_INTERVAL_SECONDS = 60
MONTH_JOBS = ("month", "month_analytics")
UNFINISHED = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


def county_files_sensor(downstream: list[AssetKey], analytics: list[AssetKey]):
    """`downstream`: the month job's assets other than the counties (always recomputed) for a
    published month; `analytics`: those of a month computed only as history (never published
    by the sensor: the operator publishes a month)."""

    @sensor(
        job_name="month",
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="县(市)报表新增或更正后,只重读变化的县并重算该月,再依次重算其后已处理过的月份",
    )
    def county_files_changed(
        context: SensorEvaluationContext, settings: KacSettings
    ) -> SensorResult | SkipReason:
        instance = context.instance
        busy = _month_run_in_flight(instance)
        if busy is not None:  # the next month must read this run's partitions
            month = busy.dagster_run.tags.get("dagster/partition", "")[:7]
            return SkipReason(f"等待 {month} 的运行 {busy.dagster_run.run_id[:8]} 结束")
        unrestored = _finished_with_snapshot(instance, settings)
        if unrestored:  # a run stopped with dagster dev: its month is put back first (guards below)
            return SkipReason(f"等待恢复运行 {unrestored[:8]} 之前已发布的内容(该运行未成功)")
        changed, states = {}, {}
        succeeded = succeeded_runs(instance)
        for partition in sorted(instance.get_materialized_partitions(AssetKey("usage"))):
            month = from_partition_key(partition)
            changed[month] = changed_counties(settings, month, instance, succeeded)
            states[month] = _state(instance, month, bool(changed[month]), set(analytics))
        chosen = next_run(list(states.values()))
        if chosen is None:
            return SensorResult(run_requests=[])
        month, counties = chosen.month, changed[chosen.month]
        published = bool(read_manifest(settings.layout.bulletins(month))["versions"])
        key, base = _run_key(instance, month, counties, states[month], chosen.after)
        failed = _refused(instance, month, key, base)
        if failed is not None:  # asked for once: say why nothing runs until the files change
            return SkipReason(
                f"{month} 的运行 {failed.run_id[:8]} 失败(见该运行的说明),报表未再变化:"
                "改正报表后自动重新运行,或在界面中重新执行该运行"
            )
        after = chosen.after
        tags = {"kac/counties": ",".join(k.path[0].removeprefix("county_") for k in counties)}
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=key,
                    partition_key=f"{month}-01",
                    asset_selection=[*sorted(counties, key=str), *(downstream if published else analytics)],
                    tags={**tags, **({"kac/after": after.month} if after else {})},
                )
            ]
        )

    return county_files_changed


# a run that ended for these reasons failed through no fault of the files: asked for again
NOT_THE_FILES = {"UNEXPECTED_TERMINATION", "RUN_WORKER_RESTART", "START_TIMEOUT"}


def _run_key(
    instance: DagsterInstance,
    month: str,
    counties: dict[AssetKey, str],
    state: MonthState,
    after: MonthState | None,
) -> tuple[str, str]:
    """The same change (county fingerprints), or the same earlier run carried forward, is asked
    for once; asked again after the month last succeeded (a state that failed before may pass
    now) or after its last run was cut short (stopped, not refused by the files). (key, the part
    the files decide)."""
    digest = hashlib.sha256("".join(sorted(counties.values())).encode()).hexdigest()[:16]
    base = f"{month}-01:{digest}" + (f":{after.run_id}" if after else "")
    key = base + (f":{state.run_id[:8]}" if state.run_id else "")
    last = instance.get_run_records(RunsFilter(tags={"dagster/partition": f"{month}-01"}), limit=1)
    if last and last[0].dagster_run.tags.get("dagster/failure_reason") in NOT_THE_FILES:
        key += f":{last[0].dagster_run.run_id[:8]}"
    return key, base


ENDED_BADLY = (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)


def _refused(instance: DagsterInstance, month: str, key: str, base: str) -> DagsterRun | None:
    """The run to name when `key` was asked for already and ended badly (Dagster asks for a key
    once): the month's latest such run for the same files, else the one with the key."""
    used = instance.get_run_records(RunsFilter(tags={"dagster/run_key": key}), limit=1)
    if not used or used[0].dagster_run.status not in ENDED_BADLY:
        return None
    runs = instance.get_run_records(RunsFilter(tags={"dagster/partition": f"{month}-01"}), limit=20)
    same_files = [
        r.dagster_run
        for r in runs
        if r.dagster_run.status in ENDED_BADLY
        and r.dagster_run.tags.get("dagster/run_key", "").startswith(base)
    ]
    return same_files[0] if same_files else used[0].dagster_run


def _finished_with_snapshot(instance: DagsterInstance, settings: KacSettings) -> str | None:
    """A run that failed but whose copy of the month is still there (the guard below has not put
    it back yet): asking for the month now would snapshot a half-written one, which the guard
    would then overwrite. (A succeeded run's copy is only ever dropped: no need to wait.)"""
    for run_id in snapshots(settings.layout):
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status in ENDED_BADLY:
            return run_id
    return None


def _month_run_in_flight(instance: DagsterInstance) -> RunRecord | None:
    records = instance.get_run_records(RunsFilter(statuses=UNFINISHED), limit=50)
    return next((r for r in records if r.dagster_run.job_name in MONTH_JOBS), None)


def _state(instance: DagsterInstance, month: str, changed: bool, analytics: set[AssetKey]) -> MonthState:
    """The month's last successful run that recomputed all its analytics (a run of `site` alone
    changes nothing a later month reads)."""
    records = instance.get_run_records(
        RunsFilter(statuses=[DagsterRunStatus.SUCCESS], tags={"dagster/partition": f"{month}-01"}), limit=20
    )
    for record in records:
        run = record.dagster_run
        selection = run.asset_selection
        if run.job_name in MONTH_JOBS and (selection is None or analytics <= set(selection)):
            return MonthState(
                month,
                changed,
                run.run_id,
                (record.start_time or 0.0),
                (record.end_time or 0.0),
                run.tags.get(BY_KAC_TAG) == "true",
            )
    return MonthState(month, changed)


def published_month_guards(jobs: list[str]):
    """A month run started from the UI (or the sensor above) that fails puts back what was
    published, as `kac run` does at once (pipeline.snapshot); one that succeeds drops its copy."""

    @run_failure_sensor(
        monitored_jobs=jobs,
        default_status=DefaultSensorStatus.RUNNING,
        description="月度运行失败时,恢复运行前已发布的表格、简报、薪酬与网站",
    )
    def restore_published_on_failure(context: RunFailureSensorContext, settings: KacSettings) -> None:
        month = restore_snapshot(settings.layout, context.dagster_run.run_id)
        if month:
            context.log.info(f"{month}:运行失败,已恢复运行前发布的内容")

    @run_status_sensor(
        run_status=DagsterRunStatus.SUCCESS,
        monitored_jobs=jobs,
        default_status=DefaultSensorStatus.RUNNING,
        description="月度运行成功后,删除运行前的备份",
    )
    def drop_snapshot_on_success(context: RunStatusSensorContext, settings: KacSettings) -> None:
        discard_snapshot(settings.layout, context.dagster_run.run_id)

    return [restore_published_on_failure, drop_snapshot_on_success]
