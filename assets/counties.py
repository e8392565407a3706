"""One asset per county workbook: the operator sees every county's state of a month."""

from collections.abc import Callable

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    AssetsDefinition,
    DagsterRunStatus,
    DataVersion,
    MetadataValue,
    Output,
    TableColumn,
    TableRecord,
    TableSchema,
    asset,
)
from dagster._core.definitions.data_version import DATA_VERSION_TAG

from assets.partitions import months
from assets.resources import KacSettings
from assets.sources import COUNTY_DEPS
from pipeline.core.code import package_digest
from pipeline.core.months import from_partition_key, shift
from pipeline.core.progress import progress
from pipeline.ingest.county import CountyIntake, ingest_county
from pipeline.ingest.fingerprint import READER_PACKAGES, CountyInputs, county_inputs
from pipeline.ingest.submissions import STATUS_LABELS

COUNTIES_GROUP = "counties"


def county_key(code: str) -> AssetKey:
    return AssetKey(f"county_{code}")


def is_county(key: AssetKey) -> bool:
    return key.path[0].startswith("county_")


def county_asset(code: str, name: str) -> AssetsDefinition:
    key = county_key(code)

    @asset(
        key=key,
        group_name=COUNTIES_GROUP,
        partitions_def=months,
        deps=COUNTY_DEPS,
        code_version=package_digest(*READER_PACKAGES),
        description=f"{name}报送的月度大客户用邮情况表:校验后的明细、问题清单与报送状态。",
        check_specs=[
            AssetCheckSpec(
                "rows_accounted",
                asset=key,
                blocking=True,
                description="读入的每一行都已采用或隔离,没有行被静默丢弃",
            ),
        ],
        kinds={"excel"},
    )
    def county_workbook(context: AssetExecutionContext, settings: KacSettings):
        month = from_partition_key(context.partition_key)
        ref = settings.reference()
        inputs = inputs_of(settings, month)
        version = inputs.version(code)  # of the file before it is read: a copy still under way
        # shows as changed again once finished, never as the version that was read
        intake = ingest_county(code, month, inputs.files.get(code, []), ref, inputs.archive_names)
        progress.info(
            "  %s:%s,%d 行,读表问题 %d 条",
            name,
            STATUS_LABELS[intake.status],
            intake.rows_read,
            len(intake.problems),
        )
        yield Output(
            intake,
            data_version=DataVersion(version),
            metadata={
                "status": STATUS_LABELS[intake.status],
                "files": "、".join(intake.files) or "—",
                "sha256": intake.sha256 or "—",
                "rows_read": intake.rows_read + intake.case_rows_read,
                "rows_used": len(intake.usage_rows) + len(intake.cases),
                "problems": _problems_table(intake),
                "problems_total": len(intake.problems),
            },
        )
        read, used, quarantined = intake.row_counts()  # with the 客户档案 and 走访记录 rows
        yield AssetCheckResult(
            check_name="rows_accounted",
            passed=intake.rows_accounted(),  # every row read is used or quarantined
            metadata={"rows_read": read, "rows_used": used, "rows_quarantined": quarantined},
        )

    return county_workbook


def inputs_of(settings: KacSettings, month: str) -> CountyInputs:
    """What the county steps of `month` read with (last month's archive: the source
    `computed_tables` of the month before, not an input: county → archive → next month's county
    would be a loop that an asset graph cannot hold)."""
    layout = settings.layout
    return county_inputs(
        settings.reference(), layout.month_inputs(month), layout.tables(shift(month, -1)) / "archive.parquet"
    )


def changed_counties(
    settings: KacSettings, month: str, instance, published: Callable[[str], bool] | None = None
) -> dict[AssetKey, str]:
    """County assets of `month` to read again — inputs changed since last read, or never read —
    with their new fingerprints. The others' stored results are used as they are.
    `published(run_id)`: only what such runs read counts as read (a run that failed after
    reading a county put the month back as it was, so the change is still to publish). Either
    way the stored result must be of these inputs: a failed run may have stored another file's."""
    inputs = inputs_of(settings, month)
    partition = f"{month}-01"
    out = {}
    for code in settings.reference().counties.code:
        key, version = county_key(code), inputs.version(code)
        stored = settings.layout.storage / key.path[0] / partition
        if not stored.exists() or any(
            v != version for v in recorded_versions(instance, key, partition, published)
        ):
            out[key] = version
    return out


def succeeded_runs(instance):
    """run id → whether the run succeeded, each looked up once (a county counts as read only
    by a run that succeeded: one that failed put the month back as it was)."""
    statuses: dict[str, bool] = {}

    def succeeded(run_id: str) -> bool:
        if run_id not in statuses:
            run = instance.get_run_by_id(run_id)
            statuses[run_id] = run is not None and run.status == DagsterRunStatus.SUCCESS
        return statuses[run_id]

    return succeeded


def recorded_versions(
    instance, key: AssetKey, partition: str, published: Callable[[str], bool] | None = None
) -> list[str | None]:
    """The data version of the last materialisation of `key` for `partition` (what is stored),
    and, when `published` is given, of the last by a run that `published`: one query."""
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1 if published is None else 20
    ).records
    versions = [r.asset_materialization.tags.get(DATA_VERSION_TAG) for r in records]
    latest = versions[0] if records else None
    if published is None:
        return [latest]
    kept = [v for r, v in zip(records, versions, strict=True) if published(r.run_id)]
    return [latest, kept[0] if kept else None]


SHOWN_PROBLEMS = 50  # in the UI; problems.csv and 问题清单.xlsx hold them all
PROBLEM_SCHEMA = TableSchema(
    columns=[
        TableColumn(name, "string", description=label)
        for name, label in [
            ("severity", "级别"),
            ("code", "代码"),
            ("sheet", "工作表"),
            ("cell", "单元格"),
            ("value", "原值"),
            ("message", "说明"),
        ]
    ]
)


def _problems_table(intake: CountyIntake) -> MetadataValue:
    """The county's problems as a table in the UI (the first ones; the files hold them all)."""
    records = [
        TableRecord({c.name: str(getattr(p, c.name)) for c in PROBLEM_SCHEMA.columns})
        for p in intake.problems[:SHOWN_PROBLEMS]
    ]
    return MetadataValue.table(records, schema=PROBLEM_SCHEMA)
