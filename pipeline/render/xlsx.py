"""Writing workbooks: reproducible bytes, and cells that can never become formulas."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from pipeline.core.files import atomic_write, replacing

if TYPE_CHECKING:
    import xlsxwriter

    from pipeline.render.pool import HelperOnDemand

Sheets = dict[str, tuple[list[str], list[list]]]  # sheet title -> (headers, rows)


def save_reproducible(wb: Workbook, path: Path, stamp: datetime) -> None:
    """Save so that the same workbook content always gives the same bytes (`reproducible_bytes`)."""
    atomic_write(path, reproducible_bytes(wb, stamp))


def reproducible_bytes(wb: Workbook, stamp: datetime) -> bytes:
    """The workbook's bytes, the same for the same content.

    openpyxl stamps the save time into docProps/core.xml and the zip entries; both are
    replaced by `stamp` (derived from the data's month, not from the clock). The properties are
    serialised by openpyxl itself, as it does on save: a text substitution would drop the
    namespaces that lxml declares on the element.
    """
    wb.properties.creator = "凉山州邮政局大客户中心"
    wb.properties.created = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == ARC_CORE:  # openpyxl stamped the save time: serialised again
                wb.properties.modified = stamp
                data = tostring(wb.properties.to_tree())
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def write_sheets(
    path: Path, sheets: Sheets, stamp: datetime, number_formats: dict[str, dict[int, str]] | None = None
) -> Path:
    """A workbook of plain tables (Chinese headers, bold header row); text never becomes a formula;
    `number_formats`: sheet title → column index → Excel number format (money as 1,234.50).

    Written with XlsxWriter (several times faster than openpyxl for plain tables, which matters
    for the site's downloads): strings stay strings, and with a fixed creation date and the
    library's fixed zip timestamps the same tables always give the same bytes.
    """
    import xlsxwriter

    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with replacing(path) as tmp:
        _write_workbook(xlsxwriter.Workbook(str(tmp), options), sheets, stamp, number_formats)
    return path


def _write_workbook(
    wb: xlsxwriter.Workbook, sheets: Sheets, stamp: datetime, number_formats: dict[str, dict[int, str]] | None
) -> None:
    wb.set_properties({"author": "凉山州邮政局大客户中心", "created": stamp})
    bold = wb.add_format({"bold": True})
    for name, (headers, rows) in sheets.items():
        ws = wb.add_worksheet(_sheet_title(name))
        for column, number_format in (number_formats or {}).get(name, {}).items():
            ws.set_column(column, column, None, wb.add_format({"num_format": number_format}))
        ws.write_row(0, 0, headers, bold)
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, [_cell(v) for v in row])
        ws.freeze_panes(1, 0)
    wb.close()


def _cell(value: object) -> object:
    """A value as its cell: nothing (None, NaN: a share of a month with no revenue) is blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


# Many workbooks (the site's downloads of a full build: ≈ 900, ≈ 10 ms each) are shared with a
# helper process on the second core; fewer are all written here (a helper costs ≈ 1 s to start).
WORKBOOKS_APART_FROM = 200  # workbooks, compared as whole tasks of WORKBOOKS_PER_TASK
WORKBOOKS_PER_TASK = 25


def write_workbooks(
    books: list[tuple[Path, Sheets]],
    stamp: datetime,
    meanwhile: Callable[[], object] | None = None,
    helper: HelperOnDemand | None = None,
) -> None:
    """Each (path, sheets) as a workbook; an existing file is replaced, never written through.
    `meanwhile()` is done in this process as well, while a helper process (`helper`, or one
    started for these), when the workbooks are many, has begun on them
    (pipeline.render.pool.run_shared)."""
    from pipeline.render.pool import run_shared

    batches = [(books[i : i + WORKBOOKS_PER_TASK], stamp) for i in range(0, len(books), WORKBOOKS_PER_TASK)]
    apart_from = WORKBOOKS_APART_FROM // WORKBOOKS_PER_TASK
    run_shared(_write_batch, batches, _load_writer, apart_from, helper, meanwhile)


def workbook_helper() -> HelperOnDemand:
    """A helper for workbooks written in several parts (`with workbook_helper() as helper:`)."""
    from pipeline.render.pool import HelperOnDemand

    return HelperOnDemand(_load_writer)


def _write_batch(books: list[tuple[Path, Sheets]], stamp: datetime) -> None:
    for path, sheets in books:
        write_sheets(path, sheets, stamp)  # replaced, not written through: it may be a hard link


def _load_writer() -> None:
    import xlsxwriter  # noqa: F401  (loaded before the helper's first task)


def _sheet_title(name: str) -> str:
    """Excel sheet titles: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
