"""Cross-selling, pricing bands and market research through a month run (the small generated
sample, 2025-03): the tables against the contract and against each other, the bulletin's
叠加使用 and the 信息参考's annex read back with pdftotext, and the competitor pages free of
personal data."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pipeline.core.contract import (
    MARKET_TABLES,
    check_csv,
)
from pipeline.core.layout import Layout
from pipeline.site.market_pages import competitor_page
from tests.pdf_pages import ANNEX, page_texts, pages_before_annex

MONTH = "2025-03"
TABLES = MARKET_TABLES


def table(layout: Layout, name: str) -> pd.DataFrame:
    return pd.read_csv(layout.tables(MONTH) / f"{name}.csv", dtype=str, keep_default_na=False)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_tables_keep_the_contract_and_agree_with_tiers(published):
    for t in TABLES:
        assert check_csv(t, t.path(published, MONTH)) == [], t.name
    tiers = table(published, "tiers")
    keys = set(tiers.customer_id[tiers.tier.isin(["prefecture", "county"])])
    breadth = table(published, "business_breadth").set_index("month")
    assert int(breadth.loc[MONTH, "key_accounts"]) == len(keys)
    assert set(table(published, "cross_sell").customer_id) <= keys
    assert set(table(published, "pricing_bands").customer_id) <= keys
    # before twelve months of data no band move is called
    assert set(table(published, "pricing_bands").change) == {"partial"}
    by_manager = table(published, "cross_sell_by_manager")
    assert by_manager.groupby("manager_id").size().max() <= 10


def test_bulletin_states_the_breadth_of_use(published):
    (pdf,) = (published.bulletins(MONTH) / "v1").glob("信息简报_*.pdf")
    text = flat("\n".join(page_texts(pdf)))
    row = table(published, "business_breadth").set_index("month").loc[MONTH]
    exact = Decimal(row.one) * 100 / Decimal(row.key_accounts)  # rounded once, half-up, from the counts
    share = f"{exact.quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    assert "十三、叠加使用" in text
    assert f"近12个月使用1种业务的 {row.one} 户({share})" in text
    assert "cross_sell_by_manager.csv" in text
    # three months of data: every month of the trend counts a window short of twelve, and says so
    assert table(published, "business_breadth").window_months.tolist() == ["1", "2", "3"]
    assert "* 该月的滚动窗口内数据不足(更早的月份没有数据)" in text
    page = (published.site / "market.html").read_text(encoding="utf-8")
    assert f"<td>{MONTH}*</td>" in page and "该月的滚动窗口内数据不足" in page


def test_brief_annex_names_the_competitors_and_the_unserved_needs(published):
    (pdf,) = (published.bulletins(MONTH) / "v1").glob("信息参考_*.pdf")
    assert pages_before_annex(pdf) <= 2
    annex = flat("\n".join(page_texts(pdf)[pages_before_annex(pdf) :]))
    assert annex.startswith(ANNEX) or ANNEX in annex
    assert "数据尚不足12个月" in annex and "只列资格,不列价格" in annex
    competitors = table(published, "competitors")
    overall = competitors[(competitors.county == "全州") & (competitors.business_type == "全部")]
    first = overall.iloc[0]
    assert re.search(rf"{first.competitor} {first.key_accounts} ", annex), annex[:400]
    needs = table(published, "needs")
    unserved = needs[(needs.county == "全州") & (needs.unserved == "yes")]
    if len(unserved):
        assert f"{unserved.iloc[0].need} {unserved.iloc[0].key_accounts} 户" in annex


def test_competitor_pages_show_no_contact_or_phone(published):
    competitors = table(published, "competitors")
    archive = table(published, "archive")
    named = competitors[(competitors.matched == "yes") & (competitors.county == "全州")].competitor.unique()
    assert len(named) >= 3
    site = published.site
    private = [v for v in pd.concat([archive.phone, archive.contact]) if len(v) >= 3]
    for name in named:
        page = (site / competitor_page(name)).read_text(encoding="utf-8")
        assert f"<h1>{name}</h1>" in page
        assert not [v for v in private if v in page], name
    assert "竞争对手" in (site / "competitors" / "index.html").read_text(encoding="utf-8")
