"""Month analytics: the customer archive as of the month, tiers, alerts, visit coverage and
the quarterly 大客户用邮情况表 data."""

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    Failure,
    MetadataValue,
    TimeWindowPartitionMapping,
    asset,
)

from assets.month import MONTH_GROUP, by_month, history, usage_months
from assets.partitions import months
from assets.resources import KacSettings
from pipeline.analytics.alerts import (
    KIND_LABELS,
    complaint_alerts,
    find_alerts,
    short_history,
    with_complaints,
)
from pipeline.analytics.archive import archive_as_of
from pipeline.analytics.cases import (
    CASE_LATE_MONTHS,
    STATUS_LABELS,
    case_register,
    case_summary,
    unmatched_rows,
)
from pipeline.analytics.quarterly import is_quarter_end
from pipeline.analytics.quarterly import quarterly_usage as quarterly_table
from pipeline.analytics.tiers import CHANGE_LABELS, TIER_LABELS, classify
from pipeline.analytics.visits import county_coverage, visits_in_month
from pipeline.analytics.visits import visit_coverage as coverage_tables
from pipeline.core.contract import ALERTS, ARCHIVE, CASES, REJECTED_ROWS, TIERS, VISITS
from pipeline.core.months import from_partition_key
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.ingest.month import rejected_customers
from pipeline.ingest.submissions import ACCEPTED, unaccepted_counties

TIER_HISTORY = 23  # months before this one available to the tier window (rules may ask up to 24)


def previous(key: str) -> AssetIn:
    """The asset's own partition of the month before (None in the first month)."""
    return AssetIn(
        AssetKey(key),
        partition_mapping=TimeWindowPartitionMapping(
            start_offset=-1, end_offset=-1, allow_nonexistent_upstream_partitions=True
        ),
    )


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={"previous_archive": previous("customer_archive")},
    description="客户档案(截至本月):上月档案加本月新增与变更;每月一份,可回看任一历史月份",
)
def customer_archive(
    context: AssetExecutionContext,
    settings: KacSettings,
    previous_archive,
    archive_updates: pd.DataFrame,
    usage: pd.DataFrame,
) -> pd.DataFrame:
    month = from_partition_key(context.partition_key)
    archive = archive_as_of(previous_archive, archive_updates, usage, month)
    write_table(archive, settings.layout.tables(month), ARCHIVE)
    changed = int((archive.changed_month == month).sum())
    context.add_output_metadata({"customers": len(archive), "changed_this_month": changed})
    return archive


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={
        "previous_cases": previous("cases"),
        # a case received in a month its county's workbook was not accepted is taken when reported
        "submissions_history": history("submissions", CASE_LATE_MONTHS),
    },
    description="投诉、查询、理赔案件登记(截至本月):上月案件加本月报送;未办结的跨月保留,"
    "计算受理天数、办结用时与超时",
)
def cases(
    context: AssetExecutionContext,
    settings: KacSettings,
    previous_cases,
    submissions_history,
    case_updates: pd.DataFrame,
    customer_archive: pd.DataFrame,
) -> pd.DataFrame:
    month = from_partition_key(context.partition_key)
    unaccepted = unaccepted_counties(by_month(submissions_history, month))
    register = case_register(
        previous_cases, case_updates, month, settings.reference().rules, customer_archive, unaccepted
    )
    folder = settings.layout.tables(month)
    write_table(register, folder, CASES)
    write_table(case_summary(register, month, "county"), folder, "cases_by_county")
    write_table(case_summary(register, month, "manager_id"), folder, "cases_by_manager")
    # rows for an earlier case that match none (reported by the pay step with the problems)
    rejected = unmatched_rows(previous_cases, case_updates, month, unaccepted)
    write_table(rejected, folder, "case_rejected_rows", REJECTED_ROWS.names)
    counts = register.status.map(STATUS_LABELS).value_counts().to_dict()
    context.add_output_metadata(
        {
            "cases": MetadataValue.json(counts),
            "reported_this_month": len(case_updates),
            "rejected_unmatched": len(rejected),
        }
    )
    return register


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={"usage_history": history("usage", TIER_HISTORY), "previous_tiers": previous("tiers")},
    description="州级/县级大客户划分(滚动窗口帕累托80%、性质与合作伙伴、县级自定;降级需连续未达标)",
)
def tiers(
    context: AssetExecutionContext,
    settings: KacSettings,
    usage_history,
    customer_archive: pd.DataFrame,
    previous_tiers,
) -> pd.DataFrame:
    month = from_partition_key(context.partition_key)
    rules = settings.reference().rules.for_month(month)
    if int(rules.get("tier.window_months")) > TIER_HISTORY + 1:
        raise Failure(f"规则 tier.window_months 超过 {TIER_HISTORY + 1} 个月,无法计算")
    out = classify(usage_months(usage_history, month), month, customer_archive, previous_tiers, rules)
    write_table(out, settings.layout.tables(month), TIERS)
    counts = out.tier.map(TIER_LABELS).value_counts().to_dict()
    changes = out.change.map(CHANGE_LABELS).value_counts().to_dict()
    progress.info("  大客户:%s", ",".join(f"{k} {v}" for k, v in counts.items()))
    context.add_output_metadata(
        {
            "tiers": MetadataValue.json(counts),
            "changes": MetadataValue.json(changes),
            "rules_version": rules.version,
        }
    )
    return out


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={"usage_history": history("usage")},
    description="大客户流失预警、下降预警与投诉超时预警(按县、按客户经理);未被采用报表的县不作预警",
)
def alerts(
    context: AssetExecutionContext,
    settings: KacSettings,
    usage_history,
    tiers: pd.DataFrame,
    submissions: pd.DataFrame,
    cases: pd.DataFrame,
    rejected_rows: pd.DataFrame,
) -> pd.DataFrame:
    month = from_partition_key(context.partition_key)
    rules = settings.reference().rules.for_month(month)
    accepted = set(submissions.county[submissions.status.isin(ACCEPTED)])
    usage_by_month = usage_months(usage_history, month)
    out = find_alerts(usage_by_month, month, tiers, accepted, rules, rejected_customers(rejected_rows))
    out = with_complaints(out, complaint_alerts(cases, tiers, accepted))
    write_table(out, settings.layout.tables(month), ALERTS)
    too_short = short_history(usage_by_month, month, tiers, rules)
    write_table(too_short, settings.layout.tables(month), "alerts_short_history")
    counts = out.kind.map(KIND_LABELS).value_counts().to_dict()
    progress.info("  预警:%s", ",".join(f"{k} {v}" for k, v in counts.items()) or "无")
    context.add_output_metadata(
        {"alerts": MetadataValue.json(counts), "key_accounts_with_short_history": len(too_short)}
    )
    return out


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    description="走访覆盖:每位客户经理本月走访的大客户占比,及未走访的大客户名单",
)
def visit_coverage(
    context: AssetExecutionContext, settings: KacSettings, tiers: pd.DataFrame, visits: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    month = from_partition_key(context.partition_key)
    dated = visits_in_month(visits, month)  # the visits that count for the month
    by_manager, not_visited = coverage_tables(tiers, dated)
    by_county = county_coverage(tiers, dated)
    folder = settings.layout.tables(month)
    write_table(by_manager, folder, "visit_coverage")
    write_table(not_visited, folder, "not_visited")
    write_table(by_county, folder, "visit_coverage_by_county")
    write_table(visits, folder, VISITS)  # each key account's page lists its visits
    total = by_manager.key_accounts.sum()
    share = by_manager.visited.sum() / total if total else 0.0
    context.add_output_metadata({"key_accounts": int(total), "visited_share": round(float(share), 4)})
    return {"by_manager": by_manager, "not_visited": not_visited, "by_county": by_county}


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={"usage_history": history("usage", 2)},
    description="大客户用邮情况表(季度):季末月份按县、客户、业务种类汇总本季度用邮",
)
def quarterly_usage(
    context: AssetExecutionContext,
    settings: KacSettings,
    usage_history,
    tiers: pd.DataFrame,
    customer_archive: pd.DataFrame,
) -> pd.DataFrame:
    month = from_partition_key(context.partition_key)
    out = quarterly_table(usage_months(usage_history, month), month, tiers, customer_archive)
    if is_quarter_end(month):
        write_table(out, settings.layout.tables(month), "quarterly")
    context.add_output_metadata({"quarter_end": is_quarter_end(month), "rows": len(out)})
    return out
