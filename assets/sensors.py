"""Automation while `dagster dev` runs: a corrected or late county file re-runs its month.

The sensor compares each county's input fingerprint (the county asset's data version: its file,
the reference data, last month's archive names, the reader's code) with the one recorded at the
last materialisation, for every month already processed, and asks for a run of the month job
with exactly the changed counties and everything downstream of them. Months not yet processed
are left to the schedule on the 4th (or `kac run`). Later months that use a corrected month are
recomputed by `kac run YYYY-MM`, which runs them in order.
"""

import hashlib

from dagster import (
    AssetKey,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)

from assets.counties import changed_counties
from assets.resources import KacSettings
from pipeline.months import from_partition_key
from pipeline.snapshot import discard_snapshot, restore_snapshot
from pipeline.versions import read_manifest

SENSOR_INTERVAL_SECONDS = 60


def county_files_sensor(downstream: list[AssetKey], analytics: list[AssetKey]):
    """`downstream`: the month job's assets other than the counties (always recomputed) for a
    published month; `analytics`: those of a month computed only as history (never published
    by the sensor: the operator publishes a month)."""

    @sensor(
        job_name="month",
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="县(市)报表新增或更正后,只重读变化的县并重算该月(已处理过的月份)",
    )
    def county_files_changed(context: SensorEvaluationContext, settings: KacSettings) -> SensorResult:
        requests = []
        for partition in sorted(context.instance.get_materialized_partitions(AssetKey("usage"))):
            month = from_partition_key(partition)
            changed = changed_counties(settings, month, context.instance)
            if not changed:
                continue
            published = bool(read_manifest(settings.layout.bulletins(month))["versions"])
            digest = hashlib.sha256("".join(sorted(changed.values())).encode()).hexdigest()[:16]
            requests.append(
                RunRequest(
                    run_key=f"{partition}:{digest}",  # the same change is asked for once
                    partition_key=partition,
                    asset_selection=[*sorted(changed, key=str), *(downstream if published else analytics)],
                    tags={"kac/counties": ",".join(k.path[0].removeprefix("county_") for k in changed)},
                )
            )
        return SensorResult(run_requests=requests)

    return county_files_changed


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
