"""Builders of real county workbooks for tests (openpyxl), in the template's shape by default."""

from __future__ import annotations

import struct
from pathlib import Path

from openpyxl import Workbook

from pipeline.ingest.sheets import ARCHIVE_HEADER, CASE_HEADER, USAGE_HEADER, VISIT_HEADER

ROWS = [
    # 客户编号, 客户名称, 业务种类, 用邮量, 收入(元), 客户经理, 揽收类型
    ["C5134010001", "西昌市税务局", "特快", 120, 2160.50, "陆浩", "存量"],
    ["C5134010001", "西昌市税务局", "函件", 800, 960.00, "陆浩", "存量"],
    ["C5134010002", "凉山州安宁商贸有限公司", "快包", 45, 360.25, "陆浩", "新揽收"],
]


def county_workbook(
    path: Path,
    *,
    month: str = "2026-10",
    county: str = "西昌市",
    rows: list[list] | None = None,
    header: list[str] | None = None,
    report_date: str | None = "2026年11月2日",
    total: bool | list = True,
    title_month: str | None = None,
    sheet: str = "用邮情况",
    archive: list[list] | None = None,
    visits: list[list] | None = None,
    cases: list[list] | None = None,
) -> Path:
    """A county workbook: title, 填报单位/填报日期 line, header, rows, 合计, footer; a 投诉查询理赔
    sheet only where `cases` is given."""
    rows = ROWS if rows is None else rows
    header = header or USAGE_HEADER
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    shown = title_month or month
    ws.append([f"凉山州邮政大客户用邮情况月报({shown[:4]}年{int(shown[5:])}月)"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append([f"填报单位:{county}邮政分公司", None, None, None, f"填报日期:{report_date or ''}"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    if total is True:
        volume = sum(float(r[3]) for r in rows if isinstance(r[3], (int, float)))
        revenue = sum(float(r[4]) for r in rows if isinstance(r[4], (int, float)))
        ws.append(["合计", None, None, volume, round(revenue, 6), None, None])
    elif isinstance(total, list):
        ws.append(total)
    ws.append([])
    ws.append(["填表人:陆浩", None, "审核人:李华", None, "联系电话:0834-2222222"])
    sheet_archive = wb.create_sheet("客户档案")
    sheet_archive.append(ARCHIVE_HEADER)
    for row in archive or []:
        sheet_archive.append(row)
    sheet_visits = wb.create_sheet("走访记录")
    sheet_visits.append(VISIT_HEADER)
    for row in visits or []:
        sheet_visits.append(row)
    if cases is not None:
        sheet_cases = wb.create_sheet("投诉查询理赔")
        sheet_cases.append(CASE_HEADER)
        for row in cases:
            sheet_cases.append(row)
    wb.save(path)
    return path


def legacy_xls(path: Path, rows: list[list], below: dict[tuple[int, int], object]) -> Path:
    """A county workbook as old Excel or WPS saves it (.xls, BIFF8): the template's title, 填报
    line and header, `rows` from the fourth row, and `below` {(row, column): value}, 0-based."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("用邮情况")
    sheet.write_merge(0, 0, 0, 6, "凉山州邮政大客户用邮情况月报(2026年10月)")
    sheet.write(1, 0, "填报单位:西昌市邮政分公司")
    sheet.write(1, 4, "填报日期:2026年11月3日")
    for j, title in enumerate(USAGE_HEADER):
        sheet.write(2, j, title)
    for i, row in enumerate(rows, start=3):
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    for (i, j), value in below.items():
        sheet.write(i, j, value)
    book.save(str(path))
    return path


def locked_xls(path: Path) -> Path:
    """`path` (an .xls) as Excel saves it with a password to open: a FILEPASS record (RC4,
    [MS-XLS] 2.4.117) right after the workbook's BOF. Nothing installed here writes an encrypted
    .xls, so the record is put in place of the records that follow BOF, the stream's size kept."""
    import olefile

    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = "Workbook" if ole.exists("Workbook") else "Book"
        data = ole.openstream(stream).read()
        records, at = [], 0
        while at < len(data) and len(records) < 8:
            kind, size = struct.unpack("<HH", data[at : at + 4])
            records.append((kind, size, at))
            at += 4 + size
        after_bof = 4 + records[0][1]
        write_access = next(r for r in records if r[0] == 0x5C)  # the 4th record, 112 bytes
        span = write_access[2] + 4 + write_access[1] - after_bof
        filepass = struct.pack("<HHHHH", 0x2F, 54, 1, 1, 1) + bytes(48)
        filler = span - len(filepass) - 4
        replaced = filepass + struct.pack("<HH", 0x5C, filler) + b" " * filler
        ole.write_stream(stream, data[:after_bof] + replaced + data[after_bof + span :])
    return path


def archive_row(**fields: object) -> list:
    """One 大客户档案 row in the template's column order, from {header: value}; the rest blank
    but 企业性质 (民营企业), 行业合作伙伴 (否), 客户经理 (陆浩) and 县级重点客户 (否)."""
    row = {"企业性质": "民营企业", "行业合作伙伴": "否", "客户经理": "陆浩", "县级重点客户": "否", **fields}
    return [row.get(title, "") for title in ARCHIVE_HEADER]
