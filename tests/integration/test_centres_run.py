"""The county centres' assessment through a month run (the small generated sample, 2025-03):
half_year_visits.csv and county_scorecards.csv written and valid, one county's figures checked
against its workbooks read with openpyxl, the held county, the 信息参考's ranking (pdftotext)
and the site's page."""

from __future__ import annotations

import re
import subprocess

import pandas as pd
from openpyxl import load_workbook

from pipeline.core.contract import COUNTY_SCORECARDS, HALF_YEAR_VISITS, check_csv
from pipeline.core.layout import Layout
from pipeline.pay.centres import ARCHIVE_FIELDS
from tests.pdf_pages import pages_before_annex

MONTH = "2025-03"
COUNTY = "盐源县"


def table(layout: Layout, name: str, month: str = MONTH) -> pd.DataFrame:
    return pd.read_csv(layout.tables(month) / f"{name}.csv", dtype=str, keep_default_na=False)


def visited_in_workbooks(inputs, county: str, months: list[str], first_day: str, last_day: str) -> set[str]:
    """Customers of `county`'s 走访记录 sheets in `months`' workbooks with a 走访日期 in the range."""
    seen = set()
    for month in months:
        wb = load_workbook(
            inputs / month / f"{county}_{int(month[:4])}年{int(month[5:])}月_大客户用邮情况.xlsx"
        )
        for row in list(wb["走访记录"].iter_rows(values_only=True))[1:]:
            day, customer = row[0], row[1]
            day = day.strftime("%Y-%m-%d") if hasattr(day, "strftime") else str(day or "")
            if first_day <= day <= last_day:
                seen.add(customer)
    return seen


def test_the_tables_are_written_and_keep_the_contract(published):
    for contract in (HALF_YEAR_VISITS, COUNTY_SCORECARDS):
        for month in ("2025-01", "2025-02", MONTH):  # history months too: the site's trend reads them
            assert check_csv(contract, contract.path(published, month)) == []
    assert len(table(published, "county_scorecards")) == 17


def test_one_county_against_its_workbooks(published):
    """盐源县, 2025-03: its 6 key accounts (tiers.csv); 5 visited in March, all 6 in 2025-H1 so
    far (its workbooks' 走访记录); 69 of the 6 × 13 archive fields filled; 3 cases due, all in
    time; no revenue alert (three months of history); on time, no error in 25 rows; no survey
    wave ended. Points: 15 + 15 + 15 × 5/6 (12.50) + 15 + 10 × 69/78 (8.85) + 10 + 10, CSAT not
    scored: 86.35 of 90, rate 0.9594, first."""
    tiers = table(published, "tiers")
    keys = set(tiers.customer_id[(tiers.county == COUNTY) & tiers.tier.isin(["prefecture", "county"])])
    assert len(keys) == 6
    inputs = published.inputs
    assert len(keys & visited_in_workbooks(inputs, COUNTY, [MONTH], "2025-03-01", "2025-03-31")) == 5
    half = keys & visited_in_workbooks(
        inputs, COUNTY, ["2025-01", "2025-02", MONTH], "2025-01-01", "2025-03-31"
    )
    assert len(half) == 6
    archive = (
        table(published, "archive").set_index("customer_id").loc[sorted(keys), list(ARCHIVE_FIELDS.values())]
    )
    assert int((archive.apply(lambda c: c.str.strip()) != "").sum().sum()) == 69

    hy = table(published, "half_year_visits").set_index("county").loc[COUNTY]
    assert (hy.half, hy.months, hy.key_accounts, hy.visited, hy.share) == ("2025-H1", "3", "6", "6", "1.0")
    row = table(published, "county_scorecards").set_index("county").loc[COUNTY]
    assert [row[c] for c in COUNTY_SCORECARDS.names[1:14]] == [
        *("15.0", "15.0", "12.5", "15.0", "8.85", "10.0", "10.0", ""),
        *("86.35", "90", "0.9594", "1", ""),
    ]
    assert row.visit_rate_value == "5/6" and row.archive_value == "69/78" and row.cases_value == "3/3"
    assert row.csat_note == "本月之前尚无结束的满意度测评,不计分"


def test_the_rejected_county_is_held_not_scored_zero(published):
    """甘洛县's March workbook says another month (rejected): its workbook items are held."""
    row = table(published, "county_scorecards").set_index("county").loc["甘洛县"]
    assert row.held == "本月报表退回" and row["rank"] == "" and row.rate == ""
    assert row.visit_rate == "" and row.visit_rate_value == "暂缓"
    assert (row.submission, row.submission_value) == ("0.0", "退回")
    assert table(published, "county_scorecards").county.iloc[-1] == "甘洛县"  # after the ranked ones


def test_the_brief_ranks_the_county_centres(published):
    (brief,) = (published.bulletins(MONTH) / "v1").glob("信息参考_*.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(brief), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "五、各县(市)客户中心考核排名" in text
    flat = " ".join(text.split())
    assert re.search(r"1 盐源县 86\.35 95\.9% 100\.0% −?[+0-9.]+", flat)
    packed = "".join(text.split())  # lines wrap anywhere in Chinese
    assert "—甘洛县暂缓" in packed and "甘洛县本月报表退回,报表类各项暂缓计分,不参加排名" in packed
    assert pages_before_annex(brief) <= 2  # the figures and risks; the annex (附页) follows


def test_the_site_page_shows_the_ranking_and_each_countys_trend(published, reference):
    site = published.outputs / "site"
    html = (site / "centres.html").read_text(encoding="utf-8")
    assert 'href="centres.html"' in (site / "index.html").read_text(encoding="utf-8")
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]
    first = cells.index("盐源县")
    assert cells[first - 1 : first + 14] == [
        *("1", "盐源县", "15.00", "15.00", "12.50", "15.00", "8.85", "10.00", "10.00", "—"),
        *("86.35", "90", "95.9%", "", "2 符合(1–2)"),
    ]
    buotuo = cells.index("布拖县")
    assert cells[buotuo + 13] == "0 不足(1–2)"  # its only project of the year was cancelled
    for month in ("2025-01", "2025-02", MONTH):  # the trend: every month computed
        assert f">{month}</th>" in html
    earlier = table(published, "county_scorecards", "2025-01").set_index("county").loc[COUNTY]
    trend_row = cells[cells.index(COUNTY, first + 1) :][:4]
    assert trend_row[1].startswith(f"{float(earlier.total):.2f}")
    assert trend_row[3].startswith("86.35")
    # offices' scores only: no manager's name, score or pay on the page
    assert not [n for n in reference.managers.name if n in html]
    assert "业绩工资" not in html and "考核评分卡" not in html


def test_each_county_s_plans_of_the_year_are_counted_from_its_register_against_the_cadence(published):
    """Issue 18: the plans each county leads, counted here from the register's own rows (started in
    2025, not 已取消 or 草稿), beside its scores with the plan's 1–2."""
    (register,) = (published.inputs / "projects").glob("项目登记_2025.xlsx")
    rows = list(load_workbook(register).worksheets[0].iter_rows(min_row=3, values_only=True))
    counted = [
        r[2] for r in rows if r[0] and str(r[6]).startswith("2025") and r[11] not in ("已取消", "草稿")
    ]
    scores = table(published, "county_scorecards").set_index("county")
    for county, row in scores.iterrows():
        plans = counted.count(county)
        verdict = "不足" if plans < 1 else "超出" if plans > 2 else "符合"
        assert (row.plans, row.plans_verdict) == (str(plans), f"{verdict}(1–2)"), county
    assert scores.loc["布拖县", "plans_verdict"] == "不足(1–2)"
