"""The centre's 考核评分 sheet on real workbooks: a manager given twice blocks only that manager."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from openpyxl import Workbook, load_workbook

from pipeline.ingest.assessment import assessment_file, read_assessment
from pipeline.ingest.files import assessment_files, county_files
from pipeline.ingest.sheets import ASSESSMENT_HEADER
from pipeline.pay.lines import pay_lines, pay_summary
from pipeline.pay.scorecard import scorecards
from tests.unit.test_scorecard import zero_targets
from tests.workbooks import county_workbook


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


# M003 twice with different scores and no award; M004 once, with an award
M003_TWICE = [
    ["M003", "梁阿呷", 8, 9, 4, 0, ""],
    ["M004", "邓春燕", 7, 6, 5, 500, "揽收账单项目"],
    ["M003", "梁阿呷", 10, 10, 5, 0, ""],
]


def test_two_different_rows_for_one_manager_hold_only_that_manager(tmp_path, reference):
    path = sheet(tmp_path / "考核评分.xlsx", M003_TWICE)
    table, problems = read_assessment(path, reference, "2026-10")
    table = table.set_index("manager_id")
    assert [(p.code, p.cell, p.value) for p in problems] == [
        ("assessment_conflict", "B3", "M003"),
        ("assessment_conflict", "B5", "M003"),
    ]
    assert "第3行、第5行" in problems[0].message
    assert table.loc["M003", "conflict"].startswith("考核评分表中此人有 2 行且分值不一致")
    assert table.loc["M004", "conflict"] == "" and table.loc["M004", "award"] == Decimal(500)
    assert table.loc["M003", "award_conflict"] == ""  # neither row gives an award: none is pending


def test_rows_that_differ_hold_the_award_unless_none_of_them_gives_one(tmp_path, reference):
    path = sheet(tmp_path / "考核评分.xlsx", [*M003_TWICE, ["M004", "邓春燕", 7, 6, 4, 500, "揽收账单项目"]])
    table, _ = read_assessment(path, reference, "2026-10")
    from pipeline.pay.lines import _award_lines

    lines = {m: _award_lines(row) for m, row in table.set_index("manager_id", drop=False).iterrows()}
    assert lines["M003"] == []  # no award line at all, not "突出贡献奖:暂缓"
    (held,) = lines["M004"]  # 500 in both rows, but whose rows they are is in doubt: held
    assert held["amount"] == Decimal("0.00") and held["description"].startswith(
        "突出贡献奖:暂缓(考核评分表中此人有 2 行"
    )


def test_an_identical_second_row_counts_once_with_a_warning(tmp_path, reference):
    row = ["M003", "梁阿呷", 8, 9, 4, 0, ""]
    table, problems = read_assessment(sheet(tmp_path / "考核评分.xlsx", [row, row]), reference, "2026-10")
    assert [(p.code, p.severity, p.cell) for p in problems] == [("assessment_duplicate", "warning", "B4")]
    assert len(table) == 1 and table.conflict.iloc[0] == ""
    assert table.market_survey.iloc[0] == Decimal(8)


def test_a_blank_or_unreadable_score_holds_that_manager_and_is_never_taken_as_zero(tmp_path, reference):
    """Blank, text, above the weight: each holds the manager's manual items and performance pay;
    an unreadable award holds the award. The others are scored and paid as written."""
    from tests.unit.test_pay import BOOK, collected, managers
    from tests.unit.test_scorecard import RULES, alerts_none

    path = sheet(
        tmp_path / "考核评分.xlsx",
        [
            ["M003", "梁阿呷", 10.5, 9, 4, 0, ""],
            ["M004", "邓春燕", 7, 6, None, 0, ""],
            ["M005", "", "9分", 6, 5, "五百", ""],
            ["M006", "", 8, 9, 4, 300, "揽收账单项目"],
        ],
    )
    table, problems = read_assessment(path, reference, "2026-10")
    assert [(p.code, p.cell, p.value) for p in problems] == [
        ("score_out_of_range", "C3", "10.5"),
        ("score_out_of_range", "C5", "9分"),
        ("award_invalid", "F5", "五百"),
    ]
    assert "暂缓" in problems[0].message and "按 0 分计" not in problems[0].message
    staff = pd.DataFrame({"manager_id": ["M003", "M004", "M005", "M006"], "name": list("甲乙丙丁")})
    card = scorecards(
        "2026-10",
        RULES,
        staff.assign(county="xichang"),
        pd.DataFrame(columns=["customer_id", "county", "tier", "manager_id", "change"]),
        [],
        pd.DataFrame(columns=["customer_id", "manager_id", "changed_month"]),
        alerts_none(),
        pd.DataFrame(columns=["customer_id", "date"]),
        pd.DataFrame(columns=["manager_id", "revenue_fen"]),
        table,
        True,
        zero_targets("M003", "M004", "M005", "M006"),
    ).set_index("manager_id")
    assert dict(card.held) == {
        "M003": "考核评分表第3行“市场调查”未填或无效",
        "M004": "考核评分表第4行“其他”未填或无效",
        "M005": "考核评分表第5行“市场调查”未填或无效",
        "M006": "",
    }
    assert card.loc["M004", "other_value"] == "暂缓" and card.loc["M004", "market_survey_value"] == "暂缓"
    assert (card.loc["M006", "market_survey"], card.loc["M006", "other"]) == (
        Decimal("8.00"),
        Decimal("4.00"),
    )

    staff = managers(
        *[(m, n, "西昌市", "2024-01-01", "") for m, n in zip(staff.manager_id, staff.name, strict=True)]
    )
    lines = pay_lines(
        "2026-10", BOOK.for_month("2026-10"), staff, card.reset_index(), collected([]), table, pd.Series()
    )
    awards = lines[lines.kind == "award"].set_index("manager_id")
    assert (
        awards.loc["M005", "amount"] == Decimal("0.00")
        and "突出贡献奖金额无效" in awards.loc["M005", "description"]
    )
    assert awards.loc["M006", "amount"] == Decimal("300.00")
    held = pay_summary(lines, staff).set_index("manager_id").held
    assert (
        held["M003"] == held["M004"] == "业绩工资"
        and held["M005"] == "业绩工资、突出贡献奖"
        and held["M006"] == ""
    )


def test_a_file_named_after_the_sheet_and_the_month_is_the_assessment(tmp_path, reference):
    """考核评分_2025年3月.xlsx is the centre's sheet, as the centre would expect: read, not taken
    for a county's workbook of an unknown county, and no 考核评分 reported missing."""
    path = sheet(tmp_path / "考核评分_2025年3月.xlsx", [["M004", "邓春燕", 7, 6, 5, 500, "揽收账单项目"]])
    county_workbook(tmp_path / "西昌市_2025年3月.xlsx", month="2025-03")
    files, unknown = county_files(tmp_path, reference)
    assert (files, unknown) == ({"xichang": [tmp_path / "西昌市_2025年3月.xlsx"]}, [])
    assert assessment_files(tmp_path, reference) == [path] and assessment_file(tmp_path, reference) == path
    table, problems = read_assessment(assessment_files(tmp_path, reference), reference, "2025-03")
    assert problems == []
    assert table[["manager_id", "market_survey", "award"]].values.tolist() == [
        ["M004", Decimal(7), Decimal(500)]
    ]


def test_a_county_workbook_starting_with_the_sheets_name_stays_the_countys(tmp_path, reference):
    county_workbook(tmp_path / "考核用邮情况_西昌市.xlsx", month="2025-03")  # the county in its name
    county_workbook(tmp_path / "考核报表.xlsx", month="2025-03", county="会东县")  # in 填报单位
    files, unknown = county_files(tmp_path, reference)
    assert sorted(files) == ["huidong", "xichang"] and unknown == []
    assert assessment_files(tmp_path, reference) == []


def test_two_assessment_files_are_reported_and_neither_is_read(tmp_path, reference):
    """Which of two sheets is the centre's is not guessed, nor are they merged: both are named,
    the manual items and performance pay are held until one is left."""
    row = ["M004", "邓春燕", 7, 6, 5, 500, "揽收账单项目"]
    first = sheet(tmp_path / "考核评分.xlsx", [row])
    second = sheet(tmp_path / "考核评分_2025年3月.xlsx", [["M003", "梁阿呷", 8, 9, 4, 0, ""]])
    assert assessment_files(tmp_path, reference) == [first, second]
    assert assessment_file(tmp_path, reference) is None
    table, problems = read_assessment(assessment_files(tmp_path, reference), reference, "2025-03")
    assert table.empty
    assert [(p.code, p.severity, p.county, p.file) for p in problems] == [
        ("assessment_file_duplicate", "warning", "州局", "考核评分.xlsx"),
        ("assessment_file_duplicate", "warning", "州局", "考核评分_2025年3月.xlsx"),
    ]
    assert problems[0].message == (
        "收到多个考核评分表:考核评分.xlsx、考核评分_2025年3月.xlsx,均未采用:市场调查、项目策划、其他三项暂缓计分,"
        "业绩工资暂缓发放,请只保留一个文件(如 考核评分.xlsx)后重新运行本月"
    )
    assert county_files(tmp_path, reference) == ({}, [])


def test_an_award_that_is_infinite_or_beyond_the_rules_bound_is_held_not_paid(tmp_path, reference):
    path = sheet(
        tmp_path / "考核评分.xlsx", [["M003", "", 8, 9, 4, "1E999", ""], ["M004", "", 8, 9, 4, 5e12, ""]]
    )
    table, problems = read_assessment(path, reference, "2026-10")
    assert [(p.code, p.cell) for p in problems] == [("award_invalid", "F3"), ("award_invalid", "F4")]
    assert table.award.isna().all()  # held on the statement (pipeline.pay.lines)


def test_the_award_column_s_unit_is_read_and_an_unknown_one_refused(tmp_path, reference):
    """突出贡献奖(万元) 0.08 is 800 元; 突出贡献奖(美元) is held at its cells, never paid as 元."""
    for unit, expected in (("万元", [Decimal("800.00"), Decimal(0)]), ("美元", [None, Decimal(0)])):
        path = sheet(
            tmp_path / f"考核评分_{unit}.xlsx",
            [["M003", "", 8, 9, 4, 0.08, "x"], ["M004", "", 7, 6, 5, "", ""]],
        )
        wb = load_workbook(path)
        wb.active["F2"] = f"突出贡献奖({unit})"
        wb.save(path)
        table, problems = read_assessment(path, reference, "2026-10")
        awards = table.set_index("manager_id").award
        assert [None if pd.isna(a) else a for a in awards[["M003", "M004"]]] == expected
        said = [(p.code, p.cell, p.value) for p in problems]
        assert said == ([] if unit == "万元" else [("amount_unit_unknown", "F3", "0.08")])


def test_a_second_sheet_with_content_beside_the_scores_is_said(tmp_path, reference):
    path = sheet(tmp_path / "考核评分.xlsx", [["M003", "", 8, 9, 4, 0, ""]])
    wb = load_workbook(path)
    wb.create_sheet("补报").append(["M004", "邓春燕", 7, 6, 5])
    wb.save(path)
    table, problems = read_assessment(path, reference, "2026-10")
    assert list(table.manager_id) == ["M003"]
    assert [(p.code, p.sheet, p.value) for p in problems] == [("sheet_not_read", "补报", "补报")]
    assert "已读取工作表“考核评分”" in problems[0].message


def test_the_footer_under_the_scores_is_no_unknown_manager(tmp_path, reference):
    path = sheet(
        tmp_path / "考核评分.xlsx", [["M003", "", 8, 9, 4, 0, ""], [], ["制表人:王五", None, "审核人:李华"]]
    )
    table, problems = read_assessment(path, reference, "2026-10")
    assert list(table.manager_id) == ["M003"] and problems == []


def test_an_award_written_in_yuan_under_a_header_in_wan_is_held_not_multiplied(tmp_path, reference):
    """1,000元 under 突出贡献奖(万元): read by the header it would be 10,000,000 元; which the
    centre meant is not known, so the award is held at its cell."""
    path = sheet(
        tmp_path / "考核评分.xlsx", [["M003", "", 8, 9, 4, "1,000元", "x"], ["M004", "", 7, 6, 5, 0.05, "y"]]
    )
    wb = load_workbook(path)
    wb.active["F2"] = "突出贡献奖(万元)"
    wb.save(path)
    table, problems = read_assessment(path, reference, "2026-10")
    awards = table.set_index("manager_id").award
    assert pd.isna(awards["M003"]) and awards["M004"] == Decimal("500.00")
    assert [(p.code, p.cell, p.value) for p in problems] == [("amount_unit_conflict", "F3", "1,000元")]
    assert problems[0].message.startswith("突出贡献奖一格写明“元”")
