"""A key account's 叠加使用机会 and 浮动定价档次, and a manager's best cross-sell opportunities, in
Chromium from file://: the rows and figures of the month's cross_sell.csv, pricing_bands.csv and
cross_sell_by_manager.csv, formatted by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pipeline.core.money import format_yuan, to_fen
from tests.browser.test_site_browser import browser, page  # noqa: F401  (fixtures)

MONTH = "2025-03"


def _csv(layout, name: str) -> pd.DataFrame:
    return pd.read_csv(layout.tables(MONTH) / f"{name}.csv", dtype=str, keep_default_na=False)


def _table_after(page, heading_id: str):  # noqa: F811
    return page.locator(f"#{heading_id}").locator("xpath=following::table[1]").locator("tbody tr")


def test_a_key_accounts_cross_sell_and_bands(published, page):  # noqa: F811
    bands = _csv(published, "pricing_bands")
    flagged = bands[bands.agreement.isin(["above_agreed", "below_agreed"]) & (bands.measure == "revenue")]
    band = flagged.sort_values(["customer_id", "business_type"]).iloc[0]
    customer = band.customer_id
    page.goto((published.site / f"customers/{customer}.html").as_uri())

    mine = bands[bands.customer_id == customer].sort_values("business_type")
    rows = _table_after(page, "bands")
    assert rows.count() == len(mine)
    cells = rows.filter(has_text=band.business_type).first.locator("td")
    expected = {"above_agreed": "已超出协议档次", "below_agreed": "低于协议档次"}[band.agreement]
    texts = [cells.nth(i).inner_text() for i in range(9)]
    assert texts[0] == band.business_type and texts[1] == "收入"
    assert texts[3] == format_yuan(to_fen(Decimal(band.trailing_revenue)), separators=True)
    assert texts[4] == band.band_label
    if band.next_label:
        to_next = format_yuan(to_fen(Decimal(band.to_next_revenue)), separators=True)
        assert texts[5] == f"{band.next_label}:差 {to_next} 元"
    assert texts[7] == band.agreed_label and texts[8] == expected

    offers = _csv(published, "cross_sell")
    offers = offers[offers.customer_id == customer].sort_values("rank", key=lambda s: s.astype(int))
    rows = _table_after(page, "cross-sell")
    if len(offers):
        assert rows.count() == len(offers)
        first = rows.first.locator("td")
        assert first.nth(0).inner_text() == "1" and first.nth(1).inner_text() == offers.iloc[0].business_type
        median = format_yuan(to_fen(Decimal(offers.iloc[0].median_revenue)), separators=True)
        assert first.nth(6).inner_text() == median
    else:
        assert "本月无叠加使用建议" in page.locator("#cross-sell + p").inner_text()
    assert page.problems == [], page.problems


def test_a_managers_best_opportunities(published, page):  # noqa: F811
    top = _csv(published, "cross_sell_by_manager")
    manager = top.manager_id.value_counts().sort_index().idxmax()
    mine = top[top.manager_id == manager].sort_values("manager_rank", key=lambda s: s.astype(int))
    archive = _csv(published, "archive").set_index("customer_id").name
    page.goto((published.site / f"managers/{manager}.html").as_uri())
    assert page.locator("#opportunities").inner_text() == f"叠加使用重点机会({len(mine)} 条)"
    rows = _table_after(page, "opportunities")
    assert rows.count() == len(mine) <= 10  # cross_sell.top_per_manager
    for i in (0, len(mine) - 1):
        cells = rows.nth(i).locator("td")
        assert cells.nth(0).inner_text() == mine.iloc[i].manager_rank
        assert cells.nth(1).inner_text() == archive[mine.iloc[i].customer_id]
        assert cells.nth(3).inner_text() == mine.iloc[i].business_type
    rows.first.locator("td").nth(1).get_by_role("link").click()
    assert page.url.endswith(f"/customers/{mine.iloc[0].customer_id}.html")
    assert page.problems == [], page.problems


def test_the_market_page_lists_unserved_needs_first_and_the_breadth_of_use(published, page):  # noqa: F811
    needs = _csv(published, "needs")
    overall = needs[needs.county == "全州"]
    unserved = overall[overall.unserved == "yes"].sort_values(
        ["key_accounts", "need"], key=lambda s: s.astype(int) * -1 if s.name == "key_accounts" else s
    )
    page.goto((published.site / "index.html").as_uri())
    page.get_by_role("navigation").get_by_role("link", name="市场研究").click()
    assert page.url.endswith("/market.html") and page.locator("h1").inner_text() == "市场研究"
    rows = _table_after(page, "needs")
    assert rows.count() == len(overall)
    first = rows.first.locator("td")
    assert first.nth(0).inner_text() == unserved.iloc[0].need
    assert first.nth(2).inner_text() == "无现有业务满足"
    assert first.nth(3).inner_text() == unserved.iloc[0].key_accounts

    breadth = _csv(published, "business_breadth").sort_values("month")
    rows = _table_after(page, "breadth")
    assert rows.count() == len(breadth)
    last = rows.last.locator("td")
    now = breadth.iloc[-1]
    assert last.nth(0).inner_text() == f"{MONTH}*"  # three months of data: a short window, marked
    assert "滚动窗口内数据不足" in page.locator("#breadth ~ p.note").first.inner_text()
    assert [last.nth(i).inner_text() for i in (2, 3, 4)] == [now.one, now.two, now.three_plus]
    # rounded once, half-up, from the counts (not from a share already rounded)
    share = (Decimal(now.three_plus) * 100 / Decimal(now.key_accounts)).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )
    assert last.nth(7).inner_text() == f"{share}%"

    page.locator("#competitors + ul a").first.click()
    assert "/competitors/c-" in page.url
    assert page.problems == [], page.problems
