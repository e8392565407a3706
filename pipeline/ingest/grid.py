"""Reading any county file into raw grids: .xlsx/.xlsm/.xls through calamine, CSV in UTF-8 or GBK."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
READABLE_SUFFIXES = SPREADSHEET_SUFFIXES | {".csv"}


class UnreadableFile(Exception):
    """The file cannot be opened as a workbook (corrupt, encrypted, not a spreadsheet)."""


@dataclass
class Grid:
    """One sheet's cells; `row0`/`col0` are the 0-based sheet position of cell [0][0]."""

    name: str
    cells: list[list[object]]
    row0: int = 0
    col0: int = 0

    def a1(self, i: int, j: int) -> str:
        """The sheet's A1 name of cell [i][j] of the grid (what a problem names)."""
        return f"{get_column_letter(self.col0 + j + 1)}{self.row0 + i + 1}"


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
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        grids = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            row0, col0 = sheet.start or (0, 0)
            grids.append(Grid(name, sheet.to_python(skip_empty_area=True), row0, col0))
        return grids
    except Exception as exc:  # calamine raises several private error types
        raise UnreadableFile(type(exc).__name__) from exc


def _read_csv(path: Path) -> list[list[object]]:
    raw = path.read_bytes()
    # strict UTF-8 first: GB18030 would also "decode" UTF-8 bytes, into nonsense
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("encoding")
    return [list(row) for row in csv.reader(io.StringIO(text))]
