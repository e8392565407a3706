"""Developing the key accounts: cross-selling (叠加使用), pricing bands (浮动定价) and market
research (竞争对手, 潜在需求) of a month."""

import pandas as pd
from dagster import AssetExecutionContext, asset

from assets.month import MONTH_GROUP, by_month, history, usage_months
from assets.partitions import months
from assets.resources import KacSettings
from pipeline.analytics.market import MarketAliases
from pipeline.analytics.pricing import pricing_bands
from pipeline.core.contract import MARKET_TABLES
from pipeline.core.months import from_partition_key
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.ingest.submissions import unaccepted_counties
from pipeline.publish.market import market_content, month_tables

USAGE_MONTHS = 23  # the breadth trend: 13 months, each with its 12-month window
TREND_MONTHS = 12


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={
        "usage_history": history("usage", USAGE_MONTHS),
        "tiers_history": history("tiers", TREND_MONTHS),
        "submissions_history": history("submissions", USAGE_MONTHS),  # bands of a short county
    },
    description="叠加使用机会(同类客户在用而未用的业务)、浮动定价档次(滚动12个月规模)、"
    "竞争对手与潜在需求(按别名归并)",
)
def market(
    context: AssetExecutionContext,
    settings: KacSettings,
    usage_history,
    tiers_history,
    submissions_history,
    customer_archive: pd.DataFrame,
) -> dict:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    usage_by_month = usage_months(usage_history, month)
    tiers_by_month = by_month(tiers_history, month)
    tables = month_tables(
        usage_by_month,
        tiers_by_month,
        month,
        customer_archive,
        ref,
        MarketAliases.load(settings.layout.reference, ref.business_index),
    )
    tables["pricing_bands"] = pricing_bands(
        usage_by_month,
        month,
        tiers_by_month[month],
        customer_archive,
        ref.rules,
        ref.business_index,
        unaccepted_counties(by_month(submissions_history, month)),
    )
    folder = settings.layout.tables(month)
    for table in MARKET_TABLES:
        write_table(tables[table.name], folder, table)
    window = int(ref.rules.for_month(month).get("cross_sell.window_months"))
    content = market_content(tables, customer_archive, window)
    moved = content["pricing"]["moved_count"]
    progress.info("  叠加使用机会 %d 条;定价档次变动 %d 户次", len(tables["cross_sell"]), moved)
    context.add_output_metadata(
        {
            "cross_sell_rows": len(tables["cross_sell"]),
            "band_changes": moved,
            "above_agreed": content["pricing"]["above_count"],
            "competitors_named": int(
                (
                    (tables["competitors"].county == "全州") & (tables["competitors"].business_type == "全部")
                ).sum()
            ),
        }
    )
    return {"content": content}
