"""Asset checks generated from the data contract (pipeline.core.contract): every asset that
writes a contract table gets one check per table, run in the same run for the same partition, that reads
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
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    PartitionsDefinition,
    PreviewWarning,
    multi_asset_check,
)

from assets.partitions import months
from assets.resources import KacSettings
from assets.surveys import waves
from pipeline.core.contract import (
    ALERTS,
    ARCHIVE,
    CASES,
    COUNTY_SCORECARDS,
    HALF_YEAR_VISITS,
    MARKET_TABLES,
    PAY,
    PROBLEMS,
    PROGRESS,
    PROJECTS,
    RECONCILIATION,
    REJECTED_ROWS,
    SATISFACTION,
    SCORECARDS,
    SUBMISSIONS,
    TIERS,
    TODO_ITEMS,
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
    "cases": [CASES],
    "progress_reports": [PROGRESS],
    "visit_coverage": [VISITS],  # the month's visits, beside the coverage tables
    "scorecards_table": [SCORECARDS],
    "pay": [PROBLEMS],  # the month's problems.csv, completed with the 考核评分 and 新揽收 ones
    "pay_statements": [PAY],
    "reconciliation": [RECONCILIATION],
    "market": list(MARKET_TABLES),
    "todo_lists": [TODO_ITEMS],  # outputs/restricted/todo/YYYY-MM/todo_items.csv
    "projects": [PROJECTS],
    "centre_scorecards": [HALF_YEAR_VISITS, COUNTY_SCORECARDS],
}
# and for the survey waves
WAVE_TABLES: dict[str, list[Table]] = {"survey_wave": [SATISFACTION]}
SHOWN = 3  # violations in the check's description (all of them are in its metadata)


def check_name(table: Table) -> str:
    return f"{table.name}_contract"


def contract_check(
    name: str,
    tables: dict[str, list[Table]],
    partitions_def: PartitionsDefinition,
    where: Callable[[str], str],
    absent_ok: bool = False,
) -> AssetChecksDefinition:
    """The checks of `tables` (asset → the contract tables it writes) for a partition of
    `partitions_def`, as one step: each check would otherwise cost a step of its own, ≈ 0.25 s of
    Dagster's bookkeeping against ≈ 20 ms of reading the CSV (`where` turns the partition key into
    the month YYYY-MM or the wave the table's folder is named by). Only the checks of the assets a
    run selects are run."""
    by_key = {
        AssetCheckKey(AssetKey(asset), check_name(table)): table
        for asset, written in tables.items()
        for table in written
    }

    def _check(context: AssetCheckExecutionContext, settings: KacSettings):
        folder_key = where(context.partition_key)
        for key in sorted(
            context.selected_asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)
        ):
            path = by_key[key].path(settings.layout, folder_key)
            if absent_ok and not path.parent.exists():  # a wave with no survey publishes nothing
                yield _not_published(key, path)
                continue
            yield _result(key, path, by_key[key])

    with warnings.catch_warnings():  # a check per partition, like its asset: a preview in Dagster 1.13
        warnings.simplefilter("ignore", PreviewWarning)
        specs = [
            AssetCheckSpec(
                check_name(table),
                asset=asset,
                description=f"数据契约:{table.name}.csv 的列及顺序、必填、主键唯一、类型",
                blocking=False,
                partitions_def=partitions_def,
            )
            for asset, written in tables.items()
            for table in written
        ]
        return multi_asset_check(specs=specs, name=name, can_subset=True)(_check)


def _not_published(key: AssetCheckKey, path) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=True,
        description=f"{path.parent.name}: nothing published (no survey workbooks)",
        metadata={"path": MetadataValue.path(str(path))},
    )


def _result(key: AssetCheckKey, path, table: Table) -> AssetCheckResult:
    found = check_csv(table, path)
    shown = "; ".join(found[:SHOWN]) + (f" (+{len(found) - SHOWN} more)" if len(found) > SHOWN else "")
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not found,
        severity=AssetCheckSeverity.ERROR,
        description=f"{path.name}: {shown}" if found else f"{path.name} keeps the contract",
        metadata={"path": MetadataValue.path(str(path)), "violations": MetadataValue.json(found)},
    )


def contract_checks() -> list[AssetChecksDefinition]:
    """Every contract check of the deployment: one step for a month's tables, one for a wave's."""
    return [
        contract_check("month_contract", MONTH_TABLES, months, from_partition_key),
        contract_check("wave_contract", WAVE_TABLES, waves, lambda key: key, absent_ok=True),
    ]
