"""A real month materialised through Dagster into a temp dir: the contract tables, the PDF
read back, the site's links."""

from __future__ import annotations

import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from pipeline.core.layout import Layout
from pipeline.core.problems import LABELS
from tests.pdf_pages import pages_before_annex

MONTH = "2025-03"


def table(layout: Layout, name: str, month: str = MONTH) -> pd.DataFrame:
    return pd.read_csv(layout.tables(month) / f"{name}.csv", dtype=str, keep_default_na=False)


def bulletin_pdf(layout: Layout) -> Path:
    (pdf,) = (layout.bulletins(MONTH) / "v1").glob("信息简报_*.pdf")
    return pdf


def revenue_in_workbook(path: Path) -> float:
    """Σ 收入 of a county workbook read independently with openpyxl (unit from the header)."""
    ws = load_workbook(path, read_only=True)["用邮情况"]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and "客户编号" in r)
    header = rows[header_at]
    column = next(j for j, h in enumerate(header) if h and str(h).startswith("收入"))
    scale = 10000 if "万元" in header[column] else 1
    total = 0.0
    for row in rows[header_at + 1 :]:
        if row[0] == "合计":
            break
        total += float(row[column]) * scale
    return total


def test_tables_of_the_contract_are_written(published):
    assert list(table(published, "usage").columns[:11]) == [
        "month",
        "county",
        "customer_id",
        "business_type",
        "volume",
        "revenue",
        "manager_id",
        "collection",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    assert list(table(published, "volumes").columns[:8]) == [
        "county",
        "business_type",
        "volume",
        "revenue",
        "volume_mom",
        "revenue_mom",
        "volume_yoy",
        "revenue_yoy",
    ]
    assert list(table(published, "submissions").columns[:7]) == [
        "county",
        "status",
        "file",
        "sha256",
        "rows",
        "errors",
        "warnings",
    ]
    assert list(table(published, "problems").columns) == [
        "severity",
        "code",
        "county",
        "file",
        "sheet",
        "cell",
        "value",
        "message",
    ]


def test_submissions_name_every_county_and_the_rejected_one(published):
    submissions = table(published, "submissions").set_index("county")
    assert len(submissions) == 17
    assert submissions.loc["甘洛县", "status"] == "rejected"
    assert submissions.loc["西昌市", "status"] == "on_time"
    assert len(submissions.loc["西昌市", "sha256"]) == 64
    problems = table(published, "problems")
    wrong_month = problems[problems.code == "month_mismatch"].iloc[0]
    assert (wrong_month.county, wrong_month.sheet, wrong_month.cell) == ("甘洛县", "用邮情况", "A1")
    assert "2025年2月" in wrong_month.value


@pytest.mark.parametrize("county", ["西昌市", "会理市"])  # columns reordered; 收入(万元)
def test_usage_revenue_matches_the_workbook_read_independently(published, county):
    usage = table(published, "usage")
    mine = usage[usage.county == county]
    (path,) = (published.month_inputs(MONTH)).glob(f"{county}_*.xlsx")
    assert set(mine.source_file) == {path.name}
    expected = revenue_in_workbook(path)
    assert mine.revenue.astype(float).sum() == pytest.approx(expected, abs=0.005 * len(mine))
    assert all(re.fullmatch(r"\d+\.\d\d", v) for v in mine.revenue)


def test_month_on_month_change_is_computed_from_the_two_months(published):
    now, before = table(published, "usage"), table(published, "usage", "2025-02")

    def revenue(frame: pd.DataFrame) -> float:
        return frame[(frame.county == "西昌市") & (frame.business_type == "特快")].revenue.astype(float).sum()

    volumes = table(published, "volumes")
    row = volumes[(volumes.county == "西昌市") & (volumes.business_type == "特快")].iloc[0]
    assert float(row.revenue) == pytest.approx(revenue(now), abs=0.001)
    assert float(row.revenue_mom) == pytest.approx(revenue(now) / revenue(before) - 1, abs=1e-6)
    assert row.revenue_yoy == ""  # no same month last year in the data


def test_bulletin_pdf_states_the_figures_in_chinese(published):
    pdf = bulletin_pdf(published)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "信息简报" in text and "2025年第3期" in text
    revenue = table(published, "usage").revenue.astype(float).sum()
    assert f"{revenue / 10000:,.2f}" in text
    assert "甘洛县(报表退回)" in text
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*\d+\s*页", text)


def test_bulletin_embeds_a_subset_cjk_font_and_carries_its_tables(published):
    pdf = bulletin_pdf(published)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes " in line for line in cjk)
    assert "Type 3" not in fonts
    attached = set(PdfReader(pdf).attachments)
    assert {"usage.csv", "volumes.csv", "submissions.csv", "problems.csv"} <= attached


def test_rerun_with_unchanged_inputs_keeps_version_and_bytes(published, tmp_path):
    from assets.runner import run_month
    from tests.integration.test_correction import copy_of

    layout = copy_of(published, tmp_path)
    pdf = bulletin_pdf(layout)
    before = pdf.read_bytes()
    report = run_month(layout, MONTH)
    assert report.success and report.history_months == []
    assert [p.name for p in layout.bulletins(MONTH).iterdir() if p.is_dir()] == ["v1"]
    assert pdf.read_bytes() == before


def test_site_pages_link_only_to_files_that_exist(published):
    site = published.site
    pages = [site / "index.html", site / "months" / f"{MONTH}.html", site / "problems" / f"{MONTH}.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        links = re.findall(r'(?:href|src)="([^"#]+)', html)
        assert links, page
        for link in (li for li in links if not li.startswith("data:")):  # embedded charts, no favicon
            assert not link.startswith(("http:", "https:", "/", "file:")), link
            # as a browser resolves it, from the page's address under outputs/site (the feedback
            # files sit beside the site, in outputs/feedback/)
            target = Path(os.path.normpath(page.parent / unquote(link)))
            assert target.exists(), f"{page.name} → {link}"
    assert "2025年3月" in (site / "index.html").read_text(encoding="utf-8")


def test_problems_page_names_county_cell_value_and_what_to_do(published):
    html = (published.site / "problems" / f"{MONTH}.html").read_text(encoding="utf-8")
    shown = re.escape(LABELS["month_mismatch"])  # the page speaks Chinese, not codes
    row = re.search(rf"<tr>(?:(?!</tr>).)*{shown}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert "month_mismatch" not in html
    assert "甘洛县_2025年3月_大客户用邮情况.xlsx" in row and "<td>A1</td>" in row
    assert "请县局报送本月报表" in row
    assert "甘洛县" in html


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_bulletin_figures_agree_with_tiers_and_alerts_tables(published):
    text = pdf_text(bulletin_pdf(published))
    tiers, alerts = table(published, "tiers"), table(published, "alerts")
    prefecture, county = (tiers.tier == "prefecture").sum(), (tiers.tier == "county").sum()
    assert f"州级大客户 {prefecture} 户,县级大客户 {county} 户" in text
    loss, decline = (alerts.kind == "loss").sum(), (alerts.kind == "decline").sum()
    assert f"流失预警 {loss} 户,下降预警 {decline} 户" in text
    said = " ".join(text.split())  # the sentence may wrap
    for change, label in (("new", "新增"), ("returning", "回归"), ("promoted", "升级"), ("lost", "流失")):
        assert f"{label} {(tiers.change == change).sum()} 户" in said
    for heading in (
        "一、本月概况",
        "五、客户集中度",
        "六、前十大客户",
        "七、大客户变动",
        "八、流失与下降预警",
    ):
        assert heading in text


def test_brief_is_at_most_two_pages_and_names_the_risks(published):
    (brief,) = (published.bulletins(MONTH) / "v1").glob("信息参考_*.pdf")
    assert pages_before_annex(brief) <= 2  # the annex (浮动定价, 市场研究) follows on pages of its own
    text = pdf_text(brief)
    assert "信息参考" in text and "需要决策的风险" in text and "报表报送" in text
    assert "甘洛县" in text  # its workbook was rejected this month


def test_quarterly_report_pdf_and_xlsx_at_quarter_end(published):
    folder = published.bulletins(MONTH) / "v1"
    (pdf,) = folder.glob("大客户用邮情况表_2025年第1季度_*.pdf")
    (xlsx,) = folder.glob("大客户用邮情况表_2025年第1季度_*.xlsx")
    quarterly = table(published, "quarterly")
    workbook = load_workbook(xlsx, read_only=True)
    assert sorted(workbook.sheetnames) == sorted(quarterly.county.unique())
    sheet = workbook["西昌市"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("客户编号", "客户名称", "级别", "业务种类", "用邮量", "收入(元)")
    mine = quarterly[quarterly.county == "西昌市"]
    assert len(rows) - 1 == len(mine)
    assert sum(r[5] for r in rows[1:]) == pytest.approx(mine.revenue.astype(float).sum(), abs=0.01)
    assert "西昌市" in pdf_text(pdf)


def test_pay_statements_read_back_match_pay_csv_and_stay_restricted(published):
    root = published.restricted_pay(MONTH)
    pay = pd.read_csv(root / "pay.csv", dtype=str, keep_default_na=False)
    assert list(pay.columns) == [
        "manager_id",
        "name",
        "county",
        "performance_pay",
        "marketing_reward",
        "award",
        "allowance",
        "total",
        "version",
        "held",
        "state",
    ]
    assert set(pay.state) == {"draft"}  # not confirmed by the director: not to be paid from
    row = pay.sort_values("marketing_reward", key=lambda s: s.astype(float)).iloc[-1]
    (pdf,) = (root / "v1" / "statements").glob(f"薪酬明细_{row.manager_id}_*.pdf")
    text = pdf_text(pdf)
    assert "客户经理薪酬明细" in text and row["name"] in text
    assert f"{float(row.total):,.2f}".replace(",", "") in text.replace(",", "")
    assert "营销奖励" in text and "新揽收" in text and "规则版本 2025-01" in text
    lines = pd.read_csv(root / "v1" / "pay_lines.csv", dtype=str)
    mine = lines[lines.manager_id == row.manager_id]
    assert sum(Decimal(a) for a in mine.amount) == Decimal(row.total)
    site_text = " ".join(p.read_text(encoding="utf-8") for p in published.site.rglob("*.html"))
    assert "薪酬" not in site_text and "pay" not in [p.name for p in published.site.rglob("*")]
    assert not any("restricted" in str(p) for p in published.site.rglob("*"))


def test_summary_workbook_totals_equal_the_sum_of_managers(published):
    (xlsx,) = (published.restricted_pay(MONTH) / "v1").glob("薪酬汇总_*.xlsx")
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    body, total = rows[1:-1], rows[-1]
    assert sheet.title == "汇总(草稿)" and total[0] == "合计(草稿:主任确认前不得据此发放)"  # not confirmed
    assert rows[0][3] == "暂缓发放"  # then the money columns, the total last
    for column in range(4, 9):
        assert sum(Decimal(str(r[column])) for r in body) == Decimal(str(total[column]))
    pay = pd.read_csv(published.restricted_pay(MONTH) / "pay.csv", dtype=str)
    assert Decimal(str(total[8])) == sum(Decimal(t) for t in pay.total)


def test_bulletin_ranks_managers_by_band_and_shows_no_score_or_pay(published):
    text = pdf_text(bulletin_pdf(published))
    cards = pd.read_csv(published.restricted_pay(MONTH) / "scorecards.csv", dtype=str)
    cards = cards.sort_values("total", key=lambda s: -s.astype(float))
    assert "客户经理考核排名" in text
    best = cards.iloc[0]
    row = next(line for line in text.splitlines() if best.manager_id in line)
    assert row.split()[0] == "1" and row.split()[-1] in {"优秀", "良好", "合格", "待改进"}
    # performance pay is 8 × the total: no total on any line of the bulletin
    assert not any(
        f"{float(t):.2f}" in line for t in cards.total for line in text.splitlines() if "M0" in line
    )
    pay = pd.read_csv(published.restricted_pay(MONTH) / "pay.csv", dtype=str)
    assert "薪酬" not in text and "业绩工资" not in text
    assert not any(f" {p} " in text for p in pay.total if float(p) > 1000)


def test_a_rerender_of_the_same_content_is_byte_identical(published, tmp_path):
    import pickle

    from pipeline.ingest.reference import Reference
    from pipeline.publish.bulletin import alert_wording, render_brief, render_bulletin

    content = pickle.loads((published.storage / "month_content_data" / f"{MONTH}-01").read_bytes())
    tables = published.tables(MONTH)
    attachments = [
        tables / f"{n}.csv"
        for n in ("usage", "volumes", "tiers", "alerts", "cases", "submissions", "problems")
    ]
    attachments += [tables / "reconciliation.csv"] if "reconciliation" in content else []  # 对账差异
    wording = alert_wording(Reference.load(published.reference).rules.for_month(MONTH))
    again = render_bulletin(content, 1, tmp_path, attachments, wording)
    assert again.read_bytes() == bulletin_pdf(published).read_bytes()
    (brief,) = (published.bulletins(MONTH) / "v1").glob("信息参考_*.pdf")
    assert render_brief(content, 1, tmp_path, wording).read_bytes() == brief.read_bytes()


def test_a_rejected_county_shows_no_figures_rather_than_zeros(published):
    import json

    content = json.loads((published.bulletins(MONTH) / "v1" / "content.json").read_text(encoding="utf-8"))
    ganluo = next(r for r in content["by_county"] if r["county"] == "甘洛县")
    assert ganluo["status"] == "rejected"
    assert ganluo["revenue_fen"] is None and ganluo["coverage"] is None and ganluo["customers"] is None


def test_each_county_s_problems_in_the_bulletin_are_those_of_the_problems_table(published):
    """The 报送情况 counts every problem of the month, also those found after the workbooks were
    read (新揽收, 对账), as problems.csv and the site's problems page do."""
    import json

    content = json.loads((published.bulletins(MONTH) / "v1" / "content.json").read_text(encoding="utf-8"))
    problems = table(published, "problems")
    for row in content["submissions"]:
        mine = problems[problems.county == row["county"]]
        assert (row["errors"], row["warnings"]) == (
            int((mine.severity == "error").sum()),
            int((mine.severity == "warning").sum()),
        ), row["county"]
