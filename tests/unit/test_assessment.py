"""The centre's 考核评分 sheet on real workbooks: a manager given twice blocks only that manager."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook

from pipeline.ingest.assessment import read_assessment
from pipeline.ingest.sheets import ASSESSMENT_HEADER


def sheet(path, rows: list[list]):
    wb = Workbook()
    ws = wb.active
    ws.title = "考核评分"
    ws.append(["大客户中心客户经理月度考核评分(2026年10月)"])
    ws.append(ASSESSMENT_HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_two_different_rows_for_one_manager_hold_only_that_manager(tmp_path, reference):
    path = sheet(
        tmp_path / "考核评分.xlsx",
        [
            ["M003", "梁阿呷", 8, 9, 4, 0, ""],
            ["M004", "邓春燕", 7, 6, 5, 500, "揽收账单项目"],
            ["M003", "梁阿呷", 10, 10, 5, 0, ""],
        ],
    )
    table, problems = read_assessment(path, reference, "2026-10")
    table = table.set_index("manager_id")
    assert [(p.code, p.cell, p.value) for p in problems] == [
        ("assessment_conflict", "B3", "M003"),
        ("assessment_conflict", "B5", "M003"),
    ]
    assert "第3行、第5行" in problems[0].message
    assert table.loc["M003", "conflict"].startswith("考核评分表中此人有 2 行且分值不一致")
    assert table.loc["M004", "conflict"] == "" and table.loc["M004", "award"] == Decimal(500)


def test_an_identical_second_row_counts_once_with_a_warning(tmp_path, reference):
    row = ["M003", "梁阿呷", 8, 9, 4, 0, ""]
    table, problems = read_assessment(sheet(tmp_path / "考核评分.xlsx", [row, row]), reference, "2026-10")
    assert [(p.code, p.severity, p.cell) for p in problems] == [("assessment_duplicate", "warning", "B4")]
    assert len(table) == 1 and table.conflict.iloc[0] == ""
    assert table.market_survey.iloc[0] == Decimal(8)
