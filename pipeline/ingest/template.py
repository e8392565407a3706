"""Blank county workbooks to send out: the template the reader expects, with dropdowns."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.core.months import chinese_month
from pipeline.ingest.reference import Reference
from pipeline.ingest.sheets import ARCHIVE_HEADER, CASE_HEADER, USAGE_HEADER, VISIT_HEADER
from pipeline.render.pdf import document_time
from pipeline.render.xlsx import save_reproducible

ROWS = 2000  # rows covered by the dropdowns


def _dropdown(ws, column: str, values: list[str], first_row: int) -> None:
    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="取值无效",
        error="请从下拉列表中选择",
    )
    ws.add_data_validation(rule)
    rule.add(f"{column}{first_row}:{column}{first_row + ROWS}")


def template_workbook(ref: Reference, month: str, county: str) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "用邮情况"
    ws.append([f"凉山州邮政大客户用邮情况月报({chinese_month(month)})"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(USAGE_HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位:{county}邮政分公司", None, None, None, "填报日期:"])
    ws.append(USAGE_HEADER)
    _dropdown(ws, "C", ref.business_order, 4)
    _dropdown(ws, "G", list(ref.aliases["values"]["collection"]), 4)
    for column, width in zip("ABCDEFG", (14, 30, 10, 10, 12, 10, 10), strict=True):
        ws.column_dimensions[column].width = width
    archive = wb.create_sheet("客户档案")
    archive.append(ARCHIVE_HEADER)
    _dropdown(archive, "F", ref.aliases["values"]["natures"]["names"], 2)
    _dropdown(archive, "G", ["是", "否"], 2)
    _dropdown(archive, "M", ["是", "否"], 2)
    visits = wb.create_sheet("走访记录")
    visits.append(VISIT_HEADER)
    _dropdown(visits, "D", list(ref.aliases["values"]["visit_method"]), 2)
    cases = wb.create_sheet("投诉查询理赔")  # optional: left empty in a month without cases
    cases.append(CASE_HEADER)
    _dropdown(cases, "C", list(ref.aliases["values"]["case_type"]), 2)
    _dropdown(cases, "D", ref.business_order, 2)
    return wb


def write_templates(ref: Reference, month: str, folder: Path) -> list[Path]:
    paths = []
    for name in ref.county_names.values():
        path = folder / f"{name}_{chinese_month(month)}_大客户用邮情况.xlsx"
        save_reproducible(
            template_workbook(ref, month, name), path, document_time(month, 1).replace(tzinfo=None)
        )
        paths.append(path)
    return paths
