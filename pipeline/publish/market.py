"""Developing the key accounts in the month's publications: the tables of cross-selling, pricing
bands and market research, and what the 信息简报 (叠加使用) and the 信息参考 (浮动定价, 市场研究)
say about them, as plain data (part of the month's content and its version)."""

from __future__ import annotations

import pandas as pd

from pipeline.analytics.cross_sell import BREADTH_SHARES, best_by_manager, breadth, cross_sell, partial_window
from pipeline.analytics.market import MarketAliases, market_section, market_tables
from pipeline.analytics.pricing import pricing_section
from pipeline.core.privacy import mask_phones_in_column
from pipeline.ingest.reference import Reference
from pipeline.publish.bulletin import records

TOP_OPPORTUNITIES = 8  # business types named in the bulletin


def month_tables(
    usage_by_month: dict[str, pd.DataFrame],
    tiers_by_month: dict[str, pd.DataFrame],
    month: str,
    archive: pd.DataFrame,
    ref: Reference,
    aliases: MarketAliases,
) -> dict[str, pd.DataFrame]:
    """cross_sell, cross_sell_by_manager, business_breadth and the market tables of `month`."""
    rules = ref.rules.for_month(month)
    tiers = tiers_by_month[month]
    table = cross_sell(usage_by_month, month, tiers, archive, rules, ref.business_order)
    out = {
        "cross_sell": table,
        "cross_sell_by_manager": best_by_manager(table, int(rules.get("cross_sell.top_per_manager"))),
        "business_breadth": breadth(
            usage_by_month, tiers_by_month, month, int(rules.get("cross_sell.window_months"))
        ),
    }
    counties = list(ref.county_names.values())
    window = int(rules.get("market.window_months"))
    out.update(
        market_tables(usage_by_month, month, tiers, archive, aliases, window, counties, ref.business_order)
    )
    return out


def cross_sell_section(table: pd.DataFrame, trend: pd.DataFrame, window: int) -> dict:
    """The bulletin's 叠加使用: the key accounts' breadth this month and its trend (each month
    `partial` when its `window`-month window holds fewer months of data), and the business types
    proposed most often (with the accounts they are proposed to)."""
    # the shares as the content has always held them (four places: the edition's hash is over the
    # content, and an upgrade must not make a new version); shown from the counts (pct_of)
    trend = trend.assign(**{share: trend[share].astype(float).round(4) for share in BREADTH_SHARES})
    now = records(trend.tail(1))[0] if len(trend) else None
    top = table[table["rank"] <= 3]
    proposed = (
        top.groupby("business_type")
        .agg(accounts=("customer_id", "nunique"), median_revenue_fen=("median_revenue_fen", "median"))
        .sort_values(["accounts", "median_revenue_fen"], ascending=False, kind="mergesort")
        .head(TOP_OPPORTUNITIES)
        .reset_index()
    )
    proposed["median_revenue_fen"] = proposed.median_revenue_fen.round().astype("int64")
    return {
        "now": now,
        "trend": [{**r, "partial": partial_window(r.get("window_months"), window)} for r in records(trend)],
        "accounts": int(table.customer_id.nunique()) if len(table) else 0,
        "opportunities": len(table),
        "proposed": records(proposed),
        "table": "cross_sell.csv",
        "by_manager": "cross_sell_by_manager.csv",
    }


def market_content(tables: dict[str, pd.DataFrame], archive: pd.DataFrame, window: int) -> dict:
    """The bulletin's market sections; `window`, the months of the breadth's trailing window."""
    names = mask_phones_in_column(archive.set_index("customer_id").name)  # all staff read it
    return {
        "cross_sell": cross_sell_section(tables["cross_sell"], tables["business_breadth"], window),
        "pricing": pricing_section(tables["pricing_bands"], names),
        "research": market_section(tables),
    }
