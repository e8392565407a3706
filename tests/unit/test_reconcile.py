"""对账: county workbooks against a 量收系统 export (xlsx, GBK CSV), on real files, exact fen."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pipeline.analytics.reconcile import COMPARED, NO_EXPORT, reconcile
from pipeline.core.contract import RECONCILIATION, check_csv
from pipeline.core.tables import write_table
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine, rejected_customers
from pipeline.ingest.reference import Reference
from pipeline.ingest.submissions import submissions_table
from pipeline.ingest.system import SYSTEM_FOLDER, read_system_export, system_files
from pipeline.render.pdf import render_html
from tests.workbooks import ROWS, county_workbook

MONTH = "2026-10"
XICHANG_ROWS = [*ROWS, ["C5134010004", "西昌市安宁物流有限公司", "物流", 3, 195.00, "陆浩", "存量"]]
HUILI_ROWS = [["C5134020001", "会理市财政局", "特快", 10, 180.00, "段勇", "存量"]]
EXPORT_HEADER = ["统计月份", "机构", "协议号", "客户名称", "业务种类", "用邮量", "收入(元)"]
EXPORT_ROWS = [
    ["2026-10", "西昌市分公司", "C5134010001", "西昌市税务局", "EMS", 120, 2160.50],  # agrees
    ["2026-10", "西昌市分公司", "C5134010001", "西昌市税务局", "函件", 800, 900.00],
    ["2026-10", "西昌市分公司", "C5134010001", "西昌市税务局", "函件", 0, 96.00],  # a bill booked late
    [
        "2026-10",
        "西昌市分公司",
        "C5134010002",
        "凉山州安宁商贸有限公司",
        "快包",
        45,
        360.00,
    ],  # 0.25 元: tolerated
    ["2026-10", "西昌市分公司", "C5134010003", "西昌市第一中学", "特快", 10, 180.00],  # the county forgot it
    ["2026-10", "西昌市分公司", "C5134010005", "西昌市某商店", "特快", 2, "12,3a"],  # a bad cell
]


def _month(tmp_path: Path, export_rows=EXPORT_ROWS, huili: bool = True) -> Path:
    folder = tmp_path / MONTH
    folder.mkdir()
    county_workbook(folder / "西昌市_2026年10月.xlsx", rows=XICHANG_ROWS)
    if huili:
        county_workbook(folder / "会理市_2026年10月.xlsx", county="会理市", rows=HUILI_ROWS)
    if export_rows is not None:
        (folder / SYSTEM_FOLDER).mkdir()
        wb = Workbook()
        ws = wb.active
        ws.title = "量收明细"
        ws.append(EXPORT_HEADER)
        for row in export_rows:
            ws.append(row)
        wb.save(folder / SYSTEM_FOLDER / "量收系统_2026年10月.xlsx")
    return folder


def _run(folder: Path, reference, archive=None, missing=()):
    files, _ = county_files(folder, reference)
    intakes = [
        ingest_county(code, MONTH, [] if code in missing else files.get(code, []), reference)
        for code in reference.counties.code
    ]
    month = combine(intakes)
    submissions = submissions_table(intakes, reference.county_names)
    archive = archive if archive is not None else pd.DataFrame(columns=["customer_id", "county"])
    export = read_system_export(folder, reference, MONTH)
    incomplete = rejected_customers(month.quarantine)
    return reconcile(MONTH, reference, export, month.usage, submissions, archive, folder, incomplete), export


def _codes(result):
    return [(p.code, p.county, p.file, p.sheet, p.cell, p.value) for p in result.problems]


def test_each_kind_of_difference_with_exact_fen(tmp_path, reference) -> None:
    folder = _month(tmp_path)
    result, export = _run(folder, reference)
    assert export.rows_read == 6 and len(export.rejected) == 1
    table = result.table.set_index(["customer_id", "business_type"])
    assert sorted(table.kind.items()) == [
        (("C5134010001", "函件"), "amount_differs"),
        (("C5134010003", "特快"), "system_only"),
        (("C5134010004", "物流"), "county_only"),
    ]
    late = table.loc[("C5134010001", "函件")]
    assert (late.county_revenue_fen, late.system_revenue_fen, late.revenue_diff_fen) == (96000, 99600, -3600)
    assert (late.county_volume, late.system_volume, late.volume_diff) == (800, 800, 0)
    assert late.system_rows == "3、4" and late.system_cell == "G3" and late.county_row == 5
    forgot = table.loc[("C5134010003", "特快")]
    assert (forgot.county, forgot.system_revenue_fen, forgot.revenue_diff_fen) == ("西昌市", 18000, -18000)
    assert pd.isna(forgot.county_revenue_fen) and forgot.record_revenue_fen == 18000
    only = table.loc[("C5134010004", "物流")]
    assert (only.county_revenue_fen, only.revenue_diff_fen, only.volume_diff) == (19500, 19500, 3)
    assert set(table.record_source) == {"county"}

    export_file = f"{SYSTEM_FOLDER}/量收系统_2026年10月.xlsx"
    assert _codes(result) == [
        ("system_value_invalid", "州局", export_file, "量收明细", "G7", "12,3a"),
        ("reconcile_amount_differs", "西昌市", "西昌市_2026年10月.xlsx", "用邮情况", "E5", "960.00"),
        ("reconcile_system_only", "西昌市", "西昌市_2026年10月.xlsx", "用邮情况", "", "C5134010003"),
        ("reconcile_county_only", "西昌市", "西昌市_2026年10月.xlsx", "用邮情况", "A7", "C5134010004"),
    ]
    differs = result.problems[1]
    assert differs.severity == "warning"
    assert "收入 县报 960.00 元、系统 996.00 元,差 -36.00 元" in differs.message
    assert "第3、4行" in differs.message
    assert "收入“12,3a”不是数字" in result.problems[0].message

    note = result.note
    assert note["total"] == {
        "county_revenue_fen": 216050 + 96000 + 36025 + 19500,  # 3675.75 元
        "system_revenue_fen": 216050 + 99600 + 36000 + 18000,  # 3696.50 元
        "revenue_diff_fen": -2075,
        "system_only": 1,
        "county_only": 1,
        "amount_differs": 1,
        "matched": 2,
    }
    assert [c["county"] for c in note["by_county"]] == ["西昌市"]
    assert "会理市" in note["no_export"]  # accepted, but the export has none of its rows
    assert "木里藏族自治县" in note["not_accepted"]  # sent nothing
    by_business = {b["business_type"]: b for b in note["by_business"]}
    assert by_business["函件"]["revenue_diff_fen"] == -3600
    assert by_business["物流"]["county_only"] == 1
    status = result.by_county.drop_duplicates("county").set_index("county").status
    assert status["西昌市"] == COMPARED
    assert status["会理市"] == NO_EXPORT  # its reported figures listed, not compared

    write_table(result.table, tmp_path / "tables", RECONCILIATION)
    assert check_csv(RECONCILIATION, tmp_path / "tables" / "reconciliation.csv") == []
    text = (tmp_path / "tables" / "reconciliation.csv").read_text(encoding="utf-8")
    assert "C5134010001,函件,amount_differs,800,800,0,960.00,996.00,-36.00,county,960.00" in text


def test_a_gbk_csv_export_without_a_county_column(tmp_path, reference) -> None:
    """Each kind again from a GBK CSV: county from the report, else the archive; 收入(万元) scaled;
    no 县(市) column needed."""
    folder = _month(tmp_path, export_rows=None)
    (folder / SYSTEM_FOLDER).mkdir()
    rows = [
        ["客户编号", "业务种类", "用邮量", "收入(万元)"],
        ["C5134020001", "特快", "10", "0.0180"],  # 180.00 元: agrees with 会理市
        ["C5134020009", "快包", "4", "0.00325"],  # 32.50 元, in 会理市's archive, not reported
        ["C5134010001", "特快", "120", "0.216050"],
        ["C5134010001", "函件", "800", "0.0990"],  # 990.00 元 against 960.00 reported
        ["C5134010002", "快包", "45", "0.036025"],
        # C5134010004 物流: reported by 西昌市, absent here
        ["C9999", "特快", "1", "0.0001"],  # in no report and no archive
    ]
    path = folder / SYSTEM_FOLDER / "export.csv"
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows)
    assert path.read_bytes().decode("gbk").startswith("客户编号")
    archive = pd.DataFrame({"customer_id": ["C5134020009"], "county": ["会理市"]})
    result, _ = _run(folder, reference, archive=archive)
    found = result.table[["county", "customer_id", "business_type", "kind", "revenue_diff_fen"]]
    assert found.values.tolist() == [
        ["西昌市", "C5134010001", "函件", "amount_differs", -3000],
        ["西昌市", "C5134010004", "物流", "county_only", 19500],
        ["会理市", "C5134020009", "快包", "system_only", -3250],
    ]
    codes = _codes(result)
    assert codes[0] == (
        "system_county_unknown",
        "州局",
        f"{SYSTEM_FOLDER}/export.csv",
        "export",
        "A7",
        "C9999",
    )
    assert [c[:2] for c in codes[1:]] == [
        ("reconcile_amount_differs", "西昌市"),
        ("reconcile_county_only", "西昌市"),
        ("reconcile_system_only", "会理市"),
    ]
    assert [c["county"] for c in result.note["by_county"]] == ["西昌市", "会理市"]
    xichang, huili = result.note["by_county"]
    assert (xichang["county_revenue_fen"], xichang["system_revenue_fen"], xichang["revenue_diff_fen"]) == (
        367575,
        351075,
        16500,
    )
    assert (huili["revenue_diff_fen"], huili["system_only"], huili["matched"]) == (-3250, 1, 1)
    assert result.note["rows_rejected"] == 1


def test_no_export_changes_nothing(tmp_path, reference) -> None:
    folder = _month(tmp_path, export_rows=None)
    result, export = _run(folder, reference)
    assert not export.found and system_files(folder) == []
    assert result.note is None and result.table.empty and result.problems == []


def test_a_row_the_county_reported_but_was_rejected_is_not_called_unreported(tmp_path, reference) -> None:
    """西昌市 reports 第一中学's 特快 with 用邮量 "10件": the row is rejected at its cell and waits
    for its correction; the system's 10 件 of it are not a row the county "forgot"."""
    folder = _month(tmp_path)
    path = folder / "西昌市_2026年10月.xlsx"
    school = ["C5134010003", "西昌市第一中学", "特快", "10件", 180.00, "陆浩", "存量"]
    county_workbook(path, rows=[*XICHANG_ROWS, school], total=False)
    result, _ = _run(folder, reference)
    assert "C5134010003" not in set(result.table.customer_id)
    assert not [p for p in result.problems if p.code == "reconcile_system_only"]


def test_a_county_not_accepted_is_not_compared(tmp_path, reference) -> None:
    folder = _month(tmp_path)
    result, _ = _run(folder, reference, missing=("xichang",))
    assert result.table.empty
    assert "西昌市" in result.note["not_accepted"]
    assert [p.code for p in result.problems] == ["system_value_invalid"]


def test_unreadable_export_and_missing_column_are_problems_not_crashes(tmp_path, reference) -> None:
    folder = _month(tmp_path, export_rows=None)
    (folder / SYSTEM_FOLDER).mkdir()
    (folder / SYSTEM_FOLDER / "坏文件.xlsx").write_bytes(b"not a zip")
    wb = Workbook()
    wb.active.append(["协议号", "业务种类", "用邮量", "金额(美元)"])
    wb.active.append(["C5134010001", "特快", 1, 2])
    wb.save(folder / SYSTEM_FOLDER / "缺列.xlsx")
    result, export = _run(folder, reference)
    assert [(p.code, p.file, p.cell, p.value) for p in result.problems] == [
        ("system_file_unreadable", f"{SYSTEM_FOLDER}/坏文件.xlsx", "", ""),  # files in name order
        ("system_column_missing", f"{SYSTEM_FOLDER}/缺列.xlsx", "A1", "收入(美元)"),
    ]
    assert export.found and result.table.empty
    assert result.note["by_county"] == []  # nothing compared: every county's export is empty


@pytest.mark.parametrize("source", ["system", "ledger"])
def test_revenue_source_other_than_county_is_refused_with_a_warning(tmp_path, reference, source) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(reference.folder, folder)
    rules = folder / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(
        text.replace('revenue_source = "county"', f'revenue_source = "{source}"'), encoding="utf-8"
    )
    result, _ = _run(_month(tmp_path), Reference.load(folder))
    refused = [p for p in result.problems if p.code == "reconcile_source_unsupported"]
    assert len(refused) == 1 and refused[0].severity == "warning" and refused[0].value == source
    assert "本月收入仍以县(市)报表为准" in refused[0].message
    assert result.note["source_supported"] is False
    if source == "system":  # the 对账 table shows the system's figure as the record
        late = result.table.set_index(["customer_id", "business_type"]).loc[("C5134010001", "函件")]
        assert (late.record_source, late.record_revenue_fen) == ("system", 99600)


def test_an_export_split_over_two_sheets_is_read_whole_and_a_sheet_without_header_is_named(
    tmp_path, reference
) -> None:
    """Read alone, the first sheet would show the second's pairs as the county's errors."""
    folder = _month(tmp_path, export_rows=None)
    (folder / SYSTEM_FOLDER).mkdir()
    wb = Workbook()
    first = wb.active
    first.title = "量收明细1"
    second, notes = wb.create_sheet("量收明细2"), wb.create_sheet("说明")
    for sheet, rows in ((first, EXPORT_ROWS[:3]), (second, EXPORT_ROWS[3:])):
        sheet.append(EXPORT_HEADER)
        for row in rows:
            sheet.append(row)
    notes.append(["导出人:张三"])
    wb.save(folder / SYSTEM_FOLDER / "量收系统_2026年10月.xlsx")
    split, _ = _run(folder, reference)
    (tmp_path / "whole").mkdir()
    whole, _ = _run(_month(tmp_path / "whole"), reference)
    where = ["system_sheet", "system_rows", "system_cell"]  # the sheet and rows a pair was read from
    assert split.table.drop(columns=where).equals(whole.table.drop(columns=where))
    assert set(split.table.system_sheet) - {""} == {"量收明细1", "量收明细2"}
    named = ("system_sheet_not_read", "州局", f"{SYSTEM_FOLDER}/量收系统_2026年10月.xlsx", "说明", "", "")
    assert named in _codes(split)
    found = sorted((c[0], c[5]) for c in _codes(split) if c != named)
    assert found == sorted((c[0], c[5]) for c in _codes(whole))  # the same problems, in their own sheets


def test_an_id_pasted_into_the_export_revenue_is_a_bad_row_not_an_overflow(tmp_path, reference) -> None:
    rows = [
        *EXPORT_ROWS[:5],
        ["2026-10", "西昌市分公司", "C5134010005", "西昌市某商店", "特快", 2, 123456789012345678],
    ]
    result, export = _run(_month(tmp_path, export_rows=rows), reference)
    (bad,) = [p for p in result.problems if p.code == "system_value_invalid"]
    assert bad.cell == "G7" and float(bad.value) == 1.234567890123457e17  # a double, as Excel keeps it
    assert "超过单格上限 1,000,000,000" in bad.message and len(export.rejected) == 1


@pytest.mark.parametrize("internal_first", [True, False], ids=["客户代码 left", "客户代码 right"])
def test_two_columns_read_as_the_customer_are_told_apart_by_the_customers_known(
    tmp_path, reference, internal_first
) -> None:
    """客户代码 (the system's own code) beside 协议号 (the county's 客户编号): the export is read by
    the column holding the customers the counties know, wherever it stands, and the choice is
    said once; the differences are those of the export with 协议号 alone."""
    internal = [f"KH{i:06d}" for i in range(len(EXPORT_ROWS))]
    if internal_first:
        header = [*EXPORT_HEADER[:2], "客户代码", *EXPORT_HEADER[2:]]
        rows = [[*r[:2], code, *r[2:]] for r, code in zip(EXPORT_ROWS, internal, strict=True)]
    else:
        header = [*EXPORT_HEADER, "客户代码"]
        rows = [[*r, code] for r, code in zip(EXPORT_ROWS, internal, strict=True)]
    folder = _month(tmp_path, export_rows=rows)
    wb = load_workbook(folder / SYSTEM_FOLDER / "量收系统_2026年10月.xlsx")
    for j, title in enumerate(header, start=1):
        wb.active.cell(1, j, title)
    wb.save(folder / SYSTEM_FOLDER / "量收系统_2026年10月.xlsx")
    files, _ = county_files(folder, reference)
    usage = combine([ingest_county("xichang", MONTH, files["xichang"], reference)]).usage
    export = read_system_export(folder, reference, MONTH, frozenset(usage.customer_id))
    assert sorted(set(export.rows.customer_id)) == ["C5134010001", "C5134010002", "C5134010003"]
    (twins,) = [p for p in export.problems if p.code == "system_column_twins"]
    assert twins.severity == "warning" and "对账按“协议号”读取" in twins.message
    assert twins.value == ("客户代码、协议号" if internal_first else "协议号、客户代码")


def test_a_row_of_zeros_the_system_does_not_have_is_no_difference(tmp_path, reference) -> None:
    """The template asks for 0 where a customer sent nothing: the system books nothing for it."""
    folder = _month(tmp_path)
    zero = ["C5134010006", "西昌市某局", "特快", 0, 0, "陆浩", "存量"]
    county_workbook(folder / "西昌市_2026年10月.xlsx", rows=[*XICHANG_ROWS, zero])
    result, _ = _run(folder, reference)
    assert "C5134010006" not in set(result.table.customer_id)
    assert sorted(result.table.kind) == ["amount_differs", "county_only", "system_only"]


def test_the_month_typed_as_a_date_or_an_excel_day_number_is_the_month(tmp_path, reference) -> None:
    """统计月份 as a date cell (2026-10-01), as the day number Excel shows for it when the column is
    formatted as a number (46296), or as 202610 is October; 46327 (2026-11-01) is not."""
    typed = [datetime(2026, 10, 1), 46296, "202610", "2026年10月", 46327]
    rows = [[month, *row[1:]] for month, row in zip(typed, EXPORT_ROWS, strict=False)]
    result, export = _run(_month(tmp_path, export_rows=rows), reference)
    refused = [p for p in result.problems if p.code == "system_value_invalid"]
    assert [(p.cell, float(p.value)) for p in refused] == [("A6", 46327)]  # the number as read
    assert "月份“46327”与文件夹月份 2026-10 不符" in refused[0].message and len(export.rejected) == 1


def test_only_a_volume_beyond_the_tolerance_marks_the_volume_cell(tmp_path, reference) -> None:
    """用邮量 55 against the system's 60 (beyond 0.5 %), 收入 apart by 0.01 元 (within 1.00 元): the
    county is pointed at its 用邮量 cell (D8: title, 填报单位 line, header and 4 rows above it)."""
    bureau = ["2026-10", "西昌市分公司", "C5134010006", "西昌市某局", "特快", 60, 990.01]
    folder = _month(tmp_path, export_rows=[*EXPORT_ROWS[:5], bureau])
    county_workbook(
        folder / "西昌市_2026年10月.xlsx",
        rows=[*XICHANG_ROWS, ["C5134010006", "西昌市某局", "特快", 55, 990.00, "陆浩", "存量"]],
    )
    result, _ = _run(folder, reference)
    late = result.table.set_index(["customer_id", "business_type"]).loc[("C5134010006", "特快")]
    assert (late.kind, late.volume_diff, late.revenue_diff_fen) == ("amount_differs", -5, -1)
    differs = [p for p in result.problems if p.code == "reconcile_amount_differs"]
    assert [(p.cell, p.value) for p in differs] == [("E5", "960.00"), ("D8", "55")]
    assert "用邮量 县报 55、系统 60" in differs[1].message and "差 -0.01 元" not in differs[1].message


def test_an_unknown_county_in_the_export_is_a_problem_only_where_the_customer_cannot_be_placed(
    tmp_path, reference
) -> None:
    """机构 “凉山州分公司营业部” names no county: 安宁商贸 is placed by 西昌市's report (and agrees
    within the tolerance), C5134020009 by the archive (会理市, not reported: 县报表漏报); C9999 is
    in neither, so its row is the one problem, at the 机构 cell."""
    office = "凉山州分公司营业部"
    rows = [
        *EXPORT_ROWS[:3],
        ["2026-10", office, "C5134010002", "凉山州安宁商贸有限公司", "快包", 45, 360.00],
        ["2026-10", office, "C5134020009", "会理市某医院", "快包", 4, 32.50],
        ["2026-10", office, "C9999", "某商店", "特快", 1, 1.00],
    ]
    archive = pd.DataFrame({"customer_id": ["C5134020009"], "county": ["会理市"]})
    result, export = _run(_month(tmp_path, export_rows=rows), reference, archive=archive)
    found = result.table[["county", "customer_id", "business_type", "kind"]].values.tolist()
    assert sorted(found) == [
        ["会理市", "C5134020001", "特快", "county_only"],  # 会理市 compared now: the export has none
        ["会理市", "C5134020009", "快包", "system_only"],
        ["西昌市", "C5134010001", "函件", "amount_differs"],
        ["西昌市", "C5134010004", "物流", "county_only"],  # in no export row: a true difference
    ]
    system = [p for p in result.problems if p.code.startswith("system_")]
    assert [(p.code, p.cell, p.value) for p in system] == [("system_county_unknown", "B7", office)]
    assert f"机构“{office}”无法识别" in system[0].message and len(export.rejected) == 1


def test_an_export_row_that_cannot_be_read_is_not_called_missing_from_the_system(tmp_path, reference) -> None:
    """安宁商贸's 快包 row has no 用邮量, 安宁物流's row an unknown 业务种类 (any of its pairs then):
    the rows are problems of the export, not "系统中没有" for 西昌市. A row of another 月份 is read
    and is not this month's: 税务局's 特快 stays 系统中没有."""
    rows = [
        ["2026-11", *EXPORT_ROWS[0][1:]],
        *EXPORT_ROWS[1:3],
        ["2026-10", "西昌市分公司", "C5134010002", "凉山州安宁商贸有限公司", "快包", None, 360.00],
        ["2026-10", "西昌市分公司", "C5134010004", "西昌市安宁物流有限公司", "其他业务", 3, 195.00],
        EXPORT_ROWS[4],
    ]
    result, export = _run(_month(tmp_path, export_rows=rows), reference)
    found = result.table[["customer_id", "business_type", "kind"]].values.tolist()
    assert sorted(found) == [
        ["C5134010001", "函件", "amount_differs"],
        ["C5134010001", "特快", "county_only"],
        ["C5134010003", "特快", "system_only"],
    ]
    invalid = [(p.code, p.cell) for p in result.problems if p.code.startswith("system_")]
    assert invalid == [
        ("system_value_invalid", "A2"),
        ("system_value_invalid", "F5"),
        ("system_value_invalid", "E6"),
    ]
    assert len(export.rejected) == 3


def _figures(result) -> pd.DataFrame:
    """The differences without the file, sheet and rows they were read from."""
    return result.table.drop(columns=["system_file", "system_sheet", "system_rows", "system_cell"])


def test_a_copy_of_the_export_beside_it_is_not_added_again(tmp_path, reference) -> None:
    """“量收系统_2026年10月 - 副本.xlsx” (byte for byte) and the same rows saved as .csv, beside the
    export: each is one warning naming both files; the figures are those of the export alone
    (summed, every system figure would double). The shortest name is the one read."""
    (tmp_path / "whole").mkdir()
    whole, _ = _run(_month(tmp_path / "whole"), reference)
    folder = _month(tmp_path)
    export = folder / SYSTEM_FOLDER / "量收系统_2026年10月.xlsx"
    shutil.copyfile(export, export.with_name("量收系统_2026年10月 - 副本.xlsx"))
    with (folder / SYSTEM_FOLDER / "量收系统_2026年10月_另存.csv").open(
        "w", encoding="utf-8", newline=""
    ) as f:
        csv.writer(f).writerows([EXPORT_HEADER, *EXPORT_ROWS])
    result, read = _run(folder, reference)
    assert result.table.equals(whole.table)  # the file read is the export itself
    assert (read.rows_read, len(read.rejected)) == (6, 1)
    copies = [p for p in result.problems if p.code == "system_file_duplicate"]
    assert [(p.severity, p.county, p.file) for p in copies] == [
        ("warning", "州局", f"{SYSTEM_FOLDER}/量收系统_2026年10月 - 副本.xlsx"),
        ("warning", "州局", f"{SYSTEM_FOLDER}/量收系统_2026年10月_另存.csv"),
    ]
    assert "“量收系统_2026年10月 - 副本.xlsx”与“量收系统_2026年10月.xlsx”的数据行相同" in copies[0].message
    assert "请删除多余的副本" in copies[0].message
    assert [p for p in result.problems if p not in copies] == whole.problems
    assert read.copies == [p.file for p in copies] and len(read.files) == 3
    assert (result.note["files"], result.note["copies"]) == (3, 2)  # the bulletin: 3 received, 2 copies
    assert "copies" not in whole.note
    shown = re.sub(r"\s+", "", render_html("_reconciliation.html", b={"reconciliation": result.note}))
    assert "本月收到量收系统数据3个文件、6行(其中2个与另一文件的数据行相同,是副本,未重复计入)" in shown
    alone = re.sub(r"\s+", "", render_html("_reconciliation.html", b={"reconciliation": whole.note}))
    assert "本月收到量收系统数据1个文件、6行,其中" in alone and "副本" not in alone


def test_an_export_split_into_two_files_is_added_up(tmp_path, reference) -> None:
    """Files with different rows are parts of one export, however alike: read whole."""
    (tmp_path / "whole").mkdir()
    whole, _ = _run(_month(tmp_path / "whole"), reference)
    folder = _month(tmp_path, export_rows=EXPORT_ROWS[:3])
    part = [*EXPORT_ROWS[3:], EXPORT_ROWS[2]]  # the late 函件 bill booked again in the second part
    split = [EXPORT_HEADER, *part]
    with (folder / SYSTEM_FOLDER / "量收系统_2026年10月_2.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(split)
    result, read = _run(folder, reference)
    assert read.rows_read == 7 and not [p for p in result.problems if p.code == "system_file_duplicate"]
    late = result.table.set_index(["customer_id", "business_type"]).loc[("C5134010001", "函件")]
    assert (late.system_revenue_fen, late.system_file) == (
        90000 + 9600 + 9600,
        f"{SYSTEM_FOLDER}/量收系统_2026年10月.xlsx、{SYSTEM_FOLDER}/量收系统_2026年10月_2.csv",
    )
    others = _figures(result).query("business_type != '函件'")
    assert others.reset_index(drop=True).equals(
        _figures(whole).query("business_type != '函件'").reset_index(drop=True)
    )


def test_a_pair_with_one_bill_not_read_is_not_a_difference_against_the_bills_read(
    tmp_path, reference
) -> None:
    """税务局's 函件 is two bills in the export (900.00 and a late 96.00, 960.00 reported); the late
    one's 收入 cannot be read: the system's 函件 figure is partial (900.00), not a 金额不符 of
    -60.00 for 西昌市 to chase. The bad cell is the export's problem, at its cell."""
    rows = [*EXPORT_ROWS[:2], [*EXPORT_ROWS[2][:6], "96,0x"], *EXPORT_ROWS[3:5]]
    result, export = _run(_month(tmp_path, export_rows=rows), reference)
    found = result.table[["customer_id", "business_type", "kind"]].values.tolist()
    assert sorted(found) == [["C5134010003", "特快", "system_only"], ["C5134010004", "物流", "county_only"]]
    assert [(p.code, p.cell) for p in result.problems if p.code.startswith("system_")] == [
        ("system_value_invalid", "G4")
    ]
    assert ("C5134010001", "函件") in export.unread
