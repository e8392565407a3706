"""问题反馈 workbooks and 催报 notices on real county files: the marks (fill, comment), the
summary's links, the sheets of an .xls and of a GBK CSV rebuilt, problems without a cell, no
formula anywhere, the same bytes for the same problems, and the month's folder replaced whole."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment

from pipeline.feedback.chase import Chase, chase_list, county_problems, notice_text
from pipeline.feedback.month import INDEX, feedback_lines, made_from_current, read_index, write_month_feedback
from pipeline.feedback.workbook import (
    ERROR_FILL,
    SUMMARY_HEADER_ROW,
    SUMMARY_SHEET,
    WARNING_FILL,
    feedback_bytes,
    feedback_workbook,
)
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine
from pipeline.ingest.reference import Contact
from pipeline.ingest.submissions import submissions_table
from tests.workbooks import ROWS, county_workbook, legacy_xls

MONTH = "2026-10"
ARCHIVE = [
    "C5134010002",
    "凉山州安宁商贸有限公司",
    "西昌市胜利路1号",
    "王先生",
    "13800000000",
    "外星企业",  # not a 企业性质: a warning at F2
    "否",
    "",
    "",
    "",
    "",
    "陆浩",
    "否",
    "2026-10-05",
]


def intake(folder: Path, reference, county: str = "xichang"):
    files, _ = county_files(folder, reference)
    return ingest_county(county, MONTH, files.get(county, []), reference), files.get(county, [])


def returned(folder: Path, reference, out: Path, county: str = "xichang") -> tuple[Path, object]:
    """The county's feedback workbook written to `out`, and its intake."""
    result, files = intake(folder, reference, county)
    made = feedback_workbook(
        result.county_name, MONTH, result.status, result.problems, files[0] if len(files) == 1 else None
    )
    out.write_bytes(feedback_bytes(made, MONTH))
    return out, result


def summary_rows(wb) -> list[tuple]:
    """(row cells) of the 问题汇总 table, below its header."""
    ws = wb[SUMMARY_SHEET]
    assert [c.value for c in ws[SUMMARY_HEADER_ROW]][:5] == ["序号", "级别", "问题", "工作表", "位置"]
    return [row for row in ws.iter_rows(min_row=SUMMARY_HEADER_ROW + 1) if row[0].value is not None]


def summary_text(wb) -> str:
    return "\n".join(str(c.value) for row in wb[SUMMARY_SHEET].iter_rows(max_row=5) for c in row if c.value)


def fill(cell) -> str:
    return cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else ""


def no_formula_anywhere(path: Path) -> None:
    """No worksheet of the file holds a formula element."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(rb"<f[ >/]", z.read(name)), name


def check_links(wb) -> None:
    """Every link of the summary goes to a cell of a sheet of the workbook, and a marked
    cell's link lands on that marked cell."""
    for row in summary_rows(wb):
        link = row[4].hyperlink
        if link is None:
            continue
        assert link.target is None  # inside the workbook, not a file
        sheet, cell = re.fullmatch(r"'(.+)'!([A-Z]+[0-9]+)", link.location).groups()
        assert sheet in wb.sheetnames and sheet != SUMMARY_SHEET
        if row[4].value != "—":
            assert cell == row[4].value and fill(wb[sheet][cell])


def test_tolerated_file_with_warnings_is_returned_with_amber_cells(tmp_path, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    visits = [["", "C5134010001", "陆浩", "上门", "介绍新业务", ""]]  # no 走访日期: warning at A2
    county_workbook(folder / "西昌市.xlsx", report_date="2026年11月6日", archive=[ARCHIVE], visits=visits)
    path, result = returned(folder, reference, tmp_path / "西昌市_问题反馈.xlsx")
    assert result.status == "late"
    wb = load_workbook(path)
    assert wb.sheetnames == [SUMMARY_SHEET, "用邮情况", "客户档案", "走访记录"]
    assert wb.active.title == SUMMARY_SHEET
    nature = wb["客户档案"]["F2"]
    assert nature.value == "外星企业" and fill(nature) == WARNING_FILL
    assert nature.comment.text.startswith("【提示】取值无法识别\n读取的值:“外星企业”\n处理意见:")
    assert "企业性质" in nature.comment.text
    assert wb["客户档案"]["E2"].value == "13800000000"  # the phone number as the county sent it
    visit = wb["走访记录"]["A2"]
    assert fill(visit) == WARNING_FILL and "读取的值:(空白)" in visit.comment.text
    assert "请补填日期" in visit.comment.text
    assert not [c for ws in wb.worksheets[1:] for row in ws.iter_rows() for c in row if fill(c) == ERROR_FILL]
    rows = summary_rows(wb)
    assert [(r[1].value, r[2].value, r[3].value, r[4].value) for r in rows] == [
        ("提示", "逾期报送", "用邮情况", "E2"),  # at the 填报日期 read
        ("提示", "取值无法识别", "客户档案", "F2"),
        ("提示", "走访日期未填", "走访记录", "A2"),
    ]
    assert rows[0][4].hyperlink.location == "'用邮情况'!E2"
    assert rows[1][4].hyperlink.location == "'客户档案'!F2"
    assert rows[1][5].value == "外星企业" and "企业性质" in rows[1][6].value
    check_links(wb)
    assert "本月报表已采用" in summary_text(wb) and "副本" in summary_text(wb)
    # the county's own layout is kept: the merged title and its values
    assert "A1:G1" in {str(r) for r in wb["用邮情况"].merged_cells.ranges}
    assert [c.value for c in wb["用邮情况"][4]] == ROWS[0]


def test_rejected_file_is_marked_red_and_formula_like_text_stays_text(tmp_path, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [*ROWS[:2], ["C5134010002", "凉山州安宁商贸有限公司", "特快", 45, 360.25, "陆浩", "新揽收"]]
    path = county_workbook(folder / "西昌市.xlsx", title_month="2026-09", rows=rows, total=False)
    wb = load_workbook(path)
    ws = wb["用邮情况"]
    ws["C6"] = '=HYPERLINK("http://example.com","快件")'
    ws["C6"].data_type = "s"  # typed as text by the county: a hostile value, not a formula
    ws["H9"] = "=SUM(D4:D6)"  # a formula of the county's own (no saved value: openpyxl wrote it)
    wb.save(path)

    out, result = returned(folder, reference, tmp_path / "西昌市_问题反馈.xlsx")
    assert result.status == "rejected"
    no_formula_anywhere(out)
    wb = load_workbook(out)
    title = wb["用邮情况"]["A1"]  # merged A1:G1: marked at its top-left cell
    assert fill(title) == ERROR_FILL and title.comment.text.startswith("【错误】月份不符")
    assert "2026-09" in title.comment.text
    bad = wb["用邮情况"]["C6"]
    assert bad.value.startswith("=HYPERLINK") and bad.data_type == "s"
    assert fill(bad) == ERROR_FILL and bad.comment.text.startswith("【错误】业务种类无法识别")
    assert wb["用邮情况"]["H9"].value == "=SUM(D4:D6)" and wb["用邮情况"]["H9"].data_type == "s"
    rows = summary_rows(wb)
    assert [r[2].value for r in rows] == ["月份不符", "业务种类无法识别"]
    assert rows[1][5].value.startswith("=HYPERLINK") and rows[1][5].data_type == "s"
    check_links(wb)
    assert "未采用(退回)" in summary_text(wb)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                assert c.comment is None or c.comment.text.startswith("【")


def test_a_merged_cell_carries_every_problem_of_its_range_and_the_county_comment_once(tmp_path, reference):
    """快件 merged over C6:C7 is read in both rows: two problems, both at the merge's top-left
    cell, where the county's own comment also stays."""
    folder = tmp_path / "in"
    folder.mkdir()
    express = ["C5134010002", "凉山州安宁商贸有限公司", "快件", 45, 360.25, "陆浩", "新揽收"]
    path = county_workbook(
        folder / "西昌市.xlsx", rows=[*ROWS[:2], express, [*express[:3], 5, 60.0, *express[5:]]]
    )
    wb = load_workbook(path)
    wb["用邮情况"].merge_cells("C6:C7")
    wb["用邮情况"]["C6"].comment = Comment("县局原批注:请核对", "龙春燕")
    wb.save(path)

    out, result = returned(folder, reference, tmp_path / "西昌市_问题反馈.xlsx")
    assert [(p.code, p.cell) for p in result.problems] == [
        ("business_unknown", "C6"),
        ("business_unknown", "C7"),
    ]
    merged = load_workbook(out)["用邮情况"]["C6"]
    assert merged.value == "快件" and fill(merged) == ERROR_FILL
    assert merged.comment.text.startswith("【错误】业务种类无法识别\n读取的值:“快件”")
    assert merged.comment.text.count("【错误】业务种类无法识别") == 2
    assert "\n\n【错误】业务种类无法识别(C7 单元格)\n" in merged.comment.text  # which row it is
    assert merged.comment.text.count("(原批注)\n县局原批注:请核对") == 1


def test_same_problems_give_the_same_bytes(tmp_path, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    county_workbook(folder / "西昌市.xlsx", title_month="2026-09")
    first, _ = returned(folder, reference, tmp_path / "a.xlsx")
    second, _ = returned(folder, reference, tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()


def _legacy_xls(path: Path) -> Path:
    rows = [*ROWS[:2], ["C5134010002", "凉山州安宁商贸有限公司", "快包", -45, 360.25, "陆浩", "新揽收"]]
    return legacy_xls(path, rows, {(7, 0): "填表人:陆浩", (7, 4): "联系电话:0834-2222222"})


def test_xls_county_is_rebuilt_from_the_values_read_with_the_same_marks(tmp_path, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    _legacy_xls(folder / "西昌市_2026年10月.xls")
    out, result = returned(folder, reference, tmp_path / "西昌市_问题反馈.xlsx")
    assert result.status == "on_time"
    no_formula_anywhere(out)
    wb = load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET, "用邮情况"]
    assert ".xls 格式" in summary_text(wb) and "重建" in summary_text(wb)
    ws = wb["用邮情况"]
    assert ws["A1"].value == "凉山州邮政大客户用邮情况月报(2026年10月)"
    assert ws["E8"].value == "联系电话:0834-2222222"
    assert [c.value for c in ws[4]] == ROWS[0]
    negative = ws["D6"]
    assert negative.value == -45 and fill(negative) == ERROR_FILL
    assert negative.comment.text.startswith("【错误】数值为负\n读取的值:“-45”")
    rows = summary_rows(wb)
    labels = [(r[1].value, r[2].value, r[4].value) for r in rows]
    assert ("错误", "数值为负", "D6") in labels
    assert ("提示", "缺少可选工作表", "—") in labels  # a sheet that is not there: summary only
    missing_sheet = next(r for r in rows if r[2].value == "缺少可选工作表")
    assert missing_sheet[4].hyperlink is None
    check_links(wb)


def test_gbk_csv_county_is_rebuilt_and_a_formula_like_value_stays_text(tmp_path, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    lines = ["客户编号,客户名称,业务种类,用邮量,收入(元),客户经理,揽收类型"]
    lines += [",".join(str(v) for v in row) for row in ROWS[:2]]
    lines.append("C5134010002,凉山州安宁商贸有限公司,@SUM(1+1)*cmd|' /C calc'!A0,45,360.25,陆浩,新揽收")
    (folder / "西昌市_2026年10月.csv").write_bytes("\n".join(lines).encode("gb18030"))
    out, result = returned(folder, reference, tmp_path / "西昌市_问题反馈.xlsx")
    optional = "sheet_optional_missing"  # a CSV holds no 客户档案 or 走访记录 (said on the summary only)
    assert [p.code for p in result.problems if p.code != optional] == [
        "report_date_missing",
        "business_unknown",
    ]
    no_formula_anywhere(out)
    wb = load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET, "西昌市_2026年10月"]
    assert ".csv 格式" in summary_text(wb)
    ws = wb["西昌市_2026年10月"]
    assert ws["B2"].value == "西昌市税务局"  # GBK read right
    hostile = ws["C4"]
    assert hostile.value == "@SUM(1+1)*cmd|' /C calc'!A0" and hostile.data_type == "s"
    assert hostile.quotePrefix and fill(hostile) == ERROR_FILL
    assert "读取的值:“@SUM(1+1)" in hostile.comment.text
    rows = summary_rows(wb)
    assert [(r[2].value, r[4].value) for r in rows if r[2].value != "缺少可选工作表"] == [
        ("业务种类无法识别", "C4"),
        ("未填填报日期", "—"),
    ]
    assert rows[0][5].value.startswith("@SUM") and rows[0][5].data_type == "s"
    check_links(wb)


def test_problems_without_a_workbook_are_on_the_summary_only(tmp_path, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    county_workbook(folder / "西昌市_10月.xlsx")
    county_workbook(folder / "西昌_10月_更正.xlsx")
    out, result = returned(folder, reference, tmp_path / "西昌市_问题反馈.xlsx")
    assert [p.code for p in result.problems] == ["county_duplicate", "county_duplicate"]
    wb = load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET]
    assert "只有问题汇总" in summary_text(wb) and "不止一个文件" in summary_text(wb)
    rows = summary_rows(wb)
    assert [r[2].value for r in rows] == ["同一县(市)多个文件"] * 2
    assert all(r[4].hyperlink is None for r in rows)


def test_an_unreadable_file_is_on_the_summary_only(tmp_path, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "西昌市.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    out, _ = returned(folder, reference, tmp_path / "西昌市_问题反馈.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET] and "无法打开" in summary_text(wb)
    assert [r[2].value for r in summary_rows(wb)] == ["文件无法打开"]


# -- the month's folder and the notices ------------------------------------------------------


def month_of(folder: Path, reference):
    files, _ = county_files(folder, reference)
    intakes = [ingest_county(c, MONTH, files.get(c, []), reference) for c in reference.counties.code]
    return submissions_table(intakes, reference.county_names), combine(intakes, []).problems


def test_month_folder_is_replaced_whole_and_stale_files_go(tmp_path, reference):
    inputs = tmp_path / MONTH
    inputs.mkdir()
    county_workbook(inputs / "西昌市.xlsx", title_month="2026-09")
    for code, name in reference.county_names.items():
        if code != "xichang":
            county_workbook(inputs / f"{name}.xlsx", county=name, rows=[], total=False)
    out = tmp_path / "feedback"
    submissions, problems = month_of(inputs, reference)
    first = write_month_feedback(
        out, MONTH, inputs, submissions, problems, reference.county_contacts, 3, date(2026, 11, 2)
    )
    assert list(first.workbooks) == ["西昌市"] and list(first.notices) == ["西昌市"]
    assert {p.name for p in out.iterdir()} == {INDEX, "西昌市_问题反馈.xlsx", "西昌市_通知.txt"}
    assert read_index(out)["西昌市"]["sha256"] == submissions.sha256.iloc[0]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = write_month_feedback(
        out, MONTH, inputs, submissions, problems, reference.county_contacts, 3, date(2026, 11, 2)
    )
    assert again.written == 0 and {p.name: p.read_bytes() for p in out.iterdir()} == before

    # made from the same as last time: not made again (a workbook made anew would fail here)
    def not_again(path):
        raise AssertionError(f"{path} read again")

    third = write_month_feedback(
        out, MONTH, inputs, submissions, problems, reference.county_contacts, 3, date(2026, 11, 2), not_again
    )
    assert third.workbooks == first.workbooks and third.written == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    county_workbook(inputs / "西昌市.xlsx")  # the corrected workbook
    submissions, problems = month_of(inputs, reference)
    fixed = write_month_feedback(
        out, MONTH, inputs, submissions, problems, reference.county_contacts, 3, date(2026, 11, 5)
    )
    assert fixed.workbooks == {} and fixed.chase == []
    assert set(fixed.removed) == {"西昌市_问题反馈.xlsx", "西昌市_通知.txt"}
    assert [p.name for p in out.iterdir()] == [INDEX] and read_index(out) == {}


def test_a_county_that_sent_nothing_gets_its_notice_and_no_workbook(tmp_path, reference):
    """Nothing of its own to mark: a workbook would only repeat, in the operator's words
    (请催报) and in amber (已采用), what its notice tells it, with the day's deadline."""
    inputs = tmp_path / MONTH
    inputs.mkdir()
    county_workbook(inputs / "西昌市.xlsx", title_month="2026-09")
    for code, name in reference.county_names.items():
        if code not in ("xichang", "huili"):
            county_workbook(inputs / f"{name}.xlsx", county=name, rows=[], total=False)
    out = tmp_path / "feedback"
    submissions, problems = month_of(inputs, reference)
    assert county_problems(problems, "会理市")[0].message == "本月未收到该县(市)报表,请催报"  # the operator's
    made = write_month_feedback(
        out, MONTH, inputs, submissions, problems, reference.county_contacts, 3, date(2026, 11, 2)
    )
    assert list(made.workbooks) == ["西昌市"] and list(made.notices) == ["西昌市", "会理市"]
    assert {p.name for p in out.iterdir()} == {
        INDEX,
        "西昌市_问题反馈.xlsx",
        "西昌市_通知.txt",
        "会理市_通知.txt",
    }
    index = read_index(out)
    assert index["会理市"] == {
        **index["会理市"],
        "status": "missing",
        "workbook": "",
        "notice": "会理市_通知.txt",
    }
    notice = (out / "会理市_通知.txt").read_text(encoding="utf-8-sig")
    assert "尚未收到你单位2026年10月的大客户用邮情况月报" in notice and "请催报" not in notice
    current = made_from_current(index, submissions)
    lines = feedback_lines(out, MONTH, ["西昌市", "会理市"], index, current)
    assert re.search(r"会理市\s+未报送,无报表可标注,发催报通知即可$", lines[-1])


def _chase(situation: str, **kw) -> Chase:
    contact = Contact("武思远", "0834-3726517")
    defaults = {"reasons": "", "rows": 0, "file": "", "contact": contact}
    return Chase("甘洛县", situation, **{**defaults, **kw})


def test_notice_for_a_missing_county_before_and_after_the_deadline(reference):
    chase = _chase("missing")
    before = notice_text(chase, MONTH, [], 3, date(2026, 11, 2))
    assert before.splitlines()[:3] == [
        "关于报送2026年10月大客户用邮情况月报的通知",
        "",
        "甘洛县大客户中心 武思远同志:",
    ]
    assert "尚未收到你单位2026年10月的大客户用邮情况月报" in before
    assert "报送时限:2026年11月3日前。" in before
    assert "问题反馈" not in before  # nothing to mark in a workbook that never came
    after = notice_text(chase, MONTH, [], 3, date(2026, 11, 4))
    assert "报送时限:尽快(本月报表原定截止日期 2026年11月3日 已过)。" in after
    assert after.rstrip().endswith("凉山州邮政局大客户中心")


def test_notice_for_a_rejected_county_says_why_and_what_to_send(tmp_path, reference):
    inputs = tmp_path / MONTH
    inputs.mkdir()
    rows = [*ROWS, ["C5134010003", "某公司", "航空快递", 3, 30.0, "陆浩", "存量"]]
    county_workbook(inputs / "甘洛县_10月.xlsx", county="甘洛县", title_month="2026-09", rows=rows)
    submissions, problems = month_of(inputs, reference)
    chases = chase_list(submissions, problems, reference.county_contacts)
    ganluo = next(c for c in chases if c.county == "甘洛县")
    assert ganluo.situation == "rejected" and ganluo.what == "退回"
    assert ganluo.reasons == "月份不符、业务种类无法识别"
    assert ganluo.contact == reference.county_contacts["甘洛县"]
    mine = county_problems(problems, "甘洛县")
    text = notice_text(ganluo, MONTH, mine, 3, date(2026, 11, 6), "甘洛县_问题反馈.xlsx")
    lines = text.splitlines()
    assert lines[0] == "关于重新报送2026年10月大客户用邮情况月报的通知"
    assert f"甘洛县大客户中心 {ganluo.contact.person}同志:" == lines[2]
    assert "(文件:甘洛县_10月.xlsx)经州局大客户中心校验,未能采用(整表退回),原因如下:" in text
    numbered = [line for line in lines if re.match(r"\d+\. ", line)]
    assert numbered[0].startswith(
        "1. 月份不符(“用邮情况”工作表 A1 单元格,读取的值“凉山州邮政大客户用邮情况月报(2026年9月)”)"
    )
    assert any("业务种类无法识别(“用邮情况”工作表 C7 单元格,读取的值“航空快递”)" in line for line in numbered)
    assert "请按以上意见修改后,重新报送完整的报表。" in text
    assert "报送时限:尽快(本月报表原定截止日期 2026年11月3日 已过)。" in text
    assert "随本通知附《甘洛县_问题反馈.xlsx》" in text
    # every other county is missing: chased too, in the reference order
    assert [c.county for c in chases][:2] == ["西昌市", "会理市"] and chases[0].what == "未报送"


def test_a_county_with_two_files_is_told_once_and_not_sent_to_marked_cells(tmp_path, reference):
    """Two files: each carries the same 两个文件 problem, without a cell. The notice says it once
    and points to the summary sheet, not to red cells there are none of."""
    inputs = tmp_path / MONTH
    inputs.mkdir()
    county_workbook(inputs / "甘洛县_10月.xlsx", county="甘洛县")
    county_workbook(inputs / "甘洛县_10月(更正).xlsx", county="甘洛县")
    submissions, problems = month_of(inputs, reference)
    ganluo = next(
        c for c in chase_list(submissions, problems, reference.county_contacts) if c.county == "甘洛县"
    )
    mine = county_problems(problems, "甘洛县")
    assert len([p for p in mine if p.code == "county_duplicate"]) == 2
    text = notice_text(ganluo, MONTH, mine, 3, date(2026, 11, 2), "甘洛县_问题反馈.xlsx")
    numbered = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
    assert len(numbered) == 1 and "同一县(市)收到两个文件" in numbered[0], numbered
    assert "标为红色" not in text and "首页“问题汇总”列出了以上问题和处理意见。" in text


@pytest.mark.parametrize("status", ["on_time", "late"])
def test_rows_left_out_ask_for_a_corrected_workbook_warnings_alone_do_not(tmp_path, reference, status):
    inputs = tmp_path / MONTH
    inputs.mkdir()
    date_written = "2026年11月2日" if status == "on_time" else "2026年11月9日"
    rows = [*ROWS, ["C5134010003", "某公司", "航空快递", 3, 30.0, "陆浩", "存量"]]
    county_workbook(inputs / "西昌市.xlsx", rows=rows, total=False, report_date=date_written)
    county_workbook(inputs / "会理市.xlsx", county="会理市", report_date="2026年11月9日")
    submissions, problems = month_of(inputs, reference)
    chases = {c.county: c for c in chase_list(submissions, problems, reference.county_contacts)}
    assert chases["西昌市"].what == "未采用 1 行" and chases["西昌市"].reasons == "业务种类无法识别"
    assert "会理市" not in chases  # only late: a warning, no new workbook asked for
    mine = county_problems(problems, "西昌市")
    text = notice_text(chases["西昌市"], MONTH, mine, 3, date(2026, 11, 2), "西昌市_问题反馈.xlsx")
    assert "已采用,但以下 1 行因有错误未计入本月数据:" in text
    assert "整个文件,不是只报更正的行" in text and "报送时限:2026年11月3日前。" in text


def test_a_workbook_that_cannot_be_marked_is_rebuilt_or_summarised_never_an_error(
    tmp_path, reference, monkeypatch
):
    import pipeline.feedback.workbook as workbook

    folder = tmp_path / "in"
    folder.mkdir()
    county_workbook(folder / "西昌市.xlsx", title_month="2026-09")
    result, files = intake(folder, reference)
    marks = workbook._mark_cells

    def copies_fail(wb, titles, problems):  # the copy keeps the merged title; a rebuild has none
        if any(ws.merged_cells.ranges for ws in wb.worksheets):
            raise KeyError("A1")
        return marks(wb, titles, problems)

    monkeypatch.setattr(workbook, "_mark_cells", copies_fail)
    made, data = workbook.feedback_file("西昌市", MONTH, result.status, result.problems, files[0])
    assert made.source == "rebuilt" and "复制时出错(KeyError)" in made.note
    (tmp_path / "rebuilt.xlsx").write_bytes(data)
    wb = load_workbook(tmp_path / "rebuilt.xlsx")
    assert fill(wb["用邮情况"]["A1"]) == ERROR_FILL

    def all_fail(wb, titles, problems):
        if titles:
            raise ValueError("broken")
        return marks(wb, titles, problems)

    monkeypatch.setattr(workbook, "_mark_cells", all_fail)
    made, data = workbook.feedback_file("西昌市", MONTH, result.status, result.problems, files[0])
    assert made.source == "none" and "报表无法标注(ValueError)" in made.note
    (tmp_path / "summary.xlsx").write_bytes(data)
    wb = load_workbook(tmp_path / "summary.xlsx")
    assert wb.sheetnames == [SUMMARY_SHEET] and [r[2].value for r in summary_rows(wb)] == ["月份不符"]


def test_an_index_that_cannot_be_read_is_no_index(tmp_path):
    assert read_index(tmp_path / "not-run") == {}
    for text in ("{", "[]", '{"counties": [1]}', '{"counties": {"西昌市": 3, "会理市": {"workbook": "x"}}}'):
        (tmp_path / INDEX).write_text(text, encoding="utf-8")
        assert read_index(tmp_path) in ({}, {"会理市": {"workbook": "x"}})
