"""Each manager's patch (分片管理) on the site, from a small published history made by hand:
陆浩 (M008, 西昌市) keeps two key accounts in 2025-03; every figure below is counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.site.data import SiteData
from pipeline.site.managers import manager_page
from pipeline.site.pages import SitePages
from pipeline.site.svg import revenue_chart, sparkline

MONTHS = ["2025-01", "2025-02", "2025-03"]
TAX, SHOP, SCHOOL, GONE, OTHER = "C1", "C2", "C3", "C4", "C5"


def frame(columns: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def site_data() -> SiteData:
    tiers = frame(
        "month customer_id county tier reasons change manager_id",
        [
            ("2025-02", TAX, "西昌市", "prefecture", "特快 前80%", "baseline", "M008"),
            ("2025-02", GONE, "西昌市", "county", "", "baseline", "M008"),
            ("2025-03", TAX, "西昌市", "prefecture", "特快 前80%", "", "M008"),
            ("2025-03", SHOP, "西昌市", "county", "县级自定", "new", "M008"),
            ("2025-03", GONE, "西昌市", "ordinary", "", "demoted", "M008"),  # no longer a key account
            ("2025-03", SCHOOL, "西昌市", "prefecture", "党政军机关", "", "M009"),
            ("2025-03", OTHER, "会理市", "county", "", "", "M011"),
        ],
    )
    usage = frame(
        "month county customer_id business_type volume revenue_fen manager_id",
        [
            ("2025-01", "西昌市", TAX, "特快", 10, 100_000, "M008"),
            ("2025-03", "西昌市", TAX, "特快", 30, 200_000, "M008"),
            ("2025-03", "西昌市", TAX, "函件", 5, 50_000, "M008"),
            ("2025-03", "西昌市", SHOP, "函件", 7, 30_000, "M008"),
            ("2025-03", "西昌市", SCHOOL, "特快", 1, 90_000, "M009"),
        ],
    )
    visits = frame(
        "month date customer_id manager_id method content county",
        [
            ("2025-02", "2025-02-10", TAX, "M008", "上门", "", "西昌市"),
            ("2025-03", "2025-03-05", TAX, "M008", "电话", "", "西昌市"),
            ("2025-01", "2025-01-20", SHOP, "M008", "上门", "", "西昌市"),
            ("2025-03", "2025-04-02", SHOP, "M008", "上门", "", "西昌市"),  # dated after the month
            ("2025-03", None, SHOP, "M008", "上门", "", "西昌市"),  # undated
        ],
    )
    alerts = frame(
        "month customer_id county manager_id kind this_month_fen reference_fen ratio basis",
        [
            ("2025-02", TAX, "西昌市", "M008", "loss", 0, 100_000, 0.0, "上年同期"),  # an earlier month
            ("2025-03", SHOP, "西昌市", "M008", "decline", 30_000, 80_000, 0.375, "上年同期"),
            ("2025-03", SCHOOL, "西昌市", "M009", "decline", 90_000, 200_000, 0.45, "上年同期"),
        ],
    )
    cases = frame(
        "case_id county customer_id type business_type content mail_no claim_amount_fen opened closed"
        " result manager_id status limit_days age_days",
        [
            ("k1", "西昌市", TAX, "complaint", "特快", "投递延误,请回电13512349335", "", None,
             "2025-03-20", None, "", "M008", "open", 7, 11),
            ("k2", "西昌市", TAX, "claim", "特快", "丢失", "EA1", 5000,
             "2025-02-01", None, "", None, "overdue", 30, 58),  # no manager on the case: the account's
            ("k3", "西昌市", SHOP, "inquiry", "函件", "查询", "", None,
             "2025-03-02", "2025-03-03", "已答复", "M008", "closed", 3, 1),
            ("k4", "西昌市", SCHOOL, "complaint", "特快", "", "", None,
             "2025-03-25", None, "", "M009", "open", 7, 6),
        ],
    )  # fmt: skip
    archive = frame(
        "customer_id name county manager_id address contact phone nature",
        [
            (TAX, "西昌市税务局", "西昌市", "M008", "", "", "", ""),
            (SHOP, "凉山州安宁商贸<有限>公司", "西昌市", "M008", "", "", "", ""),
            (SCHOOL, "西昌学院", "西昌市", "M009", "", "", "", ""),
            (GONE, "已降级商行", "西昌市", "M008", "", "", "", ""),
            (OTHER, "会理某店", "会理市", "M011", "", "", "", ""),
        ],
    )
    submissions = frame("month county status file rows errors warnings report_date", [])
    tables = {"tiers": tiers, "usage": usage, "visits": visits, "alerts": alerts, "submissions": submissions}
    return SiteData(MONTHS, {}, tables, archive, {}, cases=cases)


@pytest.fixture
def site(reference) -> SitePages:
    return SitePages(site_data(), reference)


def test_a_managers_patch_counted_by_hand(site):
    page = site.patches.manager_context("M008")
    assert page["m"] == {"manager_id": "M008", "name": "陆浩", "county": "西昌市", "role": "客户经理"}
    assert page["month"] == "2025-03"
    accounts = page["accounts"]
    assert [a["customer_id"] for a in accounts] == [TAX, SHOP]  # 2,500.00 before 300.00 元; C4 demoted
    assert (page["prefecture"], page["county_tier"]) == (1, 1)
    tax, shop = accounts
    assert tax["tier"] == "州级大客户" and shop["tier"] == "县级大客户"
    assert tax["trend"] == [100_000, 0, 250_000] and tax["revenue_fen"] == 250_000
    assert tax["last_visit"] == "2025-03-05"
    assert shop["last_visit"] == "2025-01-20"  # the April and the undated visit are not counted
    assert (tax["open_cases"], tax["overdue_cases"]) == (2, 1)
    assert (shop["open_cases"], shop["overdue_cases"]) == (0, 0)  # its inquiry was closed
    assert tax["alerts"] == "" and shop["alerts"] == "下降预警"  # this month's alerts only
    assert [c["opened"] for c in page["cases"]] == ["2025-02-01", "2025-03-20"]
    assert [c["status"] for c in page["cases"]] == ["超时未办结", "未办结"]
    assert page["cases"][1]["content"] == "投递延误,请回电135****9335"
    assert page["overdue"] == 1
    assert [(a["customer_id"], a["kind"]) for a in page["alerts"]] == [(SHOP, "下降预警")]


def test_which_managers_have_a_page(site, reference):
    ids = site.patches.manager_ids
    assert {"M008", "M009", "M011"} <= set(ids)
    active = reference.managers_active_in("2025-03")
    assert set(ids) == set(active.manager_id[active.role == "客户经理"]) | {"M008", "M009", "M011"}
    assert "M001" not in ids  # the 主任 keeps no account
    pages = {p.path: p for p in site.all()}
    page = pages["managers/M008.html"]
    assert page.template == "site_manager.html"
    assert [t.key for t in page.tables] == ["accounts", "open_cases", "alerts", "opportunities"]
    assert page.tables[0].rows[0][:5] == [TAX, "西昌市税务局", "西昌市", "州级大客户", 2500]
    assert page.search == {"name": "陆浩", "kind": "客户经理", "detail": "西昌市 · M008 · 大客户 2 户"}
    assert manager_page("../x").startswith("managers/id-") and "/" not in manager_page("../x")[9:]


def test_nothing_from_the_scorecards_or_pay_is_in_a_managers_page_data(site):
    page = site.patches.page("M008")
    words = repr(page.context) + repr([t.__dict__ for t in page.tables])
    for word in ("score", "band", "pay", "total", "优秀", "良好", "合格", "待改进", "得分", "绩效", "薪酬"):
        assert word not in words, word


def test_the_customer_page_links_its_manager_and_shows_a_month_by_business_table(site):
    pages = {p.path: p for p in site.all()}
    page = pages[f"customers/{TAX}.html"]
    c = page.context
    assert c["manager_href"] == "managers/M008.html"
    assert c["businesses"] == ["特快", "函件"]  # in the reference's order
    assert c["matrix"] == [
        {"month": "2025-03", "cells": [200_000, 50_000], "total": 250_000},
        {"month": "2025-01", "cells": [100_000, None], "total": 100_000},
    ]
    assert [t["revenue_fen"] for t in c["revenue_trend"]] == [100_000, 0, 250_000]
    keys = [t.key for t in page.tables]
    assert "usage" in keys and "usage_by_month" in keys  # the long list stays a download
    matrix = next(t for t in page.tables if t.key == "usage_by_month")
    assert matrix.headers == ["月份", "特快收入(元)", "函件收入(元)", "合计收入(元)"]
    assert [str(v) for v in matrix.rows[1]] == ["2025-01", "1000.00", "", "1000.00"]
    finished = page.finish(c)
    assert "<svg" in finished["revenue_chart"] and "2,500.00" in finished["revenue_chart"]


def test_the_county_page_gets_alerts_coverage_and_open_cases(site):
    pages = {p.path: p for p in site.all()}
    c = pages["counties/xichang.html"].context
    assert [(m["name"], m["accounts"], m["open_cases"]) for m in c["managers"]] == [
        ("陆浩", 2, 2),
        ("夏志强", 1, 1),
    ]
    assert c["managers"][0]["href"] == "managers/M008.html"
    assert [(a["customer_id"], a["manager"]) for a in c["county_alerts"]] == [
        (SHOP, "陆浩"),
        (SCHOOL, "夏志强"),
    ]
    # 2025-03: C1, C2, C3 are key accounts, only C1 has a visit dated in March; 2025-02: C1 (visited), C4
    assert [(r["month"], r["key_accounts"], r["visited"]) for r in c["coverage"]] == [
        ("2025-03", 3, 1),
        ("2025-02", 2, 1),
    ]
    assert [k["customer_id"] for k in c["open_cases"]] == [TAX, TAX, SCHOOL]
    key = next(r for r in c["keys"] if r["customer_id"] == SCHOOL)
    assert key["manager_href"] == "managers/M009.html"


def test_the_charts_escape_their_labels_and_draw_the_figures():
    spark = sparkline([0, 50, 100], "<b>甲&乙</b>")
    assert "<b>" not in spark and "&lt;b&gt;甲&amp;乙&lt;/b&gt;" in spark
    assert 'points="3,25 60,14 117,3"' in spark  # 120 × 28, 3 px inside: the lowest at the bottom
    chart = revenue_chart(["2025-01", "2025-02"], [100_000, 50_000], "<x>")
    assert "&lt;x&gt;" in chart and "<x>" not in chart
    assert chart.count("<rect") == 2 and "1,000.00" in chart and "25/02" in chart
    assert sparkline([], "空").count("<polyline") == 0
