"""`kac template`'s workbooks on real files: number checks, the county's managers as a dropdown,
last month's customers filled in, widths; and the reader accepts a template filled in."""

from __future__ import annotations

import html
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.sheets import USAGE_HEADER
from pipeline.ingest.template import LISTS_SHEET, _dropdown, write_templates

MONTH = "2026-11"
# last month's accepted usage (usage.parquet's columns that the template uses), two counties
PREVIOUS = pd.DataFrame(
    {
        "month": "2026-10",
        "county": ["西昌市", "西昌市", "西昌市", "会东县"],
        "customer_id": ["C5134010002", "C5134010001", "C5134010001", "C5134260001"],
        "customer_name": ["凉山州安宁商贸有限公司", "西昌市税务局", "西昌市税务局", "会东县人民医院"],
        "business_type": ["快包", "函件", "特快", "特快"],
        "manager_id": ["M008", "M008", "M999", "M020"],
    }
)


def _template(tmp_path, previous=PREVIOUS):
    (path,) = write_templates(reference_of(), MONTH, tmp_path, previous, counties=["西昌市"])
    return path


def reference_of():
    from pipeline.core.layout import REPO
    from pipeline.ingest.reference import Reference

    return Reference.load(REPO / "inputs" / "reference")


def _validations(ws) -> dict[str, object]:
    return {str(dv.sqref).split(":")[0][:1]: dv for dv in ws.data_validations.dataValidation}


def test_numbers_are_checked_and_managers_are_the_countys_roster(tmp_path, reference) -> None:
    ws = load_workbook(_template(tmp_path))["用邮情况"]
    rules = _validations(ws)
    assert (rules["D"].type, rules["D"].operator, rules["D"].formula1) == ("whole", "greaterThanOrEqual", "0")
    assert (rules["E"].type, rules["E"].operator, rules["E"].formula1) == (
        "decimal",
        "greaterThanOrEqual",
        "0",
    )
    assert rules["E"].showErrorMessage and "不小于 0" in rules["E"].error and "收入" in rules["E"].error
    assert str(rules["D"].sqref) == "D4:D2004"
    roster = reference.managers_active_in(MONTH)
    # the county's managers, then the 州局's, who keep accounts in every county (the reader takes both)
    own = roster[roster.county == "xichang"].sort_values("manager_id").name.tolist()
    prefecture = roster[roster.county == "zhouju"].sort_values("manager_id").name.tolist()
    assert rules["F"].formula1.strip('"').split(",") == own + prefecture
    assert "陆浩" in own and "赵明" in prefecture
    assert "特快" in rules["C"].formula1 and "新揽收" in rules["G"].formula1
    archive, visits, cases = (
        load_workbook(_template(tmp_path))[s] for s in ("客户档案", "走访记录", "投诉查询理赔")
    )
    assert "陆浩" in _validations(archive)["L"].formula1 and "陆浩" in _validations(visits)["C"].formula1
    # 关键联系人生日 is a text column: 03-15 typed there stays 03-15, not a date of this year
    assert archive["P1"].value == "关键联系人生日" and archive.column_dimensions["P"].number_format == "@"
    assert _validations(cases)["G"].type == "decimal"
    claim = _validations(cases)["G"].error
    assert "理赔金额" in claim and "非理赔案件留空" in claim and "用邮" not in claim


def test_last_months_customers_are_filled_in_without_figures(tmp_path) -> None:
    ws = load_workbook(_template(tmp_path))["用邮情况"]
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert rows == [
        ["C5134010001", "西昌市税务局", "特快", None, None, None, "存量"],  # M999 not on the roster
        ["C5134010001", "西昌市税务局", "函件", None, None, "陆浩", "存量"],
        ["C5134010002", "凉山州安宁商贸有限公司", "快包", None, None, "陆浩", "存量"],
    ]
    assert [c.value for c in ws[3]] == USAGE_HEADER


def test_without_last_months_usage_nothing_is_filled_in(tmp_path) -> None:
    ws = load_workbook(_template(tmp_path, previous=None))["用邮情况"]
    assert ws.max_row == 3


def test_every_sheet_has_widths_fitting_its_headers(tmp_path) -> None:
    wb = load_workbook(_template(tmp_path))
    assert wb.sheetnames == ["用邮情况", "客户档案", "走访记录", "投诉查询理赔", "工作进展"]
    for ws in wb:
        header = ws[3] if ws.title == "用邮情况" else ws[1]
        for cell in header:
            if cell.value is None:
                continue
            width = ws.column_dimensions[cell.column_letter].width
            assert width >= 2 * len(str(cell.value)), (ws.title, cell.value, width)
    assert wb["用邮情况"].column_dimensions["B"].width >= 30
    assert wb["工作进展"].column_dimensions["B"].width >= 60


def test_a_long_list_goes_to_a_hidden_sheet(tmp_path) -> None:
    wb = Workbook()
    ws = wb.active
    values = [f"客户经理{i:03d}" for i in range(60)]
    _dropdown(ws, "F", values, 4)
    (rule,) = ws.data_validations.dataValidation
    assert rule.formula1 == f"'{LISTS_SHEET}'!$A$1:$A$60"
    assert wb[LISTS_SHEET].sheet_state == "hidden" and wb[LISTS_SHEET]["A60"].value == "客户经理059"


def _read(tmp_path, reference):
    files, _ = county_files(tmp_path, reference)
    return ingest_county("xichang", MONTH, files["xichang"], reference)


def test_the_reader_accepts_a_filled_in_template_unchanged(tmp_path, reference) -> None:
    path = _template(tmp_path)
    wb = load_workbook(path)
    ws = wb["用邮情况"]
    ws["E2"] = "填报日期:2026年12月2日"
    for row, (volume, revenue) in zip(range(4, 7), ((120, 2160.5), (800, 960), (0, 0)), strict=True):
        ws[f"D{row}"], ws[f"E{row}"] = volume, revenue
    ws["F4"] = "陆浩"  # the manager no longer on the roster: the county picks one
    ws.append(["C5134010003", "西昌市新客户", "物流", 3, 450, "夏志强", "新揽收"])
    wb.save(path)
    intake = _read(tmp_path, reference)
    assert [(p.code, p.cell) for p in intake.problems] == []
    assert intake.status == "on_time"
    assert list(intake.usage.volume) == [120, 800, 0, 3]
    assert list(intake.usage.revenue_fen) == [216050, 96000, 0, 45000]
    assert list(intake.usage.manager_id) == ["M008", "M008", "M008", "M009"]


@pytest.mark.parametrize(
    "typed",
    ["2026年12月2日", "2026-12-02", __import__("datetime").datetime(2026, 12, 2)],
    ids=["text", "iso", "a date cell"],
)
def test_the_report_date_typed_beside_its_label_is_read(tmp_path, reference, typed) -> None:
    """The template's E2 holds the label alone: a county types the date in F2. Its month (the
    month after the report's) is not the title's, and the workbook is on time, not undated."""
    path = _template(tmp_path)
    wb = load_workbook(path)
    ws = wb["用邮情况"]
    ws["F2"] = typed
    for row in range(4, 7):
        ws[f"D{row}"], ws[f"E{row}"] = 1, 1
    ws["F4"] = "陆浩"
    wb.save(path)
    intake = _read(tmp_path, reference)
    assert [(p.code, p.cell) for p in intake.problems] == []
    assert intake.report_date == "2026-12-02" and intake.status == "on_time"


def test_an_impossible_report_date_is_no_date(tmp_path, reference) -> None:
    path = _template(tmp_path)
    wb = load_workbook(path)
    wb["用邮情况"]["E2"] = "填报日期:2026年2月30日"
    wb.save(path)
    intake = _read(tmp_path, reference)
    assert intake.report_date == "" and ("report_date_missing", "") in [
        (p.code, p.cell) for p in intake.problems
    ]


def test_a_countys_customers_come_from_its_last_accepted_month(tmp_path) -> None:
    """A county not accepted last month is filled in from the month before (not left empty);
    every county from the latest month that has its rows."""
    from pipeline.ingest.template import latest_accepted_usage

    for month, rows in (("2026-09", PREVIOUS), ("2026-10", PREVIOUS[PREVIOUS.county == "西昌市"])):
        (tmp_path / month).mkdir()
        rows.assign(month=month).to_parquet(tmp_path / month / "usage.parquet")
    usage, used = latest_accepted_usage(
        lambda m: tmp_path / m / "usage.parquet", MONTH, ["西昌市", "会东县", "布拖县"]
    )
    assert used == {"西昌市": "2026-10", "会东县": "2026-09"}  # 布拖县: nothing in twelve months
    assert sorted(usage.customer_id) == sorted(PREVIOUS.customer_id)
    (path,) = write_templates(reference_of(), MONTH, tmp_path / "out", usage, counties=["会东县"])
    ws = load_workbook(path)["用邮情况"]
    assert [r[0] for r in ws.iter_rows(min_row=4, values_only=True)] == ["C5134260001"]


def test_a_namesake_who_left_does_not_make_the_new_manager_ambiguous(tmp_path, reference) -> None:
    """Two 刘勇 on the roster: one left before the month, one joined. The one employed in the
    month is meant; in a month both were employed the name is not guessed."""
    roster = reference.managers
    old = roster[roster.county == "xichang"].iloc[0]
    joined = old.copy()
    joined["manager_id"], joined["active_from"], joined["active_to"] = "M900", "2026-10-01", ""
    ref = __import__("dataclasses").replace(
        reference,
        managers=pd.concat(
            [
                roster.assign(
                    active_to=roster.active_to.where(roster.manager_id != old.manager_id, "2026-09-30")
                ),
                joined.to_frame().T,
            ],
            ignore_index=True,
        ),
    )
    assert ref.resolve_manager(old["name"], "xichang", "2026-11") == "M900"
    assert ref.resolve_manager(old["name"], "xichang", "2026-08") == old.manager_id
    assert ref.resolve_manager(old["name"], "xichang") is None  # no month: not guessed
    assert ref.resolve_manager("M900", "xichang", "2026-08") == "M900"  # a 工号 is always read


def test_an_untouched_prefilled_template_gives_row_problems(tmp_path, reference) -> None:
    _template(tmp_path)
    intake = _read(tmp_path, reference)
    problems = [(p.code, p.cell) for p in intake.problems]
    assert problems == [
        ("report_date_missing", ""),
        ("required_missing", "F4"),
        ("required_missing", "D4"),
        ("required_missing", "E4"),
        ("required_missing", "D5"),
        ("required_missing", "E5"),
        ("required_missing", "D6"),
        ("required_missing", "E6"),
    ]
    assert intake.rows_read == 3 and intake.usage.empty
    assert intake.status != "rejected"


@pytest.mark.parametrize("county", ["会东县"])
def test_each_county_gets_its_own_customers(tmp_path, county) -> None:
    (path,) = write_templates(reference_of(), MONTH, tmp_path, PREVIOUS, counties=[county])
    ws = load_workbook(path)["用邮情况"]
    assert [r[0] for r in ws.iter_rows(min_row=4, values_only=True)] == ["C5134260001"]


def test_a_name_that_looks_like_a_formula_is_filled_in_as_text(tmp_path, reference) -> None:
    """A name accepted last month as the county typed it (=HYPERLINK(…)) is written as a string
    cell: no formula in the sheet's XML, and the reader gets the same text back."""
    hostile = '=HYPERLINK("http://evil.example","点此")'
    previous = PREVIOUS.assign(customer_name=[hostile, "+86 税务局", "西昌市税务局", "会东县人民医院"])
    path = _template(tmp_path, previous)
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    cell = html.unescape(re.search(r'<c r="B6"[^>]*>(.*?)</c>', sheet).group(1))  # &#28857; → 点
    assert cell == '<is><t>=HYPERLINK("http://evil.example","点此")</t></is>'  # a string, not <f>
    ws = load_workbook(path)["用邮情况"]
    assert [(c.value, c.data_type) for c in ws["B"][3:]] == [
        ("西昌市税务局", "s"),
        ("+86 税务局", "s"),
        (hostile, "s"),
    ]
    assert ws["B5"].quotePrefix and ws["B6"].quotePrefix and not ws["B4"].quotePrefix
    wb = load_workbook(path)
    ws = wb["用邮情况"]
    ws["E2"] = "填报日期:2026年12月2日"
    for row in range(4, 7):
        ws[f"D{row}"], ws[f"E{row}"], ws[f"F{row}"] = 1, 1, "陆浩"
    wb.save(path)
    assert list(_read(tmp_path, reference).usage.customer_name) == ["西昌市税务局", "+86 税务局", hostile]
