"""Asset checks generated from the data contract (pipeline.core.contract): every asset that
writes a contract table gets one check per table, run after it for the same partition, that reads
the CSV back and verifies its columns and their order, required values, the key and the kinds.

Non-blocking: the checks verify the program's own output, not the operator's inputs, so a
failure is a bug for developers to fix; stopping the month would leave nothing published and
nothing the operator could fix. A failure is recorded with the run (ERROR in the UI) and
`kac run` names it.
"""

import warnings
from collections.abc import Callable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    MetadataValue,
    PartitionsDefinition,
    PreviewWarning,
    asset_check,
)

from assets.partitions import months
from assets.resources import KacSettings
from assets.surveys import waves
from pipeline.core.contract import (
    ALERTS,
    ARCHIVE,
    PAY,
    PROBLEMS,
    REJECTED_ROWS,
    SATISFACTION,
    SCORECARDS,
    SUBMISSIONS,
    TIERS,
    USAGE,
    VISITS,
    VOLUMES,
    Table,
    check_csv,
)
from pipeline.core.months import from_partition_key

# asset → the contract tables it writes, for the month partitions
MONTH_TABLES: dict[str, list[Table]] = {
    "usage": [USAGE],
    "submissions": [SUBMISSIONS],
    "problems": [PROBLEMS],
    "rejected_rows": [REJECTED_ROWS],
    "customer_archive": [ARCHIVE],
    "volumes": [VOLUMES],
    "tiers": [TIERS],
    "alerts": [ALERTS],
    "visit_coverage": [VISITS],  # the month's visits, beside the coverage tables
    "scorecards_table": [SCORECARDS],
    "pay": [PROBLEMS],  # the month's problems.csv, completed with the 考核评分 and 新揽收 ones
    "pay_statements": [PAY],
}
# and for the survey waves
WAVE_TABLES: dict[str, list[Table]] = {"survey_wave": [SATISFACTION]}
SHOWN = 3  # violations in the check's description (all of them are in its metadata)


def check_name(table: Table) -> str:
    return f"{table.name}_contract"


def contract_check(
    asset: str, table: Table, partitions_def: PartitionsDefinition, where: Callable[[str], str]
) -> AssetChecksDefinition:
    """The check of `table` as `asset` writes it, for a partition of `partitions_def`
    (`where` turns its key into the month YYYY-MM or the wave the table's folder is named by)."""

    def _check(context: AssetCheckExecutionContext, settings: KacSettings) -> AssetCheckResult:
        path = table.path(settings.layout, where(context.partition_key))
        found = check_csv(table, path)
        shown = "; ".join(found[:SHOWN]) + (f" (+{len(found) - SHOWN} more)" if len(found) > SHOWN else "")
        return AssetCheckResult(
            passed=not found,
            severity=AssetCheckSeverity.ERROR,
            description=f"{path.name}: {shown}" if found else f"{path.name} keeps the contract",
            metadata={"path": MetadataValue.path(str(path)), "violations": MetadataValue.json(found)},
        )

    with warnings.catch_warnings():  # a check per partition, like its asset: a preview in Dagster 1.13
        warnings.simplefilter("ignore", PreviewWarning)
        return asset_check(
            asset=asset,
            name=check_name(table),
            description=f"数据契约:{table.name}.csv 的列及顺序、必填、主键唯一、类型(pipeline.core.contract)",
            blocking=False,
            partitions_def=partitions_def,
        )(_check)


def contract_checks() -> list[AssetChecksDefinition]:
    """Every contract check of the deployment."""
    checks = [
        contract_check(asset, table, months, from_partition_key)
        for asset, tables in MONTH_TABLES.items()
        for table in tables
    ]
    checks += [
        contract_check(asset, table, waves, lambda key: key)
        for asset, tables in WAVE_TABLES.items()
        for table in tables
    ]
    return checks
