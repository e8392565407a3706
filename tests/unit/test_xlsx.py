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
