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
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from assets.counties import changed_counties
from assets.resources import KacSettings
from pipeline.months import from_partition_key
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
