"""工作进展 (the counties' monthly progress report): read from the county workbook, compiled into
the 信息参考 as a short section per county, escaped."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine
from pipeline.ingest.sheets import PROGRESS_HEADER
from pipeline.publish.bulletin import PROGRESS_CHARS, progress_section
from pipeline.render.pdf import render_html
from tests.workbooks import county_workbook

MONTH = "2026-10"
SCRIPT = "<script>alert('领导')</script> & 其他"


def _with_progress(path, rows, title="工作进展"):
    wb = load_workbook(path)
    ws = wb.create_sheet(title)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _intake(folder, reference, county="xichang"):
    files, _ = county_files(folder, reference)
    return ingest_county(county, MONTH, files[county], reference)


def test_progress_rows_are_read_with_their_cells(tmp_path, reference) -> None:
    path = county_workbook(tmp_path / "西昌市.xlsx")
    _with_progress(
        path,
        [
            PROGRESS_HEADER,
            ["工作进展", "走访州级大客户 12 户,\n新揽收 2 户"],
            ["存在的问题", SCRIPT],
            ["需协调事项", None],  # a label left empty: nothing to say
        ],
    )
    intake = _intake(tmp_path, reference)
    assert intake.problems == []
    assert [(r["item"], r["text"], r["source_row"]) for r in intake.progress] == [
        ("工作进展", "走访州级大客户 12 户,\n新揽收 2 户", 2),
        ("存在问题", SCRIPT, 3),  # kept as written: escaped where it is shown
    ]
    table = combine([intake]).progress
    assert list(table.columns) == ["county", "item", "text", "source_file", "source_row"]
    assert set(table.county) == {"西昌市"} and set(table.source_file) == {"西昌市.xlsx"}


def test_a_progress_text_that_is_a_formula_without_its_result_is_a_warning_at_its_cell(
    tmp_path, reference
) -> None:
    """A text that every reader sees blank (a formula a program saved without its result) would
    leave the item out of the 信息参考 unsaid: it is a warning at its cell, with the formula."""
    path = county_workbook(tmp_path / "西昌市.xlsx")
    _with_progress(
        path,
        [
            PROGRESS_HEADER,
            ["工作进展", '=CONCATENATE("走访","12户")'],
            ["存在问题", "人手不足"],
            ["需协调事项", None],
        ],
    )
    intake = _intake(tmp_path, reference)
    assert [(p.code, p.sheet, p.cell, p.value, p.severity) for p in intake.problems] == [
        ("progress_formula_without_value", "工作进展", "B2", '=CONCATENATE("走访","12户")', "warning")
    ]
    assert "未能收录" in intake.problems[0].message
    assert [(r["item"], r["text"]) for r in intake.progress] == [("存在问题", "人手不足")]


def test_three_columns_layout_and_an_unknown_label(tmp_path, reference) -> None:
    path = county_workbook(tmp_path / "西昌市.xlsx")
    _with_progress(
        path,
        [["工作进展", "存在问题", "需协调事项"], ["完成季度走访", "人手不足", "请州局协调车辆"]],
        title="工作进展及存在的问题",
    )
    intake = _intake(tmp_path, reference)
    assert [(r["item"], r["text"]) for r in intake.progress] == [
        ("工作进展", "完成季度走访"),
        ("存在问题", "人手不足"),
        ("需协调事项", "请州局协调车辆"),
    ]
    other = tmp_path / "other"
    other.mkdir()
    _with_progress(county_workbook(other / "西昌市.xlsx"), [["项目", "内容"], ["下月计划", "走访"]])
    intake = _intake(other, reference)
    assert [(p.code, p.sheet, p.cell, p.value) for p in intake.problems] == [
        ("value_unrecognised", "工作进展", "A2", "下月计划")
    ]
    assert intake.progress == []


def test_the_ways_clerks_write_the_items_are_read_and_no_text_vanishes(tmp_path, reference) -> None:
    """The label and its text in one cell (工作进展:…, 需协调事项 请…), a label with a colon, a
    label alone with its text below; item columns beside one that is no item (其他): its
    texts are said at their cells, the header row is never read as a text."""
    path = county_workbook(tmp_path / "西昌市.xlsx")
    _with_progress(
        path,
        [
            ["工作进展:与县医保局签订协议"],
            ["存在问题:", "揽投人手不足"],
            ["需协调事项 请州局协调车辆"],
            ["工作进展"],
            ["新揽收 2 户"],
        ],
    )
    intake = _intake(tmp_path, reference)
    assert intake.problems == []
    assert [(r["item"], r["text"], r["source_row"]) for r in intake.progress] == [
        ("工作进展", "与县医保局签订协议\n新揽收 2 户", 1),
        ("存在问题", "揽投人手不足", 2),
        ("需协调事项", "请州局协调车辆", 3),
    ]
    other = tmp_path / "other"
    other.mkdir()
    rows = [
        ["工作进展", "存在问题", "需协调事项", "其他"],
        ["完成季度走访", "人手不足", "请协调车辆", "另:下月培训"],
    ]
    _with_progress(county_workbook(other / "西昌市.xlsx"), rows)
    intake = _intake(other, reference)
    assert [(r["item"], r["text"]) for r in intake.progress] == [
        ("工作进展", "完成季度走访"),
        ("存在问题", "人手不足"),
        ("需协调事项", "请协调车辆"),
    ]
    assert [(p.code, p.cell, p.value) for p in intake.problems] == [
        ("value_unrecognised", "D1", "其他"),
        ("value_unrecognised", "D2", "另:下月培训"),
    ]


def test_a_title_a_serial_column_and_the_footer_are_no_texts(tmp_path, reference) -> None:
    """A title above the items, a 需协调事项 left empty above the 填表人 footer, a 序号 column beside
    the item columns: nothing of them is read as a text, nor said as one."""
    path = county_workbook(tmp_path / "西昌市.xlsx")
    rows = [
        ["西昌市大客户中心2026年10月工作进展"],
        ["工作进展", "走访 12 户"],
        ["需协调事项"],
        [],
        ["填表人:张三 电话:13812345678"],
    ]
    _with_progress(path, rows)
    intake = _intake(tmp_path, reference)
    assert intake.problems == []
    assert [(r["item"], r["text"]) for r in intake.progress] == [("工作进展", "走访 12 户")]
    other = tmp_path / "other"
    other.mkdir()
    rows = [["序号", "工作进展", "存在问题", "需协调事项"], [1, "完成季度走访", "人手不足", "请协调车辆"]]
    _with_progress(county_workbook(other / "西昌市.xlsx"), rows)
    intake = _intake(other, reference)
    assert intake.problems == [] and len(intake.progress) == 3


def test_no_progress_sheet_is_no_problem(tmp_path, reference) -> None:
    county_workbook(tmp_path / "西昌市.xlsx")
    intake = _intake(tmp_path, reference)
    assert intake.problems == [] and intake.progress == []


def _section(reference, progress_rows):
    submissions = pd.DataFrame(
        {
            "county": list(reference.county_names.values()),
            "status": ["rejected" if n == "甘洛县" else "on_time" for n in reference.county_names.values()],
        }
    )
    progress = pd.DataFrame(progress_rows, columns=["county", "item", "text"])
    return progress_section(progress, submissions, reference)


def test_section_per_county_with_the_missing_marked(reference) -> None:
    long = "甲" * 100
    section = _section(
        reference,
        [["会东县", "存在问题", SCRIPT], ["西昌市", "工作进展", long], ["西昌市", "需协调事项", "车辆"]],
    )
    assert [r["county"] for r in section["rows"]] == ["西昌市", "会东县"]  # the counties' order
    xichang = section["rows"][0]["entries"]
    assert [(i["label"], i["text"]) for i in xichang] == [
        ("进展", "甲" * (PROGRESS_CHARS - 1) + "…"),
        ("需协调", "车辆"),
    ]
    assert section["shortened"] and section["table"] == "progress.csv"
    assert "甘洛县" in section["rejected"] and "甘洛县" not in section["none"]
    assert len(section["none"]) == len(reference.county_names) - 3


def test_section_html_is_escaped(reference) -> None:
    section = _section(reference, [["会东县", "存在问题", "<script>alert('x')</script>&"]])
    html = render_html("_progress.html", b={"progress": section, "month": MONTH})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;" in html
    assert "未报送:" in html and "报表退回(未采用):" in html and "progress.csv" not in html


def test_phone_numbers_in_the_texts_are_masked(reference) -> None:
    """The 信息参考 goes to the site (files/…) as well as to the leadership: its texts show a
    phone number as 139****5678, the rest as written; progress.csv keeps the full text."""
    section = _section(
        reference,
        [
            ["西昌市", "工作进展", "联系人王主任 13912345678,已对接"],
            ["西昌市", "需协调事项", "回电0834-3221234\n或 139 1234\n5678"],
            ["会东县", "存在问题", "2026-10-08 起车辆不足"],
        ],
    )
    xichang, huidong = section["rows"]
    assert [(i["label"], i["text"]) for i in xichang["entries"]] == [
        ("进展", "联系人王主任 139****5678,已对接"),
        ("需协调", "回电083*-***1234 或 139 **** 5678"),
    ]
    assert [(i["label"], i["text"]) for i in huidong["entries"]] == [("问题", "2026-10-08 起车辆不足")]
