"""The site's competitor pages (市场研究): an index of the competitors the key accounts' archive
names, and a page per competitor of the aliases file (inputs/reference/market.toml).

No personal data: the pages name key accounts (already public on the site, each linked to its
page), counties, business types and revenue; never a contact or a phone. A name written in the
archive that matches no alias (未归类) is free text typed by a county: it is listed on the index
with any phone number in it masked, and gets no page of its own.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from pipeline.analytics.cross_sell import partial_window
from pipeline.core.privacy import mask_phones_in
from pipeline.publish.bulletin import records
from pipeline.site.downloads import Table, exact_yuan
from pipeline.site.pages import Page, SitePages

ALL_COUNTIES, ALL_BUSINESS = "全州", "全部"
INDEX = "competitors/index.html"


def competitor_page(name: str) -> str:
    """The page of a competitor: a name derived from it (Chinese names make poor file names)."""
    return f"competitors/c-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}.html"


def competitor_pages(site: SitePages) -> list[Page]:
    competitors = site.data.table("competitors")
    mentions = site.data.table("competitor_mentions")
    last = site.data.months[-1] if site.data.months else ""
    now = competitors[competitors.month == last]
    overall = now[(now.county == ALL_COUNTIES) & (now.business_type == ALL_BUSINESS)]
    if now.empty:  # the index stays (the navigation links it), empty
        return [_index(overall, last)]
    trend = (
        competitors[(competitors.county == ALL_COUNTIES) & (competitors.business_type == ALL_BUSINESS)]
        .pivot_table(index="competitor", columns="month", values="key_accounts", aggfunc="sum")
        .reindex(columns=site.trend_months)
    )
    named = mentions[(mentions.month == last) & (mentions.kind == "competitor")]
    pages = [_index(overall, last)]
    for r in overall[overall.matched == "yes"].itertuples():
        mine = now[now.competitor == r.competitor]
        history = trend.loc[r.competitor] if r.competitor in trend.index else pd.Series(dtype=float)
        pages.append(_page(site, r.competitor, mine, named[named.name == r.competitor], history, last))
    return pages


def _index(overall: pd.DataFrame, month: str) -> Page:
    rows = [
        {
            "name": r.competitor if r.matched == "yes" else mask_phones_in(r.competitor),
            "href": competitor_page(r.competitor) if r.matched == "yes" else None,
            "matched": r.matched,
            "key_accounts": int(r.key_accounts),
            "revenue_fen": int(r.revenue_fen),
            "revenue_share": None if pd.isna(r.revenue_share) else float(r.revenue_share),
        }
        for r in overall.itertuples()
    ]
    table = Table(
        "competitors",
        f"竞争对手({month})",
        ["竞争对手", "已归类", "大客户数", "其近12个月收入(元)", "占大客户收入"],
        [
            [
                r["name"],
                "是" if r["matched"] == "yes" else "否",
                r["key_accounts"],
                exact_yuan(r["revenue_fen"]),
                r["revenue_share"],
            ]
            for r in rows
        ],
    )
    return Page(
        INDEX,
        "site_competitors.html",
        {"month": month, "rows": rows},
        tables=[table],
        search={"name": "竞争对手", "kind": "市场研究", "detail": f"{len(rows)} 家"},
    )


def _page(
    site: SitePages, name: str, rows: pd.DataFrame, named: pd.DataFrame, history: pd.Series, month: str
) -> Page:
    by_county = rows[(rows.county != ALL_COUNTIES)].sort_values(
        ["key_accounts", "revenue_fen", "county"], ascending=[False, False, True], kind="mergesort"
    )
    by_business = rows[(rows.county == ALL_COUNTIES) & (rows.business_type != ALL_BUSINESS)].sort_values(
        ["key_accounts", "revenue_fen"], ascending=False, kind="mergesort"
    )
    overall = rows[(rows.county == ALL_COUNTIES) & (rows.business_type == ALL_BUSINESS)].iloc[0]
    accounts = named.sort_values(
        ["trailing_revenue_fen", "customer_id"], ascending=[False, True], kind="mergesort"
    )
    account_rows = [
        {
            "customer_id": r.customer_id,
            "name": site.names.get(r.customer_id, "") or r.customer_id,
            "href": site._link(r.customer_id),
            "county": r.county,
            "written": mask_phones_in(r.written),
            "trailing_revenue_fen": int(r.trailing_revenue_fen),
        }
        for r in accounts.itertuples()
    ]
    trend = [{"month": m, "key_accounts": None if pd.isna(v) else int(v)} for m, v in history.items()]
    context = {
        "name": name,
        "month": month,
        "variants": mask_phones_in(overall.written),
        "key_accounts": int(overall.key_accounts),
        "revenue_fen": int(overall.revenue_fen),
        "revenue_share": None if pd.isna(overall.revenue_share) else float(overall.revenue_share),
        "by_county": records(by_county[["county", "key_accounts", "revenue_fen", "revenue_share"]]),
        "by_business": records(
            by_business[["business_type", "key_accounts", "revenue_fen", "revenue_share"]]
        ),
        "accounts": account_rows,
        "trend": trend,
    }
    tables = [
        Table(
            "by_county",
            f"分县(市)({month})",
            ["县(市)", "大客户数", "其近12个月收入(元)", "占本县大客户收入"],
            [
                [r["county"], r["key_accounts"], exact_yuan(r["revenue_fen"]), r["revenue_share"]]
                for r in context["by_county"]
            ],
        ),
        Table(
            "by_business",
            f"分业务种类({month})",
            ["业务种类", "大客户数", "其该业务近12个月收入(元)", "占该业务大客户收入"],
            [
                [r["business_type"], r["key_accounts"], exact_yuan(r["revenue_fen"]), r["revenue_share"]]
                for r in context["by_business"]
            ],
        ),
        Table(
            "accounts",
            f"提及{name}的大客户({month})",
            ["客户编号", "客户名称", "县(市)", "档案写法", "近12个月收入(元)"],
            [
                [
                    r["customer_id"],
                    r["name"],
                    r["county"],
                    r["written"],
                    exact_yuan(r["trailing_revenue_fen"]),
                ]
                for r in account_rows
            ],
        ),
    ]
    return Page(
        competitor_page(name),
        "site_competitor.html",
        context,
        tables=tables,
        search={"name": name, "kind": "竞争对手", "detail": f"大客户 {context['key_accounts']} 户"},
    )


MARKET = "market.html"
UNSERVED_LABELS = {"yes": "无现有业务满足", "no": "", "unknown": "未归类"}


def market_page(site: SitePages) -> Page:
    """市场研究 (market.html): the stated needs across the prefecture, those no current business
    type serves first (the candidates for 新业务开发需求), the key accounts' breadth of use (1, 2,
    3+ business types) month by month, and the competitors with a page. Latest month's tables."""
    tables = site.data.month_tables
    month = site.data.months[-1] if site.data.months else ""
    needs = tables.get("needs", pd.DataFrame(columns=["county"]))
    needs = needs[needs.county == ALL_COUNTIES].copy()
    needs["order"] = needs.unserved.map({"yes": 0, "unknown": 1, "no": 2}).fillna(3)
    needs = needs.sort_values(
        ["order", "key_accounts", "need"], ascending=[True, False, True], kind="mergesort"
    )
    need_rows = [
        {
            "need": r.need if r.matched == "yes" else mask_phones_in(r.need),
            "served_by": r.served_by or "",
            "unserved": UNSERVED_LABELS.get(r.unserved, ""),
            "key_accounts": int(r.key_accounts),
            "revenue_fen": int(r.revenue_fen),
            "written": mask_phones_in(r.written),
        }
        for r in needs.itertuples()
    ]
    breadth = tables.get("business_breadth", pd.DataFrame(columns=["month"])).sort_values("month")
    span = int(site.ref.rules.for_month(month).get("cross_sell.window_months")) if month else 0
    breadth_rows = [
        {
            "month": r.month,
            "key_accounts": int(r.key_accounts),
            **{k: int(getattr(r, k)) for k in ("none", "one", "two", "three_plus")},
            **{k: float(getattr(r, k)) for k in ("share_one", "share_two", "share_three_plus")},
            "window_months": window_months(r.window_months),
            "partial": partial_window(window_months(r.window_months), span),
        }
        for r in breadth.itertuples()
    ]
    competitors = site.data.table("competitors")
    named = competitors[
        (competitors.month == month)
        & (competitors.county == ALL_COUNTIES)
        & (competitors.business_type == ALL_BUSINESS)
        & (competitors.matched == "yes")
    ].sort_values(["key_accounts", "competitor"], ascending=[False, True], kind="mergesort")
    competitor_rows = [
        {"name": r.competitor, "href": competitor_page(r.competitor), "key_accounts": int(r.key_accounts)}
        for r in named.itertuples()
    ]
    context = {"month": month, "needs": need_rows, "breadth": breadth_rows, "competitors": competitor_rows}
    page_tables = [
        Table(
            "needs",
            f"潜在需求({month},全州)",
            ["潜在需求", "现有业务", "状态", "提及的大客户数", "其近12个月收入(元)", "档案写法"],
            [
                [
                    r["need"],
                    r["served_by"],
                    r["unserved"],
                    r["key_accounts"],
                    exact_yuan(r["revenue_fen"]),
                    r["written"],
                ]
                for r in need_rows
            ],
        ),
        Table(
            "breadth",
            "大客户使用业务种类数",
            [
                *("月份", "大客户数", "无用邮", "1种", "2种", "3种及以上"),
                *("1种占比", "2种占比", "3种及以上占比", "窗口内有数据的月数"),
            ],
            [
                [
                    r["month"],
                    r["key_accounts"],
                    r["none"],
                    r["one"],
                    r["two"],
                    r["three_plus"],
                    r["share_one"],
                    r["share_two"],
                    r["share_three_plus"],
                    r["window_months"],
                ]
                for r in breadth_rows
            ],
        ),
    ]
    return Page(
        MARKET,
        "site_market.html",
        context,
        tables=page_tables,
        search={"name": "市场研究", "kind": "市场研究", "detail": "潜在需求、叠加使用、竞争对手"},
    )


def window_months(value: object) -> int | None:
    """Months of data in a breadth row's window; None for a table written before it was counted."""
    return None if value is None or value != value else int(value)
