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

from pipeline.publish.bulletin import records
from pipeline.site.downloads import Table, exact_yuan
from pipeline.site.pages import Page, SitePages
from pipeline.site.privacy import mask_phones_in

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
