"""问题清单.xlsx and the site's problems page: Chinese labels for people, while problems.csv
keeps its machine contract."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from pipeline.core.problems import CODES, LABELS
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files, unknown_file_problems
from pipeline.ingest.month import combine
from pipeline.ingest.submissions import submissions_table
from pipeline.publish.problem_report import WORKBOOK_NAME, write_problem_workbook
from tests.workbooks import ROWS, county_workbook

MONTH = "2026-10"
PUBLISHED_MONTH = "2025-03"


def _text_cell(path: Path, cell: str, text: str) -> None:
    """A county typing formula-like text: stored as text, as Excel does for a text-formatted cell."""
    wb = load_workbook(path)
    wb["用邮情况"][cell].value = text
    wb["用邮情况"][cell].data_type = "s"
    wb.save(path)


def test_every_code_has_a_chinese_label():
    assert set(CODES) <= set(LABELS)
    assert all(not label.isascii() for label in LABELS.values())


def test_workbook_has_a_summary_and_a_sheet_per_county_in_chinese(tmp_path, reference):
    inputs = tmp_path / MONTH
    inputs.mkdir()
    rows = [*ROWS[:2], ["C5134010002", "凉山州安宁商贸有限公司", "特快", 45, 360.25, "陆浩", "新揽收"]]
    _text_cell(county_workbook(inputs / "西昌市.xlsx", rows=rows, total=False), "C6", "=1+2")
    county_workbook(inputs / "大客户月报(11月).xlsx", county="某某", total=False)
    files, unknown = county_files(inputs, reference)
    intakes = [ingest_county(c, MONTH, files.get(c, []), reference) for c in reference.counties.code]
    problems = combine(intakes, unknown_file_problems(unknown)).problems
    path = write_problem_workbook(
        tmp_path, MONTH, problems, submissions_table(intakes, reference.county_names)
    )

    assert path == tmp_path / WORKBOOK_NAME
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["汇总", "西昌市", "会理市"]  # reference order, 会理市 missing
    assert wb.sheetnames[-1] == "未识别县(市)的文件"
    summary = {r[0]: r for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert len(summary) == 18
    assert summary["西昌市"][1] == "按时" and "业务种类无法识别" in summary["西昌市"][5]
    assert summary["会理市"][1] == "未报送"
    sheet = wb["西昌市"]
    assert [c.value for c in sheet[1]] == ["级别", "问题", "文件", "工作表", "单元格", "原值", "处理意见"]
    bad = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "业务种类无法识别")
    assert bad[0].value == "错误" and bad[4].value == "C6"
    assert bad[5].value == "=1+2" and bad[5].data_type == "s"  # text, never a formula
    texts = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    assert not texts & set(CODES), "a code reached the operator's workbook"


def test_run_writes_the_workbook_beside_an_unchanged_problems_csv(published):
    folder = published.problems(PUBLISHED_MONTH)
    assert (folder / WORKBOOK_NAME).exists()
    head = (folder / "problems.csv").read_bytes()[:60]
    assert head.startswith(b"severity,code,county,file,sheet,cell,value,message\n")  # no BOM


def test_site_problems_page_shows_labels_not_codes(published):
    page = (published.site / "problems" / f"{PUBLISHED_MONTH}.html").read_text(encoding="utf-8")
    codes = (published.tables(PUBLISHED_MONTH) / "problems.csv").read_text(encoding="utf-8")
    shown = [c for c in CODES if c in codes]
    assert shown, "the sample month should have problems"
    assert not [c for c in shown if c in page]
    assert all(LABELS[c] in page for c in shown)


def test_the_summary_counts_every_problem_of_the_month_as_problems_csv_does(published, reference):
    """新揽收 and 对账 problems are found after reading, and the 州局's 考核评分 is no county's:
    the 汇总's 错误/提示 are counted from the month's whole problems.csv, its 州局 row too."""
    import pandas as pd

    problems = pd.read_csv(
        published.problems(PUBLISHED_MONTH) / "problems.csv", dtype=str, keep_default_na=False
    )
    wb = load_workbook(published.problems(PUBLISHED_MONTH) / WORKBOOK_NAME)
    shown = {r[0]: (r[3], r[4]) for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    expected = {
        county: (int((rows.severity == "error").sum()), int((rows.severity == "warning").sum()))
        for county, rows in problems.groupby("county")
    }
    late = set(problems.county[problems.code.str.startswith(("reconcile_", "new_collection_"))])
    assert late, "the sample month has problems found after reading"
    assert {c: shown[c] for c in expected if c} == {c: n for c, n in expected.items() if c}
