"""What the steps read that no step of the graph writes for the same month, declared to Dagster
as observable sources with a data version each: the reference data, a month's county workbooks,
a survey wave's workbooks, and the tables of months already computed (a county reads last
month's archive; a survey wave and the site read the months they report). Observing them (the
UI's "Observe sources", or the sensor below when files change) makes Dagster show what is stale.

The published tables are a source, not an input: county → archive → next month's county would
be a loop, which an asset graph cannot hold.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from dagster import (
    AllPartitionMapping,
    AssetDep,
    AssetKey,
    DataVersion,
    DataVersionsByPartition,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    TimeWindowPartitionMapping,
    define_asset_job,
    observable_source_asset,
    sensor,
)

from assets.partitions import months
from assets.resources import KacSettings
from pipeline.core.digest import files_digest
from pipeline.core.layout import Layout
from pipeline.ingest.system import system_folder

SOURCES_GROUP = "sources"
OBSERVE_JOB, OBSERVE_SURVEYS_JOB = "observe_sources", "observe_survey_sources"
_MONTH = re.compile(r"\d{4}-\d{2}")


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(("~$", "."))]


def _by_month(root: Path, layout_path, pattern: str = "*") -> DataVersionsByPartition:
    """A version per month partition whose folder exists under `root`."""
    known = set(months.get_partition_keys())
    versions = {}
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        key = f"{folder.name}-01"
        if folder.is_dir() and _MONTH.fullmatch(folder.name) and key in known:
            files = [p for p in layout_path(folder.name).glob(pattern) if p.is_file()]
            versions[key] = DataVersion(files_digest(files))
    return DataVersionsByPartition(versions)


@observable_source_asset(
    group_name=SOURCES_GROUP,
    description="参照数据 inputs/reference/:县(市)、业务种类、客户经理名册、年度目标、规则与别名",
)
def reference_data(settings: KacSettings) -> DataVersion:
    return DataVersion(files_digest(_files(settings.layout.reference)))


@observable_source_asset(
    group_name=SOURCES_GROUP,
    partitions_def=months,
    description="各月报表 inputs/YYYY-MM/:各县(市)月报与中心的考核评分表",
)
def month_workbooks(settings: KacSettings) -> DataVersionsByPartition:
    layout: Layout = settings.layout
    return _by_month(layout.inputs, layout.month_inputs)


@observable_source_asset(
    group_name=SOURCES_GROUP,
    partitions_def=months,
    description="量收系统导出 inputs/YYYY-MM/系统数据/(可选):与各县(市)报表对账",
)
def system_exports(settings: KacSettings) -> DataVersionsByPartition:
    """Its own source, not part of month_workbooks: a new export makes the month's reconciliation
    (and what follows it) stale, never a county's workbook (the county fingerprints leave the
    folder out)."""
    layout: Layout = settings.layout
    return _by_month(layout.inputs, lambda month: system_folder(layout.month_inputs(month)))


@observable_source_asset(
    group_name=SOURCES_GROUP,
    partitions_def=months,
    description="已计算月份的数据表 outputs/tables/YYYY-MM/(次月读上月档案;测评与网站读所报告的月份)",
)
def computed_tables(settings: KacSettings) -> DataVersionsByPartition:
    layout: Layout = settings.layout
    return _by_month(layout.outputs / "tables", layout.tables, "*.parquet")


def survey_workbooks_source(waves):
    @observable_source_asset(
        group_name=SOURCES_GROUP,
        partitions_def=waves,
        description="满意度测评 inputs/surveys/YYYY-H1/:各县(市)的测评表",
    )
    def survey_workbooks(settings: KacSettings) -> DataVersionsByPartition:
        root = settings.layout.inputs / "surveys"
        known = set(waves.get_partition_keys())
        return DataVersionsByPartition(
            {
                folder.name: DataVersion(files_digest(_files(folder)))
                for folder in (sorted(root.iterdir()) if root.is_dir() else [])
                if folder.is_dir() and folder.name in known
            }
        )

    return survey_workbooks


# what a county's workbook of a month is read with
COUNTY_DEPS = [
    AssetDep("reference_data"),
    AssetDep("month_workbooks"),
    AssetDep(
        "computed_tables",  # last month's archive: customer names to check the usage rows against
        partition_mapping=TimeWindowPartitionMapping(
            start_offset=-1, end_offset=-1, allow_nonexistent_upstream_partitions=True
        ),
    ),
]
ASSESSMENT_DEPS = [AssetDep("reference_data"), AssetDep("month_workbooks")]
# every month's tables (the site's pages, a wave's end month)
ALL_TABLES = AssetDep("computed_tables", partition_mapping=AllPartitionMapping())
# every survey wave, as read by a month (its latest wave ended): the workbooks, and the tables the
# wave's own step wrote (outputs/tables/surveys/WAVE)
ALL_SURVEYS = [
    AssetDep("survey_workbooks", partition_mapping=AllPartitionMapping()),
    AssetDep("survey_wave", partition_mapping=AllPartitionMapping()),
]

SOURCE_KEYS = [
    AssetKey("reference_data"),
    AssetKey("month_workbooks"),
    AssetKey("computed_tables"),
    AssetKey("system_exports"),
    AssetKey("project_register"),  # assets/projects.py
]
# what the month's reconciliation reads: the export, and the aliases and rules it is read with
RECONCILIATION_DEPS = [AssetDep("reference_data"), AssetDep("system_exports")]
# one job per partitions definition (months; waves), as Dagster asks of an asset job
observe_jobs = [
    define_asset_job(
        OBSERVE_JOB,
        selection=SOURCE_KEYS,
        description="观察参照数据、各月报表与已计算数据表的版本(界面据此标出需要重算的资产)",
    ),
    define_asset_job(
        OBSERVE_SURVEYS_JOB,
        selection=[AssetKey("survey_workbooks")],
        description="观察各轮满意度测评表的版本",
    ),
]


def _stamp(layout: Layout) -> str:
    """Cheap: names, sizes and times of every file the sources cover (their bytes are hashed
    only when this changes)."""
    roots = [layout.inputs, layout.outputs / "tables"]
    stamps = sorted(
        (str(p), p.stat().st_size, p.stat().st_mtime_ns)
        for root in roots
        if root.is_dir()
        for p in _files(root)
    )
    return hashlib.sha256(repr(stamps).encode()).hexdigest()


@sensor(
    jobs=observe_jobs,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="输入文件或数据表有变化时观察一次数据来源",
)
def sources_changed(context: SensorEvaluationContext, settings: KacSettings):
    stamp = _stamp(settings.layout)
    if stamp == context.cursor:
        return SkipReason("输入文件与数据表没有变化")
    context.update_cursor(stamp)
    return [RunRequest(run_key=f"{job}:{stamp}", job_name=job) for job in (OBSERVE_JOB, OBSERVE_SURVEYS_JOB)]
