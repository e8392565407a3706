"""The managers' pages (分片管理) of a real published month: one per manager, linked from the
customer and county pages, and nothing on them from which a person's score or pay can be read."""

from __future__ import annotations

import csv
import io
import re
import shutil
from decimal import Decimal

import pandas as pd
from openpyxl import load_workbook

from pipeline.core.layout import Layout
from pipeline.site.build import build_site
from tests.integration.test_privacy import html_units, leaks, personal_figures

MONTH = "2025-03"
BANDS = ("优秀", "良好", "合格", "待改进")
PAY_WORDS = ("得分", "评分", "考核", "绩效", "薪酬", "工资", "奖励", "档次")


def key_accounts(layout) -> pd.DataFrame:
    tiers = pd.read_csv(layout.tables(MONTH) / "tiers.csv", dtype=str)
    return tiers[tiers.tier.isin(["prefecture", "county"])]


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start)
    return page[start : end if end > 0 else None]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_each_manager_keeping_key_accounts_has_a_page_with_them(published, reference):
    keys = key_accounts(published)
    names = reference.managers.drop_duplicates("manager_id", keep="last").set_index("manager_id").name
    cases = pd.read_csv(published.tables(MONTH) / "cases.csv", dtype=str)
    visits = pd.concat(
        pd.read_csv(published.tables(m) / "visits.csv", dtype=str) for m in ("2025-01", "2025-02", MONTH)
    )
    for manager_id, mine in keys.groupby("manager_id"):
        page = (published.site / "managers" / f"{manager_id}.html").read_text(encoding="utf-8")
        assert f"<h1>{names[manager_id]}</h1>" in page
        rows = section(page, "accounts").count("<tr>") - 1  # the header row
        assert rows == len(mine), manager_id
        for customer_id in mine.customer_id:
            assert f'href="../customers/{customer_id}.html"' in page
        opened = cases[(cases.manager_id == manager_id) & cases.status.isin(["open", "overdue"])]
        assert f"<dt>未办结案件</dt><dd>{len(opened)} 件" in page
    # one manager's accounts, by hand: the last visit of each, from all three months' visits
    manager_id, mine = max(keys.groupby("manager_id"), key=lambda g: (len(g[1]), g[0]))
    page = (published.site / "managers" / f"{manager_id}.html").read_text(encoding="utf-8")
    dated = visits[
        visits.date.fillna("").str.match(r"^\d{4}-\d\d-\d\d") & (visits.date.str[:10] <= f"{MONTH}-31")
    ]
    for customer_id in mine.customer_id:
        row = next(r for r in section(page, "accounts").split("<tr>") if f"customers/{customer_id}.html" in r)
        last = dated.date[dated.customer_id == customer_id].str[:10].max()
        assert f"<td>{last if isinstance(last, str) else '—'}</td>" in row, customer_id


def test_customer_and_county_pages_link_the_managers_page(published, reference):
    keys = key_accounts(published)
    row = keys.iloc[0]
    page = (published.site / "customers" / f"{row.customer_id}.html").read_text(encoding="utf-8")
    assert f'<dd><a href="../managers/{row.manager_id}.html">' in page
    code = reference.counties.set_index("name").code[row.county]
    county = (published.site / "counties" / f"{code}.html").read_text(encoding="utf-8")
    for manager_id in set(keys.manager_id[keys.county == row.county].dropna()):
        assert f'href="../managers/{manager_id}.html"' in section(county, "managers")
    for heading in ('id="alerts"', 'id="coverage"', 'id="open-cases"'):
        assert heading in county


def test_the_month_by_business_table_adds_up_to_the_usage_table(published):
    usage = pd.read_csv(published.tables(MONTH) / "usage.csv", dtype={"revenue": str})
    keys = key_accounts(published)
    mine = usage[usage.customer_id.isin(keys.customer_id)]
    customer_id = mine.groupby("customer_id").business_type.nunique().idxmax()  # several businesses
    rows = mine[mine.customer_id == customer_id]
    download = published.site / "downloads" / "customers" / f"{customer_id}.usage_by_month.csv"
    table = list(csv.reader(io.StringIO(download.read_text(encoding="utf-8-sig"))))
    header, latest = table[0], next(r for r in table if r[0] == MONTH)
    for business, group in rows.groupby("business_type"):
        assert latest[header.index(f"{business}收入(元)")] == f"{sum(Decimal(v) for v in group.revenue):.2f}"
    assert latest[-1] == f"{sum(Decimal(v) for v in rows.revenue):.2f}"
    # the long list (one row per month and business, with 用邮量) is still offered
    long = published.site / "downloads" / "customers" / f"{customer_id}.usage.csv"
    assert long.read_text(encoding="utf-8-sig").startswith("月份,业务种类,用邮量,收入(元)")
    page = (published.site / "customers" / f"{customer_id}.html").read_text(encoding="utf-8")
    assert '<svg class="chart"' in page and "<tr><td>2025-01</td>" in page


def test_no_score_band_or_pay_on_the_managers_pages(published):
    people = personal_figures(published)  # manager → (id and name, scorecard total and pay figures)
    pages = sorted(published.site.glob("managers/*.html"))
    assert len(pages) >= len(set(key_accounts(published).manager_id.dropna()))
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert leaks(html_units(path), people) == [], path
        text = text_of(html)
        assert not [w for w in (*BANDS, *PAY_WORDS) if w in text], path
        # the page's own manager: their total and pay figures nowhere on it, with or without separators
        if path.stem in people:
            for figure in people[path.stem][1]:
                shown = {figure, f"{Decimal(figure):,.2f}"}
                assert not [f for f in shown if re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d])", text)], (
                    path,
                    figure,
                )
    downloads = published.site / "downloads" / "managers"
    for path in downloads.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        assert not [w for w in (*BANDS, *PAY_WORDS) if w in text], path
    for path in downloads.glob("*.xlsx"):
        cells = [str(c.value) for ws in load_workbook(path) for r in ws.iter_rows() for c in r]
        assert not [w for w in (*BANDS, *PAY_WORDS) if any(w in c for c in cells)], path


def test_a_hostile_customer_name_is_escaped_on_its_managers_page(published, reference, tmp_path):
    shutil.copytree(published.outputs, tmp_path / "outputs", symlinks=True)
    layout = Layout(published.inputs, tmp_path / "outputs")
    row = key_accounts(layout).iloc[0]
    archive_path = layout.tables(MONTH) / "archive.parquet"
    archive = pd.read_parquet(archive_path)
    hostile = '"><script>alert(1)</script><b x="'
    archive.loc[archive.customer_id == row.customer_id, "name"] = hostile
    archive.to_parquet(archive_path, index=False)
    build_site(layout, reference, search_index=False)
    page = (layout.site / "managers" / f"{row.manager_id}.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "<b x=" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # the link, the chart's label and title
