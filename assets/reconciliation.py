"""对账: the month's accepted usage against the 量收系统 export of inputs/YYYY-MM/系统数据/
(pipeline.analytics.reconcile). Its problems join the month's problems.csv where pay completes
them; its note goes into the bulletin's data quality section when the month has an export."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from assets.month import MONTH_GROUP
from assets.partitions import months
from assets.resources import KacSettings
from assets.sources import RECONCILIATION_DEPS
from pipeline.analytics.reconcile import BY_COUNTY_COLUMNS, KIND_LABELS, reconcile
from pipeline.core.contract import RECONCILIATION, REJECTED_ROWS
from pipeline.core.months import from_partition_key
from pipeline.core.problems import to_frame
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.ingest.month import rejected_customers
from pipeline.ingest.system import read_system_export


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    deps=RECONCILIATION_DEPS,
    description="对账差异:县(市)报表与量收系统导出(系统数据/)逐客户、逐业务种类比对",
)
def reconciliation(
    context: AssetExecutionContext,
    settings: KacSettings,
    usage: pd.DataFrame,
    submissions: pd.DataFrame,
    customer_archive: pd.DataFrame,
    rejected_rows: pd.DataFrame,
) -> dict:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    month_dir = settings.layout.month_inputs(month)
    known = frozenset(customer_archive.customer_id) | frozenset(usage.customer_id)
    export = read_system_export(month_dir, ref, month, known)
    incomplete = rejected_customers(rejected_rows)
    result = reconcile(month, ref, export, usage, submissions, customer_archive, month_dir, incomplete)
    folder = settings.layout.tables(month)
    write_table(result.table, folder, RECONCILIATION)
    by_county_columns = [c.removesuffix("_fen") for c in BY_COUNTY_COLUMNS]  # as the CSV shows them
    write_table(result.by_county, folder, "reconciliation_by_county", by_county_columns)
    write_table(result.rejected, folder, "system_rejected_rows", REJECTED_ROWS.names)
    counts = result.table.kind.map(KIND_LABELS).value_counts().to_dict() if len(result.table) else {}
    if export.found:
        progress.info(
            "  对账(系统数据 %d 个文件,%d 行):%s",
            len(export.files) - len(export.copies),
            export.rows_read,
            ",".join(f"{k} {v}" for k, v in counts.items()) or "无差异",
        )
    for p in result.problems:
        if p.code == "reconcile_source_unsupported":
            progress.warning("  %s", p.message)
    context.add_output_metadata(
        {
            "export": "、".join(export.files) or "—(本月无系统数据)",
            "differences": MetadataValue.json(counts),
            "rows_read": export.rows_read,
            "rows_not_compared": len(result.rejected),
            "problems": len(result.problems),
            "path": MetadataValue.path(str(folder / "reconciliation.csv")),
        }
    )
    return {"table": result.table, "problems": to_frame(result.problems), "note": result.note}
