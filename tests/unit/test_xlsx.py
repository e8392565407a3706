"""Workbooks the product writes: text that looks like a formula stays text; bytes are stable."""

from datetime import datetime

from openpyxl import load_workbook

from pipeline.render.xlsx import write_sheets


def test_cells_never_become_formulas_and_bytes_repeat(tmp_path):
    rows = [['=HYPERLINK("http://x")', "+86 138", "-5", "@SUM(A1)", "正常客户", 12.5]]
    stamp = datetime(2026, 11, 4, 8, 0)
    first = write_sheets(
        tmp_path / "a.xlsx", {"西昌市": (["名称", "电话", "备注", "说明", "客户", "金额"], rows)}, stamp
    )
    second = write_sheets(
        tmp_path / "b.xlsx", {"西昌市": (["名称", "电话", "备注", "说明", "客户", "金额"], rows)}, stamp
    )
    assert first.read_bytes() == second.read_bytes()
    sheet = load_workbook(first)["西昌市"]
    cells = [sheet.cell(row=2, column=c) for c in range(1, 7)]
    assert [c.data_type for c in cells[:5]] == ["s"] * 5
    assert cells[0].value == '=HYPERLINK("http://x")'
    assert cells[5].value == 12.5


def test_a_reproducible_workbook_reads_back_with_its_stamp_whichever_xml_writer_openpyxl_uses(tmp_path):
    """The save time is replaced by the stamp in docProps/core.xml; the part stays well-formed
    XML (lxml declares its namespaces on the element a text substitution would replace)."""
    from openpyxl import Workbook

    from pipeline.render.xlsx import save_reproducible

    stamp = datetime(2026, 11, 1)
    paths = [tmp_path / "a.xlsx", tmp_path / "b.xlsx"]
    for path in paths:
        wb = Workbook()
        wb.active["A1"] = "会东县"
        save_reproducible(wb, path, stamp)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    back = load_workbook(paths[0])
    assert (back.properties.created, back.properties.modified) == (stamp, stamp)
    assert back.active["A1"].value == "会东县"


def test_a_share_without_a_total_is_a_blank_cell(tmp_path):
    """A share of a month with no revenue is NaN in the tables: blank in a workbook, not an error."""
    stamp = datetime(2026, 11, 4, 8, 0)
    path = write_sheets(tmp_path / "a.xlsx", {"月份": (["月份", "占比"], [["2025-01", float("nan")]])}, stamp)
    assert [c.value for c in load_workbook(path)["月份"][2]] == ["2025-01", None]
