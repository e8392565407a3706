"""Hostile files become problems, never a hang, a crash or unbounded memory."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from tests.workbooks import county_workbook

MONTH = "2026-10"
BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def rewrite_sheet(source: Path, target: Path, edit) -> Path:
    """Copy an .xlsx, passing the first worksheet's XML through `edit` (Chinese text as
    characters: the XML writer may have written them as character references)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(_characters(data.decode("utf-8"))).encode("utf-8")
            dst.writestr(info.filename, data)
    return target


def _characters(xml: str) -> str:
    return re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))) if int(m.group(1)) > 127 else m.group(0), xml)


def intake(folder: Path, reference):
    files, _ = county_files(folder, reference)
    return ingest_county("xichang", MONTH, files.get("xichang", []), reference)


def test_xml_entity_bomb_is_refused(tmp_path, reference):
    clean = county_workbook(tmp_path / "clean.xlsx")
    (tmp_path / "in").mkdir()
    rewrite_sheet(
        clean,
        tmp_path / "in" / "西昌市.xlsx",
        lambda xml: BILLION_LAUGHS + xml.replace("客户编号", "&lol9;", 1),
    )
    assert (
        "&lol9;" in zipfile.ZipFile(tmp_path / "in" / "西昌市.xlsx").read("xl/worksheets/sheet1.xml").decode()
    )
    result = intake(tmp_path / "in", reference)
    assert result.status == "rejected"
    assert [p.code for p in result.problems] == ["file_unreadable"]


def test_zip_bomb_is_refused_before_unpacking(tmp_path, reference):
    clean = county_workbook(tmp_path / "clean.xlsx")
    (tmp_path / "in").mkdir()
    padding = " " * (20 * 2**20)  # 20 MB of blanks packs to a few KB
    rewrite_sheet(
        clean,
        tmp_path / "in" / "西昌市.xlsx",
        lambda xml: xml.replace("<sheetData>", "<sheetData>" + padding, 1),
    )
    result = intake(tmp_path / "in", reference)
    assert result.status == "rejected"
    assert [p.code for p in result.problems] == ["file_too_large"]
    assert "压缩比异常" in result.problems[0].message


def test_a_200_mb_file_is_refused_unread(tmp_path, reference):
    with (tmp_path / "西昌市.xlsx").open("wb") as f:
        f.truncate(200 * 2**20)  # sparse: 200 MB on paper, nothing to read
    result = intake(tmp_path, reference)
    assert [p.code for p in result.problems] == ["file_too_large"]
    assert "200 MB" in result.problems[0].message


def test_many_empty_formatted_rows_are_skipped(tmp_path, reference):
    clean = county_workbook(tmp_path / "clean.xlsx", total=False)
    (tmp_path / "in").mkdir()
    empties = "".join(
        f'<row r="{i}"><c r="A{i}" s="0"/><c r="G{i}" s="0"/></row>' for i in range(20, 300_020)
    )
    rewrite_sheet(
        clean,
        tmp_path / "in" / "西昌市.xlsx",
        lambda xml: xml.replace("</sheetData>", empties + "</sheetData>", 1),
    )
    result = intake(tmp_path / "in", reference)
    assert result.status == "on_time"
    assert list(result.usage.volume) == [120, 800, 45]


def test_a_number_too_large_for_a_float_is_a_problem_at_its_cell(tmp_path, reference):
    clean = county_workbook(tmp_path / "clean.xlsx", total=False)
    (tmp_path / "in").mkdir()
    rewrite_sheet(
        clean,
        tmp_path / "in" / "西昌市.xlsx",
        lambda xml: xml.replace('<c r="E5" t="n"><v>960</v>', '<c r="E5" t="n"><v>1E999</v>', 1),
    )
    result = intake(tmp_path / "in", reference)  # read as inf by openpyxl
    assert [(p.code, p.cell, p.value) for p in result.problems] == [("amount_invalid", "E5", "inf")]
    assert list(result.usage.revenue_fen) == [216050, 36025]
