"""The spreadsheet toolkit every reader shares: any county file into raw grids (.xlsx/.xlsm/.xls
through calamine, CSV in UTF-8 or GBK), cached per file state; the header row found through the
aliases; a cell's text and number as a county typed them."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from pipeline.core.money import decimal_or_none
from pipeline.core.rules import DEFAULTS_FOR_OLDER_FILES
from pipeline.core.text import ENCODING_UNKNOWN, AliasIndex, decode_text, normalise, split_unit

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
READABLE_SUFFIXES = SPREADSHEET_SUFFIXES | {".csv"}
HEADER_SCAN_ROWS = 20  # a header further down is not looked for
PASSWORD_SET = "文件设有打开密码,请取消密码"


class UnreadableFile(Exception):
    """The file cannot be opened as a workbook (corrupt, encrypted, not a spreadsheet)."""


@dataclass
class Grid:
    """One sheet's cells; `row0`/`col0` are the 0-based sheet position of cell [0][0]."""

    name: str
    cells: list[list[object]]
    row0: int = 0
    col0: int = 0
    merged: tuple = ()  # the sheet's merged ranges, ((top, left), (bottom, right)), 0-based

    def a1(self, i: int, j: int) -> str:
        """The sheet's A1 name of cell [i][j] of the grid (what a problem names)."""
        return f"{get_column_letter(self.col0 + j + 1)}{self.row0 + i + 1}"

    def merged_down(self, j: int) -> dict[int, str]:
        """Rows of column `j` in a range merged over several rows: grid row → the range (E4:E5)."""
        out = {}
        for (top, left), (bottom, right) in self.merged:
            if bottom > top and left <= self.col0 + j <= right:
                first, last = (
                    self.a1(top - self.row0, left - self.col0),
                    self.a1(bottom - self.row0, right - self.col0),
                )
                shown = f"{first}:{last}"
                out |= dict.fromkeys(range(top - self.row0, bottom - self.row0 + 1), shown)
        return out


def size_problem(path: Path, max_file_mb: float, max_unpacked_mb: float, max_pack_ratio: float) -> str:
    """Why the file must not be opened (too big, or a zip that unpacks to far more), or ""."""
    size = path.stat().st_size
    if size > max_file_mb * 2**20:
        return f"{size / 2**20:.0f} MB,超过 {max_file_mb} MB"
    if not zipfile.is_zipfile(path):
        return ""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return ""  # the reader reports it as unreadable
    unpacked = sum(p.file_size for p in parts)
    if unpacked > max_unpacked_mb * 2**20:
        return f"解压后 {unpacked / 2**20:.0f} MB,超过 {max_unpacked_mb} MB"
    for part in parts:
        if part.file_size > 2**20 and part.file_size > max_pack_ratio * max(part.compress_size, 1):
            return f"{part.filename} 压缩比异常"
    return ""


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of the file, in file order."""
    if path.suffix.lower() == ".csv":
        return [Grid(path.stem, _read_csv(path))]
    grids = []
    for name, cells, row0, col0, merged in _calamine_sheets(path):
        _fill_down_merged(cells, merged, row0, col0)  # outside the reader's guard: a bug here is ours
        grids.append(Grid(name, cells, row0, col0, merged))
    return grids


def _calamine_sheets(path: Path) -> list[tuple[str, list[list], int, int, tuple]]:
    """Each sheet's name, cells, first row and column, and merged ranges, as calamine reads them;
    UnreadableFile (with what the county can do) for a file it cannot read."""
    try:
        # the format told from the bytes, not the name: an .xls saved as .xlsx is read as .xls
        with path.open("rb") as f:
            workbook = CalamineWorkbook.from_filelike(f)
            sheets = []
            for name in workbook.sheet_names:
                sheet = workbook.get_sheet_by_name(name)
                row0, col0 = sheet.start or (0, 0)
                cells = sheet.to_python(skip_empty_area=True)
                sheets.append((name, cells, row0, col0, tuple(sheet.merged_cell_ranges or ())))
        return sheets
    except Exception as exc:  # calamine raises several private error types
        raise UnreadableFile(_why_unreadable(path)) from exc


def _fill_down_merged(cells: list[list], merged: list, row0: int, col0: int) -> None:
    """A text cell merged down over several rows (one customer's id and name beside its business
    types) gives its value to each of them, as the county sees it. A figure merged down is left
    as read: one amount cannot be split between rows (the reader refuses them, `figure_merged`).
    Merges across columns (a title, a 合计 label) are left as read."""
    for (top, left), (bottom, right) in merged:
        if left != right or bottom == top:
            continue
        r, c = top - row0, left - col0
        if not (0 <= r < len(cells)) or c < 0 or c >= len(cells[r]):
            continue
        value = cells[r][c]
        if not isinstance(value, str) or not value.strip() or parse_number(value) is not None:
            continue
        for below in range(r + 1, min(bottom - row0, len(cells) - 1) + 1):
            row = cells[below]
            if c >= len(row):
                row.extend([""] * (c + 1 - len(row)))
            if row[c] in ("", None):
                row[c] = value


def _why_unreadable(path: Path) -> str:
    """What a county can act on: a file cut short (copy unfinished, e-mail attachment broken) or
    not a spreadsheet at all."""
    with path.open("rb") as f:
        start = f.read(8)
    if start.startswith(b"\xd0\xcf\x11\xe0") and _has_password(path):
        return PASSWORD_SET
    if start.startswith(b"PK") or start.startswith(b"\xd0\xcf\x11\xe0"):
        return "文件不完整或已损坏,可能尚未复制完成"
    return "不是 Excel 表格文件"


def _has_password(path: Path) -> bool:
    """Saved with a password to open (an .xlsx wrapped in an encrypted OLE file, or an .xls with
    its FILEPASS record): calamine, reading the format from the bytes, tells neither from a
    broken file; msoffcrypto-tool does."""
    import msoffcrypto

    try:
        with path.open("rb") as f:
            return msoffcrypto.OfficeFile(f).is_encrypted()
    except Exception:  # a damaged file raises several kinds: said as damaged
        return False


def _read_csv(path: Path) -> list[list[object]]:
    text = decode_text(path.read_bytes())
    if text is None:
        raise UnreadableFile(ENCODING_UNKNOWN)
    return [list(row) for row in csv.reader(io.StringIO(text))]


@lru_cache(maxsize=64)
def _grids_by_stamp(path: Path, size: int, mtime_ns: int) -> tuple[Grid, ...]:
    return tuple(read_grids(path))


def cached_grids(path: Path) -> tuple[Grid, ...]:
    stat = path.stat()
    return _grids_by_stamp(path, stat.st_size, stat.st_mtime_ns)


def find_header(grid: Grid, columns: AliasIndex) -> tuple[int, dict[str, tuple[int, str]]] | None:
    """Row index of the header and canonical column → (column index, unit): the row among the
    first ones that names the most known columns (at least three). Two columns naming one field
    (客户代码 and 协议号): the one whose name comes first among the aliases (`header_twins`)."""
    best: tuple[int, dict[str, tuple[int, str]]] | None = None
    for i, row in enumerate(grid.cells[:HEADER_SCAN_ROWS]):
        mapping: dict[str, tuple[int, str]] = {}
        for j, cell in enumerate(row):
            base, unit = split_unit(cell)
            canonical = columns.match(base)
            if canonical and (
                canonical not in mapping
                or columns.rank(base) < columns.rank(split_unit(row[mapping[canonical][0]])[0])
            ):
                mapping[canonical] = (j, unit)
        if len(mapping) >= 3 and (best is None or len(mapping) > len(best[1])):
            best = (i, mapping)
        elif best is not None:
            break  # the rows below the header are data
    return best


def header_twins(grid: Grid, header_row: int, mapping: dict, columns: AliasIndex) -> dict[str, list[int]]:
    """Fields that more than one column of the header names: field → the columns' indexes, the
    one `find_header` chose first."""
    row = grid.cells[header_row]
    out: dict[str, list[int]] = {}
    for canonical, (chosen, _) in mapping.items():
        others = [
            j for j, cell in enumerate(row) if j != chosen and columns.match(split_unit(cell)[0]) == canonical
        ]
        if others:
            out[canonical] = [chosen, *others]
    return out


def uncached_formulas(path: Path, sheets: set[str] | None = None) -> dict[tuple[str, str], str]:
    """(sheet, cell) → formula of each formula cell saved without its result (which every reader
    sees blank), in every sheet or those named: read twice with openpyxl, formulas and saved
    values; for a county workbook only when a cell that must hold something reads blank, for the
    (small) project register always."""
    from openpyxl import load_workbook

    try:
        formulas = load_workbook(path, read_only=True, data_only=False)
        values = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # an .xls under an .xlsx name (calamine reads it): no formula to look for
        return {}
    found = {}
    try:
        for sheet in (s for s in formulas.worksheets if sheets is None or s.title in sheets):
            saved = values[sheet.title].iter_rows(values_only=True)
            for row, results in zip(sheet.iter_rows(), saved, strict=False):
                for cell, result in zip(row, results, strict=False):
                    if getattr(cell, "data_type", "") == "f" and result is None:
                        found[sheet.title, cell.coordinate] = str(cell.value)
    finally:
        formulas.close()
        values.close()
    return found


def filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def clean_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def customer_code(value: object) -> str:
    """A 客户编号 as the archive keys it: full-width and lower-case letters and stray spaces typed
    into it (" c5134300001 ") would otherwise make a second customer of one."""
    return "".join(unicodedata.normalize("NFKC", clean_text(value)).split()).upper()


_EXCEL_EPOCH = date(1899, 12, 30)
_SERIALS = range(36526, 73051)  # the days 2000-01-01 … 2099-12-31 as Excel counts them
_SERIAL = re.compile(r"(?:^|[::])\s*(\d{5})(?:\.0+)?$")
_DATE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_DIGITS_DATE = re.compile(r"^(20\d{2})(\d{2})(\d{2})(?:\.0+)?$")  # 20261105, as typed or as a number


def date_in(cell: object) -> str:
    """The date a cell gives (a date value, 2026年11月2日 / 2026-11-02 / 2026.11.2 / 20261102 in
    its text, or the day number Excel shows when a date cell is formatted as a number or pasted as
    text), ISO; "" when none."""
    if isinstance(cell, datetime | date):
        return (cell.date() if isinstance(cell, datetime) else cell).isoformat()
    text = normalise(cell)
    serial = _SERIAL.search(text)  # 46327, or 填报日期:46327
    if serial and int(serial.group(1)) in _SERIALS:
        return (_EXCEL_EPOCH + timedelta(days=int(serial.group(1)))).isoformat()
    found = _DATE.search(text) or _DIGITS_DATE.search(text)
    if not found:
        return ""
    try:
        return date(*map(int, found.groups())).isoformat()
    except ValueError:  # 2026年2月30日
        return ""


def parse_number(value: object) -> Decimal | None:
    """A number as the county typed it: text, thousands separators, full-width digits, 元."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = normalise(value).replace(",", "").removesuffix("元")
    return decimal_or_none(text) if text else None


def says_yuan(value: object) -> bool:
    """A cell whose text ends in 元 (1,000元): under a header in 万元 or 千元, which of the two the
    county meant is not known, and read by the header it would be ten thousand times too large."""
    return isinstance(value, str) and normalise(value).endswith("元")


# the bound on one cell of a register read without a month's rules (the project register)
MAX_AMOUNT = DEFAULTS_FOR_OLDER_FILES["ingest"]["max_amount"]


def max_amount(rules) -> int:
    """The largest 用邮量 (件) or amount (元) one cell may hold: rules, [ingest] max_amount."""
    return int(rules.get("ingest.max_amount"))
