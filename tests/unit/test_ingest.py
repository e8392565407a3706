"""The county reader on real workbooks: exact figures for what it tolerates, exact problems
(code, cell, value) for what it rejects."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine
from tests.workbooks import ROWS, archive_row, county_workbook, legacy_xls, locked_xls

MONTH = "2026-10"


def intake_of(folder: Path, reference, county: str = "xichang"):
    files, unknown = county_files(folder, reference)
    return ingest_county(county, MONTH, files.get(county, []), reference), unknown


def codes(intake) -> list[tuple[str, str, str]]:
    return [(p.code, p.cell, p.value) for p in intake.problems]


def test_clean_workbook_gives_exact_rows_with_provenance(tmp_path, reference):
    county_workbook(tmp_path / "西昌市_2026年10月.xlsx")
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time"
    assert codes(intake) == []
    usage = intake.usage
    assert list(usage.volume) == [120, 800, 45]
    assert list(usage.revenue_fen) == [216050, 96000, 36025]
    assert list(usage.business_type) == ["特快", "函件", "快包"]
    assert list(usage.collection) == ["存量", "存量", "新揽收"]
    assert set(usage.manager_id) == {"M008"}  # 陆浩 of 西昌市 in the roster
    assert list(usage.source_row) == [4, 5, 6]
    assert set(usage.source_sheet) == {"用邮情况"}
    assert intake.report_date == "2026-11-02"


def test_revenue_in_wan_yuan_is_converted_to_yuan(tmp_path, reference):
    header = ["客户编号", "客户名称", "业务种类", "用邮量", "收入(万元)", "客户经理", "揽收类型"]
    rows = [[r[0], r[1], r[2], r[3], round(r[4] / 10000, 6), r[5], r[6]] for r in ROWS]
    county_workbook(tmp_path / "西昌市.xlsx", header=header, rows=rows)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == []
    assert list(intake.usage.revenue_fen) == [216050, 96000, 36025]


def test_text_numbers_separators_fullwidth_and_spaces_are_read(tmp_path, reference):
    rows = [
        ["C5134010001 ", " 西昌市税务局", "特快 ", "1,200", "２１６０.５０", "陆浩", "存量"],
        ["C5134010002", "凉山州安宁商贸有限公司", "EMS", "４５", " 360.25 元", "陆浩 ", "新揽收"],
    ]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == []
    assert list(intake.usage.volume) == [1200, 45]
    assert list(intake.usage.revenue_fen) == [216050, 36025]
    assert list(intake.usage.customer_id) == ["C5134010001", "C5134010002"]


def test_columns_in_another_order_are_matched_by_name(tmp_path, reference):
    order = [2, 0, 6, 4, 3, 1, 5]
    header = ["业务种类", "客户编号", "揽收类型", "收入(元)", "用邮量", "客户名称", "客户经理"]
    rows = [[r[i] for i in order] for r in ROWS]
    county_workbook(tmp_path / "西昌市.xlsx", header=header, rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == []
    assert list(intake.usage.revenue_fen) == [216050, 96000, 36025]
    # the cells a 新揽收 claim's problems point at, found by name too
    usage = combine([intake]).usage
    assert list(usage.collection_cell) == ["C4", "C5", "C6"]
    assert list(usage.manager_cell) == ["G4", "G5", "G6"]
    # the cells a 新揽收 claim's problems point at, found by name too
    usage = combine([intake]).usage
    assert list(usage.collection_cell) == ["C4", "C5", "C6"] and list(usage.manager_cell) == [
        "G4",
        "G5",
        "G6",
    ]


def test_total_row_that_disagrees_rejects_the_county(tmp_path, reference):
    county_workbook(tmp_path / "西昌市.xlsx", total=["合计", None, None, 965, 9999.99, None, None])
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "rejected"
    assert intake.usage.empty
    assert [(c, cell, v) for c, cell, v in codes(intake)] == [("total_mismatch", "E7", "9999.99")]
    assert "3480.75" in intake.problems[0].message


REORDERED = ["业务种类", "用邮量", "收入(元)", "客户经理", "客户编号", "客户名称", "揽收类型"]


def _reordered(rows: list[list]) -> list[list]:
    return [[r[k] for k in (2, 3, 4, 5, 0, 1, 6)] for r in rows]


@pytest.mark.parametrize("label", ["合计", " 总计 "])
def test_total_row_is_recognised_wherever_its_label_sits(tmp_path, reference, label):
    total = [None, 965, 3480.75, None, label, None, None]  # label under 客户编号, column E
    county_workbook(tmp_path / "西昌市.xlsx", header=REORDERED, rows=_reordered(ROWS), total=total)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == []
    assert intake.rows_read == 3 and list(intake.usage.volume) == [120, 800, 45]


def test_total_row_away_from_the_first_column_is_still_checked(tmp_path, reference):
    total = [None, "965", 9999.99, None, None, "合计", None]  # label under 客户名称, column F
    county_workbook(tmp_path / "西昌市.xlsx", header=REORDERED, rows=_reordered(ROWS), total=total)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "rejected"
    assert codes(intake) == [("total_mismatch", "C7", "9999.99")]


def test_a_row_with_other_text_beside_the_label_is_a_data_row(tmp_path, reference):
    row = ["特快", 5, 10.0, "陆浩", "合计", "", "存量"]  # a customer id typed as 合计, not a total
    county_workbook(tmp_path / "西昌市.xlsx", header=REORDERED, rows=[*_reordered(ROWS), row], total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.rows_read == 4


def test_month_in_the_workbook_must_match_the_folder(tmp_path, reference):
    county_workbook(tmp_path / "西昌市.xlsx", title_month="2026-09")
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "rejected"
    assert codes(intake) == [("month_mismatch", "A1", "凉山州邮政大客户用邮情况月报(2026年9月)")]


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("凉山州邮政大客户用邮情况月报(2026.9)", "2026-09"),
        ("凉山州邮政大客户用邮情况月报(2026-09)", "2026-09"),
        ("凉山州邮政大客户用邮情况月报(2026年九月)", "2026-09"),
        ("凉山州邮政大客户用邮情况月报(9月)", "9月"),
        ("凉山州邮政大客户用邮情况月报(2026年10-11月)", "2026-10至11"),  # two months in one
        ("凉山州邮政大客户用邮情况月报(2026年10月)", None),
        ("凉山州邮政大客户用邮情况月报(2026.10)", None),
        ("凉山州邮政大客户用邮情况月报(2026年十月)", None),
        ("凉山州邮政大客户用邮情况月报(10月份)", None),
        ("大客户用邮情况月报 制表 2026-11-02", None),  # a date, not the month
        ("1-10月累计大客户用邮情况", None),
        ("凉山州邮政大客户用邮情况月报(2026年10月-11月)", "2026-10至11"),
        ("凉山州邮政大客户用邮情况月报(2026年1-10月)", None),  # the year to date, ending this month
        ("凉山州邮政大客户用邮情况月报(10月)(2025.3版)", None),  # the template's edition
        ("2026年度大客户用邮情况月报(近3月)", None),
    ],
)
def test_the_month_a_title_names_in_other_ways_must_match_the_folder(tmp_path, reference, title, shown):
    path = county_workbook(tmp_path / "西昌市.xlsx")
    wb = load_workbook(path)
    wb.active["A1"] = title
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    if shown is None:
        assert intake.status != "rejected" and "month_mismatch" not in [c for c, *_ in codes(intake)]
    else:
        assert intake.status == "rejected"
        assert codes(intake) == [("month_mismatch", "A1", title)]
        assert f"表中月份为 {shown}," in intake.problems[0].message


@pytest.mark.parametrize("note", ["说明:用邮量自6月起含退件", "注:用邮量单位为件;含2026.9补录"])
def test_a_note_above_the_header_names_no_month_of_the_report(tmp_path, reference, note):
    path = county_workbook(tmp_path / "西昌市.xlsx")
    wb = load_workbook(path)
    wb.active["C2"] = note
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time" and codes(intake) == []


def test_another_county_s_workbook_saved_under_this_county_s_name_is_refused(tmp_path, reference):
    """会东县's workbook copied over 西昌市's file: read as 西昌市, its rows would be published as
    西昌市's. The 填报单位 line inside says whose it is."""
    county_workbook(tmp_path / "西昌市_2026年10月.xlsx", county="会东县")
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "rejected" and intake.usage.empty
    assert codes(intake) == [("county_mismatch", "A2", "填报单位:会东县邮政分公司")]
    assert "表内填报单位为会东县,与文件名的县(市)不符" in intake.problems[0].message


def test_bad_rows_are_rejected_one_by_one_and_kept_in_quarantine(tmp_path, reference):
    rows = [
        ROWS[0],
        ["C5134010003", "某公司", "快件", 10, 100, "陆浩", "存量"],
        ["C5134010004", "某公司二", "特快", -5, 100, "陆浩", "存量"],
        ["C5134010005", "某公司三", "特快", 5, "abc", "陆浩", "存量"],
        ["C5134010006", "某公司四", "特快", 5, 50, "查无此人", "存量"],
    ]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time"
    assert codes(intake) == [
        ("business_unknown", "C5", "快件"),
        ("amount_negative", "D6", "-5"),
        ("amount_invalid", "E7", "abc"),
        ("manager_unknown", "F8", "查无此人"),
    ]
    assert list(intake.usage.customer_id) == ["C5134010001"]
    assert [r["row"] for r in intake.quarantine] == ["5", "6", "7", "8"]
    assert intake.rows_read == len(intake.usage) + len(intake.quarantine)


def test_duplicate_customer_business_rows_are_all_rejected(tmp_path, reference):
    rows = [ROWS[0], ROWS[1], ROWS[0]]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert [(c, cell) for c, cell, _ in codes(intake)] == [("duplicate_row", "A4"), ("duplicate_row", "A6")]
    assert list(intake.usage.business_type) == ["函件"]


def test_two_files_for_one_county_name_both_and_reject(tmp_path, reference):
    county_workbook(tmp_path / "西昌市_10月.xlsx")
    county_workbook(tmp_path / "西昌_10月_更正.xlsx")
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "rejected"
    assert {p.code for p in intake.problems} == {"county_duplicate"}
    assert (
        "西昌市_10月.xlsx" in intake.problems[0].message
        and "西昌_10月_更正.xlsx" in intake.problems[0].message
    )


def test_county_read_from_inside_when_the_file_name_says_nothing(tmp_path, reference):
    county_workbook(tmp_path / "报表.xlsx", county="宁南县")
    files, unknown = county_files(tmp_path, reference)
    assert [p.name for p in files["ningnan"]] == ["报表.xlsx"] and unknown == []


def test_missing_county_and_late_report(tmp_path, reference):
    county_workbook(tmp_path / "西昌市.xlsx", report_date="2026年11月6日")
    late, _ = intake_of(tmp_path, reference)
    assert late.status == "late"
    assert codes(late) == [("report_late", "E2", "2026-11-06")]  # marked where the date was read
    missing, _ = intake_of(tmp_path, reference, county="leibo")
    assert missing.status == "missing"


def test_corrupt_file_is_a_problem_not_a_crash(tmp_path, reference):
    (tmp_path / "西昌市.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "rejected"
    assert [p.code for p in intake.problems] == ["file_unreadable"]
    assert "文件无法打开(文件不完整或已损坏,可能尚未复制完成)" in intake.problems[0].message
    (tmp_path / "西昌市.xlsx").write_text("客户编号,客户名称", encoding="utf-8")  # a text file renamed
    intake, _ = intake_of(tmp_path, reference)
    assert "文件无法打开(不是 Excel 表格文件)" in intake.problems[0].message


def test_a_workbook_with_an_opening_password_says_so(tmp_path, reference):
    """Saved with a password to open (Excel: 用密码进行加密), .xlsx or .xls: not "broken, copy
    again", but "remove the password"; an OLE file that is not a workbook is still damaged."""
    import msoffcrypto

    plain = county_workbook(tmp_path / "plain.xlsx")
    folder = tmp_path / "in"
    folder.mkdir()
    with plain.open("rb") as source, (folder / "西昌市.xlsx").open("wb") as locked:
        office = msoffcrypto.OfficeFile(source)
        office.encrypt("1234", locked)
    intake, _ = intake_of(folder, reference)
    assert intake.status == "rejected" and [p.code for p in intake.problems] == ["file_unreadable"]
    assert "文件无法打开(文件设有打开密码,请取消密码)" in intake.problems[0].message
    (folder / "西昌市.xlsx").unlink()
    locked_xls(legacy_xls(folder / "西昌市.xls", ROWS, {}))  # old Excel or WPS, .xls
    intake, _ = intake_of(folder, reference)
    assert [p.code for p in intake.problems] == ["file_unreadable"]
    assert "文件无法打开(文件设有打开密码,请取消密码)" in intake.problems[0].message
    (folder / "西昌市.xls").unlink()
    (folder / "西昌市.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    intake, _ = intake_of(folder, reference)
    assert "文件无法打开(文件不完整或已损坏,可能尚未复制完成)" in intake.problems[0].message


def test_a_customer_id_typed_in_lower_case_full_width_or_with_spaces_is_the_same_customer(
    tmp_path, reference
):
    rows = [
        [" c5134010001 ", "西昌市税务局", "特快", 120, 2160.50, "陆浩", "存量"],
        ["Ｃ５１３４０１０００１", "西昌市税务局", "函件", 800, 960.00, "陆浩", "存量"],
        ["C51340 10002", "凉山州安宁商贸有限公司", "快包", 45, 360.25, "陆浩", "新揽收"],
    ]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == []
    assert list(intake.usage.customer_id) == ["C5134010001", "C5134010001", "C5134010002"]


def test_an_xls_saved_under_an_xlsx_name_is_read_as_what_it_is(tmp_path, reference):
    from tests.workbooks import legacy_xls

    legacy_xls(tmp_path / "西昌市.xlsx", ROWS, {})
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status != "rejected" and list(intake.usage.revenue_fen) == [216050, 96000, 36025]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_csv_in_utf8_or_gbk(tmp_path, reference, encoding):
    lines = ["客户编号,客户名称,业务种类,用邮量,收入(元),客户经理,揽收类型"]
    lines += [",".join(str(v) for v in row) for row in ROWS]
    (tmp_path / "西昌市_2026年10月.csv").write_bytes("\n".join(lines).encode(encoding))
    intake, _ = intake_of(tmp_path, reference)
    # a CSV holds the usage sheet only: the month's 客户档案 and 走访记录 are said missing, as they
    # are for a workbook without them (its managers' visits are otherwise zero unsaid)
    assert codes(intake) == [
        ("report_date_missing", "", ""),
        ("sheet_optional_missing", "", ""),
        ("sheet_optional_missing", "", ""),
    ]
    assert list(intake.usage.revenue_fen) == [216050, 96000, 36025]
    assert intake.usage.customer_name.iloc[0] == "西昌市税务局"


def test_customer_id_with_another_name_in_the_archive_is_rejected(tmp_path, reference):
    archive = [
        archive_row(
            客户编号="C5134010002",
            企业全称="凉山州安宁商贸有限责任公司",
            通信地址="西昌市胜利路1号",
            联系人="王先生",
            联系电话="13800000000",
            更新日期="2026-10-05",
        )
    ]
    county_workbook(tmp_path / "西昌市.xlsx", archive=archive, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == [("name_mismatch", "B6", "凉山州安宁商贸有限公司")]
    assert "凉山州安宁商贸有限责任公司" in intake.problems[0].message
    assert list(intake.usage.customer_id) == ["C5134010001", "C5134010001"]
    assert [r["code"] for r in intake.quarantine] == ["name_mismatch"]


def test_legacy_xls_from_old_excel_or_wps(tmp_path, reference):
    total = {(6, 0): "合计", (6, 3): 965, (6, 4): 3480.75}
    legacy_xls(tmp_path / "西昌市_2026年10月.xls", ROWS, total)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time"
    assert [c for c, _, _ in codes(intake)] == ["sheet_optional_missing", "sheet_optional_missing"]
    assert list(intake.usage.revenue_fen) == [216050, 96000, 36025]
    assert list(intake.usage.source_row) == [4, 5, 6]


def test_header_below_blank_rows_and_columns_off_a1(tmp_path, reference):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "大客户用邮情况"
    ws["C4"] = "凉山州邮政大客户用邮情况月报(2026年10月)"
    ws["C5"] = "填报单位:西昌市邮政分公司"
    ws["G5"] = "填报日期:2026-11-01"
    header = ["客户编号", "客户名称", "业务种类", "用邮量", "收入(元)", "客户经理", "揽收类型"]
    for j, title in enumerate(header):
        ws.cell(row=7, column=3 + j, value=title)
    for i, row in enumerate(ROWS):
        for j, value in enumerate(row):
            ws.cell(row=9 + 2 * i, column=3 + j, value=value)  # a blank row between each
    ws.cell(row=9, column=6, value="-3")
    wb.save(tmp_path / "西昌市.xlsx")
    intake, _ = intake_of(tmp_path, reference)
    assert ("amount_negative", "F9", "-3") in codes(intake)
    assert list(intake.usage.source_row) == [11, 13]
    assert [r["row"] for r in intake.quarantine] == ["9"]


def test_archive_and_visit_values_that_cannot_be_read_are_warnings_with_cells(tmp_path, reference):
    archive = [["C5134010009", "新客户", "", "", "", "私营", "也许", "", "", "", "", "陆浩", "否", "十月"]]
    county_workbook(tmp_path / "西昌市.xlsx", archive=archive)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time"
    assert codes(intake) == [
        ("value_unrecognised", "F2", "私营"),
        ("value_unrecognised", "G2", "也许"),
        ("value_unrecognised", "N2", "十月"),
    ]
    assert "企业性质" in intake.problems[0].message
    record = intake.archive[0]
    assert (record["nature"], record["partner"], record["manager_id"], record["updated"]) == (
        "",
        "否",
        "M008",
        "",
    )


def test_empty_workbook_and_workbook_without_usage_sheet(tmp_path, reference):
    from openpyxl import Workbook

    Workbook().save(tmp_path / "西昌市.xlsx")
    intake, _ = intake_of(tmp_path, reference)
    assert (intake.status, codes(intake)) == ("rejected", [("file_empty", "", "")])
    wb = Workbook()
    wb.active.title = "客户档案"
    wb.active.append(["客户编号", "企业全称"])
    wb.create_sheet("说明").append(["本表说明"])
    wb.save(tmp_path / "西昌市.xlsx")
    intake, _ = intake_of(tmp_path, reference)
    assert (intake.status, codes(intake)) == (
        "rejected",
        [("sheet_not_read", "", "说明"), ("sheet_missing", "", "")],  # what was not read is said
    )


def test_a_row_below_the_footer_and_a_second_usage_sheet_are_said_and_kept_not_dropped(tmp_path, reference):
    from openpyxl import load_workbook

    path = county_workbook(tmp_path / "西昌市.xlsx")
    wb = load_workbook(path)
    usage = wb["用邮情况"]
    usage.append(["C5134010003", "西昌市人民医院", "国际", 7, 70, "陆浩", "存量"])  # row 10, under 填表人
    wb.copy_worksheet(usage).title = "用邮情况 (2)"
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time"  # one row and one sheet: the rest of the county is used
    assert codes(intake) == [
        ("sheet_not_read", "", "用邮情况 (2)"),
        ("row_after_footer", "A10", "C5134010003"),
    ]
    second = next(p for p in intake.problems if p.code == "sheet_not_read")
    assert "已有同类工作表“用邮情况”" in second.message
    assert list(intake.usage.source_row) == [4, 5, 6]  # the 合计 (row 7) holds these three
    assert [(r["row"], r["code"]) for r in intake.quarantine] == [("10", "row_after_footer")]
    assert intake.quarantine[0]["values"].startswith("C5134010003 | 西昌市人民医院 | 国际 | 7 | 70")
    assert intake.rows_read == len(intake.usage) + len(intake.quarantine)


def test_last_month_s_report_pasted_below_the_footer_is_said_once_and_counted(tmp_path, reference):
    """September's sheet pasted under October's 填表人 line (rows 10–17): one warning at its title,
    its two data rows counted and traced, not called October's rows to move, and its title,
    header, 合计 and footer lines not taken for data."""
    path = county_workbook(tmp_path / "西昌市.xlsx")
    wb = load_workbook(path)
    usage = wb["用邮情况"]
    september = [list(row) for row in usage.iter_rows(values_only=True)]
    september[0][0] = "凉山州邮政大客户用邮情况月报(2026年9月)"
    for row in september:
        usage.append(row)
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time" and list(intake.usage.source_row) == [4, 5, 6]
    assert codes(intake) == [("block_after_footer", "A10", "凉山州邮政大客户用邮情况月报(2026年9月)")]
    assert "表尾之下另有一段2026-09的报表(共 3 行)" in intake.problems[0].message
    assert [(r["row"], r["code"], r["values"]) for r in intake.quarantine] == [
        ("10", "block_after_footer", "2026-09 的报表,共 3 行未使用")
    ]
    assert intake.rows_read == len(intake.usage) + 3  # no row vanishes unsaid


def test_a_date_below_the_footer_is_not_another_month_s_report(tmp_path, reference):
    """The report date typed under 填表人 is no report; a row added under a dated line is still a
    row to move, said at its customer id."""
    path = county_workbook(tmp_path / "西昌市.xlsx")
    wb = load_workbook(path)
    usage = wb["用邮情况"]
    usage.append(["填报日期:2026年11月3日"])
    usage.append(["以下为2026年11月2日补报:"])
    usage.append(["C5134010003", "西昌市人民医院", "国际", 7, 70, "陆浩", "存量"])
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == [("row_after_footer", "A12", "C5134010003")]
    assert [r["customer_id"] for r in intake.quarantine] == ["C5134010003"]


def test_a_copy_of_the_header_and_totals_below_the_footer_are_not_rows_to_move(tmp_path, reference):
    path = county_workbook(tmp_path / "西昌市.xlsx")
    wb = load_workbook(path)
    usage = wb["用邮情况"]
    for row in list(usage.iter_rows(min_row=3, values_only=True)):  # header, rows, 合计, footer again
        usage.append(row)
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert [(c, cell) for c, cell, _ in codes(intake)] == [
        ("row_after_footer", "A11"),
        ("row_after_footer", "A12"),
        ("row_after_footer", "A13"),
    ]


def test_a_figure_merged_over_two_rows_is_not_split_nor_given_to_one(tmp_path, reference):
    """收入 E4:E5 merged (one amount for 税务局's 特快 and 函件): read, the whole amount would go to
    特快 and 函件 would say "blank, fill it in". Neither row is used, each said at its cell."""
    path = county_workbook(tmp_path / "西昌市.xlsx", total=False)
    wb = load_workbook(path)
    usage = wb["用邮情况"]
    usage["E4"] = 3120.50
    usage.merge_cells("E4:E5")
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == [("figure_merged", "E4", "3120.5"), ("figure_merged", "E5", "")]
    assert "收入为合并单元格(E4:E5)" in intake.problems[0].message
    assert list(intake.usage.source_row) == [6]
    assert [r["row"] for r in intake.quarantine] == ["4", "5"]


def test_missing_required_column_names_the_columns(tmp_path, reference):
    header = ["客户编号", "客户名称", "业务种类", "用邮量", "收入(元)", "客户经理"]  # no 揽收类型
    county_workbook(tmp_path / "西昌市.xlsx", header=header, rows=[r[:6] for r in ROWS], total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "rejected"
    assert codes(intake) == [("column_missing", "A3", "揽收类型")]  # as the template names it
    assert intake.rows_read == len(ROWS)  # the rejected county's rows are counted, none vanishes
    # no header at all (every column renamed): the rows with figures, not the title lines
    header = ["编码", "名称", "种类", "件数", "钱", "人", "方式"]
    county_workbook(tmp_path / "西昌市.xlsx", header=header, rows=ROWS, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert (intake.status, intake.rows_read) == ("rejected", len(ROWS))
    assert codes(intake) == [("column_missing", "", "客户编号、业务种类、用邮量、收入、客户经理、揽收类型")]


def test_sheets_named_with_their_month_are_read(tmp_path, reference):
    """用邮情况(10月), 10月走访记录: the names clerks give; a copy beside the sheet is still said."""
    from openpyxl import load_workbook

    path = county_workbook(tmp_path / "西昌市.xlsx")
    wb = load_workbook(path)
    wb["用邮情况"].title = "用邮情况(10月)"
    wb.copy_worksheet(wb["用邮情况(10月)"]).title = "用邮情况 (2)"
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time" and list(intake.usage.source_row) == [4, 5, 6]
    assert codes(intake) == [("sheet_not_read", "", "用邮情况 (2)")]
    assert "已有同类工作表“用邮情况(10月)”" in intake.problems[0].message


def test_unknown_unit_of_revenue_is_not_guessed(tmp_path, reference):
    header = ["客户编号", "客户名称", "业务种类", "用邮量", "收入(美元)", "客户经理", "揽收类型"]
    county_workbook(tmp_path / "西昌市.xlsx", header=header, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert (intake.status, codes(intake)) == ("rejected", [("column_missing", "E3", "收入(美元)")])


def test_file_of_no_known_county_is_reported_not_dropped(tmp_path, reference):
    county_workbook(tmp_path / "报表.xlsx", county="某某")
    files, unknown = county_files(tmp_path, reference)
    assert files == {} and [p.name for p in unknown] == ["报表.xlsx"]
    from pipeline.ingest.files import unknown_file_problems

    (found,) = unknown_file_problems(unknown)
    assert (found.code, found.file, found.severity) == ("county_unknown", "报表.xlsx", "error")


def test_empty_required_cells_and_unknown_collection_type(tmp_path, reference):
    rows = [
        ["C5134010001", "西昌市税务局", "", 120, 2160.5, "陆浩", "存量"],
        ["C5134010002", "凉山州安宁商贸有限公司", "快包", 45, None, "陆浩", "续费"],
    ]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == [
        ("required_missing", "C4", ""),
        ("required_missing", "E5", ""),
        ("collection_unknown", "G5", "续费"),
    ]
    assert intake.usage.empty and intake.rows_read == 2 and len(intake.quarantine) == 2


def test_a_formula_saved_without_its_result_is_said_to_be_one(tmp_path, reference):
    """A workbook written by a program keeps =SUM(…) with no result, which every reader sees blank:
    the county is told that the cell is a formula to save in Excel, not that it is empty."""
    from openpyxl import load_workbook

    rows = [
        ["C5134010001", "西昌市税务局", "特快", 120, 2160.5, "陆浩", "存量"],
        ["C5134010002", "凉山州安宁商贸有限公司", "快包", 45, 1.0, "陆浩", "存量"],
        ["C5134010003", "西昌市某局", "函件", 3, None, "陆浩", "存量"],
    ]
    path = county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    wb = load_workbook(path)
    wb["用邮情况"]["E5"] = "=SUM(E4:E4)"  # openpyxl saves the formula alone, as such tools do
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == [("formula_without_value", "E5", "=SUM(E4:E4)"), ("required_missing", "E6", "")]
    (formula,) = [p for p in intake.problems if p.cell == "E5"]
    assert "公式" in formula.message and "保存后重新报送" in formula.message and formula.severity == "error"
    assert list(intake.usage.customer_id) == ["C5134010001"] and len(intake.quarantine) == 2


def test_merged_header_cells_footer_and_total_are_not_data(tmp_path, reference):
    path = county_workbook(tmp_path / "西昌市.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["用邮情况"]
    ws.merge_cells("A2:D2")  # 填报单位 merged across the width, as WPS templates do
    ws.append(["备注:以上数据已核对"])
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == []
    assert intake.rows_read == 3 and list(intake.usage.volume) == [120, 800, 45]


def test_name_checked_against_last_months_archive_unless_this_file_renames_it(tmp_path, reference):
    county_workbook(tmp_path / "西昌市.xlsx", total=False)
    files, _ = county_files(tmp_path, reference)
    last_month = {"C5134010001": "西昌市税务局", "C5134010002": "凉山州安宁商贸集团"}
    intake = ingest_county("xichang", MONTH, files["xichang"], reference, last_month)
    assert codes(intake) == [("name_mismatch", "B6", "凉山州安宁商贸有限公司")]
    assert "凉山州安宁商贸集团" in intake.problems[0].message
    renamed = [archive_row(客户编号="C5134010002", 企业全称="凉山州安宁商贸有限公司", 更新日期="2026-10-02")]
    county_workbook(tmp_path / "西昌市.xlsx", total=False, archive=renamed)
    files, _ = county_files(tmp_path, reference)
    assert codes(ingest_county("xichang", MONTH, files["xichang"], reference, last_month)) == []


def test_a_visit_counts_only_when_dated_in_the_month_and_others_are_reported(tmp_path, reference):
    import pandas as pd

    from pipeline.analytics.visits import visits_in_month

    visits = [
        ["2026-10-12", "C5134010001", "陆浩", "上门", "回访", ""],
        ["", "C5134010002", "陆浩", "电话", "回访", ""],
        ["2026-09-28", "C5134010001", "陆浩", "上门", "补记上月走访", ""],
    ]
    county_workbook(tmp_path / "西昌市.xlsx", visits=visits)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time"
    assert codes(intake) == [("visit_date_missing", "A3", ""), ("visit_date_outside", "A4", "2026-09-28")]
    assert "不计入本月大客户联系考核" in intake.problems[0].message
    counted = visits_in_month(pd.DataFrame(intake.visits), MONTH)
    assert list(counted.customer_id) == ["C5134010001"] and len(intake.visits) == 3  # kept, not counted


def test_a_usage_customer_on_no_archive_is_said_once_as_new(tmp_path, reference):
    rows = [*ROWS, ["C5134019999", "西昌市新华书店", "特快", 3, 30.00, "陆浩", "新揽收"]]
    county_workbook(
        tmp_path / "西昌市.xlsx",
        rows=rows,
        archive=[archive_row(客户编号="C5134010002", 企业全称="凉山州安宁商贸有限公司")],
    )
    files, _ = county_files(tmp_path, reference)
    last_month = {"C5134010001": "西昌市税务局"}
    intake = ingest_county("xichang", MONTH, files["xichang"], reference, last_month)
    assert codes(intake) == [("customer_not_in_archive", "A7", "C5134019999")]
    assert len(intake.usage) == 4  # counted, as a new customer
    assert codes(ingest_county("xichang", MONTH, files["xichang"], reference)) == []  # no archive yet


def test_a_visit_to_a_customer_id_in_no_archive_is_reported_at_its_cell(tmp_path, reference):
    visits = [
        ["2026-10-12", "C5134010001", "陆浩", "上门", "回访", ""],  # on this file's 用邮情况
        ["2026-10-14", "C5134019999", "陆浩", "上门", "回访", ""],  # a typo
        ["2026-10-15", "C5134260001", "陆浩", "电话", "回访", ""],  # 会东县's, in last month's archive
    ]
    county_workbook(tmp_path / "西昌市.xlsx", visits=visits)
    files, _ = county_files(tmp_path, reference)
    last_month = {
        "C5134260001": "会东县人民法院",
        "C5134010001": "西昌市税务局",
        "C5134010002": "凉山州安宁商贸有限公司",
    }
    intake = ingest_county("xichang", MONTH, files["xichang"], reference, last_month)
    assert codes(intake) == [("visit_customer_unknown", "B3", "C5134019999")]
    assert len(intake.visits) == 3  # kept as written


def test_a_true_cell_is_rejected_at_its_own_cell_and_the_ones_are_read(tmp_path, reference):
    # True == 1 in Python: the TRUE cells and the 1s must each keep their own reading
    rows = [
        ["C5134010001", "西昌市税务局", "特快", True, 1, "陆浩", "存量"],
        ["C5134010001", "西昌市税务局", "函件", 1, 1, "陆浩", "存量"],
        ["C5134010002", "凉山州安宁商贸有限公司", "快包", 1, True, "陆浩", "新揽收"],
    ]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == [("amount_invalid", "D4", "True"), ("amount_invalid", "E6", "True")]
    assert (list(intake.usage.volume), list(intake.usage.revenue_fen)) == ([1], [100])
    assert [(r["row"], r["code"]) for r in intake.quarantine] == [
        ("4", "amount_invalid"),
        ("6", "amount_invalid"),
    ]


def test_an_amount_beyond_the_rules_bound_is_rejected_at_its_cell_and_the_rest_is_used(tmp_path, reference):
    limit = reference.rules.for_month(MONTH).get("ingest.max_amount")
    assert limit == 1_000_000_000
    rows = [
        ROWS[0],
        ["C5134010001", "西昌市税务局", "函件", 800, 123456789012345678, "陆浩", "存量"],  # an id pasted
        ["C5134010002", "凉山州安宁商贸有限公司", "快包", 13812345678, 360.25, "陆浩", "新揽收"],  # a phone
        ["C5134010002", "凉山州安宁商贸有限公司", "特快", limit, limit, "陆浩", "存量"],  # at the bound: used
    ]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time"
    assert codes(intake) == [
        ("amount_too_large", "E5", "123456789012345696"),  # the cell holds a double, as in Excel
        ("amount_too_large", "D6", "13812345678"),
    ]
    assert intake.problems[0].message == (
        "收入超出合理范围(每格不超过 1,000,000,000 元),疑为误填的编号或号码,本行未采用,请核对后填写实际数值"
    )
    assert intake.problems[1].message.startswith("用邮量超出合理范围(每格不超过 1,000,000,000)")
    usage = intake.usage  # the month's table is int64 fen: this built it
    assert list(usage.revenue_fen) == [216050, limit * 100] and list(usage.volume) == [120, limit]
    assert [(r["row"], r["code"]) for r in intake.quarantine] == [
        ("5", "amount_too_large"),
        ("6", "amount_too_large"),
    ]


def test_archive_and_visit_rows_without_customer_id_are_reported_and_kept(tmp_path, reference):
    archive = [
        archive_row(客户编号="C5134010001", 企业全称="西昌市税务局", 更新日期="2026-10-05"),
        archive_row(
            企业全称="西昌市某新客户", 联系人="李女士", 更新日期="2026-10-06", 关键联系人生日="05-12"
        ),  # row 3: no id
    ]
    visits = [
        ["2026-10-12", "C5134010001", "陆浩", "上门", "回访", ""],
        ["2026-10-13", None, "陆浩", "电话", "回访", ""],  # row 3: 客户编号 cleared
        [None, " "],  # row 4: blank, skipped
        ["2026-10-14", "C5134010002", "陆浩", "上门", "", ""],
    ]
    county_workbook(tmp_path / "西昌市.xlsx", archive=archive, visits=visits)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time"
    assert [(p.code, p.sheet, p.cell, p.value) for p in intake.problems] == [
        ("required_missing", "客户档案", "A3", ""),
        ("required_missing", "走访记录", "B3", ""),
    ]
    assert [r["customer_id"] for r in intake.archive] == ["C5134010001"]
    assert [v["source_row"] for v in intake.visits] == [2, 5]
    assert [(q["sheet"], q["row"], q["code"]) for q in intake.quarantine] == [
        ("客户档案", "3", "required_missing"),
        ("走访记录", "3", "required_missing"),
    ]
    assert intake.quarantine[1]["values"].startswith("2026-10-13 |  | 陆浩 | 电话")
    # rejected rows are published: the birthday stays behind
    assert "李女士" in intake.quarantine[0]["values"] and "05-12" not in intake.quarantine[0]["values"]
    assert intake.record_rows_read == 5 and intake.rows_accounted()


def test_an_optional_sheet_whose_header_cannot_be_read_is_reported_not_skipped(tmp_path, reference):
    from openpyxl import load_workbook

    archive = [archive_row(客户编号="C5134010001", 企业全称="西昌市税务局", 更新日期="2026-10-05")]
    visits = [["2026-10-12", "C5134010001", "陆浩", "上门", "回访", ""]]
    path = county_workbook(tmp_path / "西昌市.xlsx", archive=archive, visits=visits)
    wb = load_workbook(path)
    wb["客户档案"]["A1"] = "序号"  # the header is found, its 客户编号 is not
    for cell, title in zip(
        wb["走访记录"][1], ["时间", "顾客", "人员", "形式", "事项", "反馈", "备注"], strict=True
    ):
        cell.value = title  # no header at all
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time" and len(intake.usage) == 3  # the usage sheet is used
    assert [(p.code, p.sheet, p.cell, p.value, p.severity) for p in intake.problems] == [
        ("optional_column_missing", "客户档案", "A1", "客户编号", "warning"),
        ("optional_column_missing", "走访记录", "", "走访日期、客户编号", "warning"),
    ]
    assert intake.problems[1].message == (
        "“走访记录”工作表的表头中找不到“走访日期、客户编号”列,本表本月未读取(共 1 行),"
        "请按中心下发的模板改正表头后重新报送"
    )
    assert intake.archive == [] and intake.visits == []
    # their rows are traced among the rejected rows, one note a sheet
    notes = [(r["sheet"], r["code"], r["values"]) for r in intake.quarantine]
    assert notes == [
        ("客户档案", "optional_column_missing", "整表未读取,共 1 行未使用"),
        ("走访记录", "optional_column_missing", "整表未读取,共 1 行未使用"),
    ]


def test_an_empty_optional_sheet_is_no_problem(tmp_path, reference):
    from openpyxl import load_workbook

    path = county_workbook(tmp_path / "西昌市.xlsx")
    wb = load_workbook(path)
    wb["走访记录"].delete_rows(1)  # nothing in it, not even the header
    wb.save(path)
    intake, _ = intake_of(tmp_path, reference)
    assert codes(intake) == [] and intake.visits == []


def test_a_negative_amount_names_its_column(tmp_path, reference):
    rows = [
        ["C5134010001", "西昌市税务局", "特快", -3, 10.0, "陆浩", "存量"],
        ["C5134010002", "凉山州安宁商贸有限公司", "快包", 3, "-10", "陆浩", "存量"],
    ]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert [(p.code, p.cell, p.message) for p in intake.problems] == [
        ("amount_negative", "D4", "用邮量为负数,请按实际填写(不能小于 0)"),
        ("amount_negative", "E5", "收入为负数,请按实际填写(不能小于 0)"),
    ]


def test_a_rules_file_from_before_max_amount_still_reads_the_month_with_its_default(tmp_path, reference):
    """The rules file is the centre's own copy: a key added later must not stop its months."""
    import shutil

    from pipeline.ingest.reference import Reference

    folder = tmp_path / "reference"
    shutil.copytree(reference.folder, folder)
    rules = (folder / "rules.toml").read_text(encoding="utf-8")
    (folder / "rules.toml").write_text(rules.replace("max_amount = 1000000000", ""), encoding="utf-8")
    older = Reference.load(folder)
    assert "max_amount" not in (folder / "rules.toml").read_text(encoding="utf-8")
    assert older.rules.for_month(MONTH).get("ingest.max_amount") == 1_000_000_000  # core.rules defaults
    rows = [ROWS[0], ["C5134010001", "西昌市税务局", "函件", 800, 123456789012345678, "陆浩", "存量"]]
    (tmp_path / "month").mkdir()
    county_workbook(tmp_path / "month" / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path / "month", older)
    assert codes(intake) == [("amount_too_large", "E5", "123456789012345696")]


def test_large_amounts_with_half_a_fen_round_half_up_like_small_ones(tmp_path, reference):
    """6,000,000.125 元 is 600,000,012.5 fen: the one rounding rule (half-up) gives …13, as it does
    for 12.125 元; a float's error on a whole number of fen is not mistaken for half a fen."""
    rows = [
        ["C5134010001", "西昌市税务局", "函件", 800, 6000000.125, "陆浩", "存量"],
        ["C5134010002", "凉山州安宁商贸有限公司", "快包", 45, 12.125, "陆浩", "存量"],
        [
            "C5134010002",
            "凉山州安宁商贸有限公司",
            "特快",
            10,
            201.08,
            "陆浩",
            "存量",
        ],  # 20107.999… as a float
    ]
    county_workbook(tmp_path / "西昌市.xlsx", rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert list(intake.usage.revenue_fen) == [600000013, 1213, 20108]


def test_a_column_pasted_twice_is_said_at_the_one_read(tmp_path, reference):
    """A second 收入(元) beside the first, with other figures: read as before (the first), and said."""
    header = ["客户编号", "客户名称", "业务种类", "用邮量", "收入(元)", "客户经理", "揽收类型", "收入(元)"]
    rows = [[*r, 1.0] for r in ROWS]
    county_workbook(tmp_path / "西昌市.xlsx", header=header, rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time" and list(intake.usage.revenue_fen) == [216050, 96000, 36025]
    assert codes(intake) == [("column_twins", "E3", "收入(元)、收入(元)")]
    assert "有多列都是“收入”" in intake.problems[0].message
    # two of the names a field may go by (客户名称, 企业全称) are no paste: nothing said
    header = ["客户编号", "客户名称", "业务种类", "用邮量", "收入(元)", "客户经理", "揽收类型", "企业全称"]
    county_workbook(tmp_path / "西昌市.xlsx", header=header, rows=[[*r, r[1]] for r in ROWS], total=False)
    assert intake_of(tmp_path, reference)[0].problems == []


def test_dates_shown_as_excel_day_numbers_are_read_as_the_dates(tmp_path, reference):
    """A date cell formatted as a number, or pasted as text, shows Excel's day number: 46327 is
    2026-11-01. The 填报日期, a 走访日期 and a case's 受理日期/办结日期 read as the dates they are."""
    county_workbook(
        tmp_path / "西昌市.xlsx",
        report_date="46327",
        visits=[[46300, "C5134010001", "陆浩", "上门", "", "", None]],
        cases=[["46295", "C5134010001", "查询", "特快", "时限", "", None, 46297, "已答复", "陆浩"]],
    )
    intake, _ = intake_of(tmp_path, reference)
    assert (intake.status, intake.report_date) == ("on_time", "2026-11-01")
    assert [v["date"] for v in intake.visits] == ["2026-10-05"]
    assert [(c["opened"], c["closed"]) for c in intake.cases] == [("2026-09-30", "2026-10-02")]
    assert [p.code for p in intake.problems if p.code.startswith(("case_date", "visit_date"))] == []


def test_a_customer_merged_down_over_its_business_types_gives_each_row_its_id(tmp_path, reference):
    """客户编号 and 客户名称 merged over the rows of one customer's business types, as clerks lay it
    out: each row is the customer's, the same figures as the file without the merge."""
    from openpyxl import load_workbook

    rows = [list(r) for r in ROWS]
    path = county_workbook(tmp_path / "西昌市.xlsx", rows=rows)
    plain, _ = intake_of(tmp_path, reference)
    wb = load_workbook(path)
    usage = wb["用邮情况"]
    for column in "AB":  # rows 4 and 5 are C5134010001's 特快 and 函件
        usage[f"{column}5"] = None
        usage.merge_cells(f"{column}4:{column}5")
    wb.save(path)
    merged, _ = intake_of(tmp_path, reference)
    assert merged.problems == plain.problems == []
    assert merged.usage.equals(plain.usage) and merged.status == "on_time"


def test_revenue_written_in_yuan_under_a_header_in_wan_is_refused_at_its_cell(tmp_path, reference):
    """1,200元 under 收入(万元): the row is refused at its cell, not read as 12,000,000 元."""
    header = ["客户编号", "客户名称", "业务种类", "用邮量", "收入(万元)", "客户经理", "揽收类型"]
    rows = [[*r[:4], r[4] / 10000, *r[5:]] for r in ROWS]
    rows[1][4] = "1,200元"
    county_workbook(tmp_path / "西昌市.xlsx", header=header, rows=rows, total=False)
    intake, _ = intake_of(tmp_path, reference)
    assert intake.status == "on_time" and list(intake.usage.revenue_fen) == [216050, 36025]
    assert codes(intake) == [("amount_unit_conflict", "E5", "1,200元")]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2026年11月5日", "2026-11-05"),
        ("2026.11.5", "2026-11-05"),
        ("2026/11/05", "2026-11-05"),
        ("20261105", "2026-11-05"),
        (20261105, "2026-11-05"),  # the same typed into a number cell
        (46331, "2026-11-05"),  # a date cell formatted as a number
        ("填报日期:46331", "2026-11-05"),
        ("20261131", ""),  # no such day
        ("2026113", ""),  # seven digits: not a date
        ("11月5日", ""),  # no year: said at its cell, not guessed
    ],
)
def test_the_date_forms_a_county_types(typed, read):
    from pipeline.ingest.grid import date_in

    assert date_in(typed) == read
