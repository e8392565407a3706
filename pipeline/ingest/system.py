"""The 量收系统 export of a month (`inputs/YYYY-MM/系统数据/`): what the postal systems booked per
customer × business type, to reconcile the counties' reports against (analytics.reconcile).

The integration contract with whoever extracts the data: CSV (UTF-8 or GBK) or a workbook,
any file name, one or more files; a header row naming 客户编号 (or 协议号), 业务种类, 用邮量 and
收入 (收入(万元) is ×10,000), optionally 县(市) (or 机构), 客户名称 and 月份 (aliases in
inputs/reference/aliases.toml, [columns.system]). Rows of one customer × business type are
added up (a system lists a bill a row; an export may be split into files), but not from a file
whose rows repeat another's (a copy): a warning, `system_file_duplicate`, the file not used.
Read with the county files' toolkit (ingest.grid);
every problem names file, sheet, cell and the raw value, and a bad cell or file never stops
the month: its row or file is left out of the comparison and kept in `rejected`. A 县(市) naming
no known county is not a bad cell: the reports or the archive may place the customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.core.contract import REJECTED_ROWS
from pipeline.core.money import YUAN_UNITS, to_fen
from pipeline.core.problems import Problem, problem
from pipeline.core.text import normalise
from pipeline.ingest.files import size_problem_of
from pipeline.ingest.grid import (
    READABLE_SUFFIXES,
    Grid,
    UnreadableFile,
    cached_grids,
    clean_text,
    customer_code,
    date_in,
    filled,
    find_header,
    header_twins,
    max_amount,
    parse_number,
)
from pipeline.ingest.reference import PREFECTURE_OFFICE_NAME, Reference

SYSTEM_FOLDER = "系统数据"
REQUIRED = ("customer_id", "business_type", "volume", "revenue")
COLUMN_LABELS = {
    "customer_id": "客户编号(或协议号)",
    "business_type": "业务种类",
    "volume": "用邮量",
    "revenue": "收入",
}
# the export's rows as read: one per customer × business type (rows of a pair added up)
ROW_COLUMNS = [
    "customer_id",
    "customer_name",
    "business_type",
    "county",  # as the export names it (canonical), "" where it does not or names none known
    "county_text",  # a 县(市) value naming no county, as written ("" otherwise)
    "county_cell",  # and its cell
    "volume",
    "revenue_fen",
    "source_file",  # 系统数据/<file>
    "source_sheet",
    "source_rows",  # spreadsheet rows, "12、15" where a pair has several
    "revenue_cell",  # the first row's 收入 cell
    "customer_cell",  # and its 客户编号 cell
]
# what makes two files' rows the same rows: not where they stand (sheet, row; a CSV has no sheet)
SAME_ROWS = (
    "customer_id",
    "customer_name",
    "business_type",
    "county",
    "county_text",
    "volume",
    "revenue_fen",
)
_MONTH = re.compile(r"(\d{4})\D{0,2}?(\d{1,2})")


@dataclass
class SystemExport:
    found: bool  # the month has a 系统数据 folder with at least one file
    files: list[str] = field(default_factory=list)  # 系统数据/<name>, in name order
    copies: list[str] = field(default_factory=list)  # those not read: a copy of another's rows
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ROW_COLUMNS))
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # contract.REJECTED_ROWS columns
    # (customer, business type) of rows rejected for a bad cell ("" where 业务种类 is the bad
    # cell: any of the customer's): their system figures are unknown, not absent
    unread: set[tuple[str, str]] = field(default_factory=set)


def system_folder(month_dir: Path) -> Path:
    return month_dir / SYSTEM_FOLDER


def system_files(month_dir: Path) -> list[Path]:
    """The export's files of a month, in name order (lock files and hidden files left out)."""
    folder = system_folder(month_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))


def read_system_export(
    month_dir: Path, ref: Reference, month: str, known_ids: frozenset[str] = frozenset()
) -> SystemExport:
    """Every file of the month's 系统数据 folder, read and checked. Never raises for a problem
    of the input. `known_ids`: the customers the archive and the counties know, by which an
    export naming two columns as 客户编号 (客户代码 and 协议号) is read by the one holding them."""
    paths = system_files(month_dir)
    out = SystemExport(found=bool(paths), files=[f"{SYSTEM_FOLDER}/{p.name}" for p in paths])
    parts = {path: _read_part(path, ref, month, known_ids) for path in paths}
    copies = _copies(parts)
    parsed: list[dict] = []
    for path, (part, rows) in parts.items():
        if path in copies:
            detail = {"copy": path.name, "kept": copies[path].name}
            out.problems.append(problem("system_file_duplicate", **_where(path), **detail))
            out.copies.append(f"{SYSTEM_FOLDER}/{path.name}")
            continue
        out.rows_read += part.rows_read
        out.problems += part.problems
        out.rejected += part.rejected
        out.unread |= part.unread
        parsed += rows
    out.rows = _pairs(pd.DataFrame(parsed, columns=[*ROW_COLUMNS, "first_row"]))
    return out


def _read_part(
    path: Path, ref: Reference, month: str, known_ids: frozenset[str]
) -> tuple[SystemExport, list[dict]]:
    """One file read on its own, so that a copy of another leaves nothing behind."""
    part = SystemExport(found=True)
    return part, _read_file(path, ref, month, part, known_ids)


def _copies(parts: dict[Path, tuple[SystemExport, list[dict]]]) -> dict[Path, Path]:
    """File → the file whose rows it repeats (a copy beside the export, or its rows saved again
    as .csv): added up, every system figure would double. Files with rows that differ are parts
    of one export. The shortest name is kept, a copy's adding to it (" - 副本", "(1)")."""
    kept: dict[tuple, Path] = {}
    copies: dict[Path, Path] = {}
    for path in sorted(parts, key=lambda p: (len(p.stem), p.name)):
        part, rows = parts[path]
        if not rows:
            continue  # nothing read, nothing doubled
        key = (part.rows_read, tuple(sorted(tuple(r[c] for c in SAME_ROWS) for r in rows)))
        if key in kept:
            copies[path] = kept[key]
        else:
            kept[key] = path
    return copies


def _where(path: Path) -> dict:
    return {"county": PREFECTURE_OFFICE_NAME, "file": f"{SYSTEM_FOLDER}/{path.name}"}


def _read_file(
    path: Path, ref: Reference, month: str, out: SystemExport, known_ids: frozenset[str]
) -> list[dict]:
    where = _where(path)
    if path.suffix.lower() not in READABLE_SUFFIXES:
        out.problems.append(
            problem("system_file_unreadable", **where, detail=f"不是 .xlsx/.xls/.csv:{path.suffix}")
        )
        return []
    too_large = size_problem_of(path, ref, month)
    if too_large:
        out.problems.append(problem("system_file_unreadable", **where, detail=too_large))
        return []
    try:
        grids = cached_grids(path)
    except UnreadableFile as exc:
        out.problems.append(problem("system_file_unreadable", **where, detail=str(exc)))
        return []
    columns = ref.column_index("system")
    headed = {grid.name: (grid, *found) for grid in grids if (found := find_header(grid, columns))}
    if not headed:
        detail = "、".join(COLUMN_LABELS.values())
        out.problems.append(problem("system_column_missing", **where, detail=detail))
        return []
    # an export split over several sheets is read whole; a sheet with content but no header
    # is named, never left out in silence (its pairs would show as the counties' errors)
    for grid in grids:
        if grid.name not in headed and any(filled(c) for row in grid.cells for c in row):
            detail = "、".join(COLUMN_LABELS.values())
            out.problems.append(problem("system_sheet_not_read", **where, sheet=grid.name, detail=detail))
    rows: list[dict] = []
    for grid, header_row, mapping in headed.values():
        rows += _read_sheet(grid, header_row, mapping, ref, month, where, out, known_ids)
    return rows


def _read_sheet(
    grid: Grid,
    header_row: int,
    mapping: dict,
    ref: Reference,
    month: str,
    where: dict,
    out,
    known_ids: frozenset[str] = frozenset(),
) -> list[dict]:
    missing = [COLUMN_LABELS[c] for c in REQUIRED if c not in mapping]
    unit = mapping.get("revenue", (0, ""))[1]
    if unit not in YUAN_UNITS:
        missing.append(f"收入({unit})")
    if missing:
        out.problems.append(
            problem(
                "system_column_missing",
                **where,
                sheet=grid.name,
                cell=grid.a1(header_row, 0),
                value="、".join(missing),
                detail="、".join(missing),
            )
        )
        return []
    for key, twins in header_twins(grid, header_row, mapping, ref.column_index("system")).items():
        if key == "customer_id" and known_ids:  # the column whose values are the customers known
            best = max(twins, key=lambda j: (_known(grid, header_row, j, known_ids), -twins.index(j)))
            mapping[key] = (best, mapping[key][1])
        headers = [str(grid.cells[header_row][j]).strip() for j in sorted(twins)]  # as the sheet has them
        chosen = str(grid.cells[header_row][mapping[key][0]]).strip()
        out.problems.append(
            problem(
                "system_column_twins",
                **where,
                sheet=grid.name,
                cell=grid.a1(header_row, mapping[key][0]),
                value="、".join(headers),
                detail=f"{'、'.join(f'“{h}”' for h in headers)}都可读作“{COLUMN_LABELS.get(key, key)}”",
                chosen=chosen,
            )
        )
    return _read_rows(grid, header_row, mapping, YUAN_UNITS[unit], ref, month, where, out)


def _known(grid: Grid, header_row: int, column: int, known_ids: set[str]) -> int:
    """How many of a column's values are customers the archive or the counties know."""
    cells = (row[column] if column < len(row) else None for row in grid.cells[header_row + 1 :])
    return sum(customer_code(c) in known_ids for c in cells)


def _read_rows(grid, header_row, mapping, multiplier, ref, month, where, out) -> list[dict]:
    totals = ref.markers("total_row")
    most = max_amount(ref.rules.for_month(month))
    rows = []
    for i in range(header_row + 1, len(grid.cells)):
        row = grid.cells[i]
        if not any(filled(c) for c in row):
            continue
        raw = {key: (row[j] if j < len(row) else "") for key, (j, _) in mapping.items()}
        if any(normalise(v) in totals for v in raw.values() if isinstance(v, str)):
            continue  # a 合计 row: the pairs are added up here
        out.rows_read += 1
        excel_row = grid.row0 + i + 1
        found: list[tuple[str, str]] = []  # (column key, what is wrong)
        bad = found.append

        customer = customer_code(raw["customer_id"])
        if not customer:
            bad(("customer_id", "客户编号(协议号)为空"))
        business_raw = clean_text(raw["business_type"])
        business = ref.business_index.match(business_raw)
        if not business_raw:
            bad(("business_type", "业务种类为空"))
        elif business is None:
            bad(("business_type", f"业务种类“{business_raw}”无法识别"))
        volume = _number(raw["volume"], 1, integer=True, limit=most)
        if isinstance(volume, str):
            bad(("volume", f"用邮量{volume}"))
        revenue = _number(raw["revenue"], multiplier, integer=False, limit=most)
        if isinstance(revenue, str):
            bad(("revenue", f"收入{revenue}"))
        county, county_text = _county(raw, ref)
        if "month" in mapping and clean_text(raw["month"]):
            shown = _month_of(raw["month"])
            if shown != month:
                bad(("month", f"月份“{clean_text(raw['month'])}”与文件夹月份 {month} 不符"))
        if found:
            # a row of another 月份 is read (and not this month's): its pair is not unknown
            if customer and any(key != "month" for key, _ in found):
                out.unread.add((customer, business or ""))
            for key, what in found:
                cell = grid.a1(i, mapping[key][0])
                out.problems.append(
                    problem(
                        "system_value_invalid",
                        **where,
                        sheet=grid.name,
                        cell=cell,
                        value=raw[key],
                        detail=what,
                    )
                )
            _reject(out, where, grid, excel_row, row, "system_value_invalid")
            continue
        rows.append(
            {
                "customer_id": customer,
                "customer_name": clean_text(raw.get("customer_name", "")),
                "business_type": business,
                "county": county,
                "county_text": county_text,
                "county_cell": grid.a1(i, mapping["county"][0]) if county_text else "",
                "volume": volume,
                "revenue_fen": revenue,
                "source_file": where["file"],
                "source_sheet": grid.name,
                "source_rows": str(excel_row),
                "first_row": excel_row,
                "revenue_cell": grid.a1(i, mapping["revenue"][0]),
                "customer_cell": grid.a1(i, mapping["customer_id"][0]),
            }
        )
    return rows


def _county(raw: dict, ref: Reference) -> tuple[str, str]:
    """The row's county, or the 县(市) text naming none known: not a bad row, as the reports or
    the archive may place the customer (analytics.reconcile); only one placed nowhere is a problem."""
    text = clean_text(raw.get("county", ""))
    code = ref.county_of_text(text) if text else None
    return (ref.county_names[code], "") if code else ("", text)


def _reject(out: SystemExport, where: dict, grid: Grid, excel_row: int, row: list, code: str) -> None:
    out.rejected.append(
        {
            "county": "",
            "file": where["file"],
            "sheet": grid.name,
            "row": excel_row,
            "code": code,
            "values": " | ".join(clean_text(c) for c in row),
        }
    )


def reject_row(out: SystemExport, row: dict, code: str) -> None:
    """Keep an export row that could not be compared (analytics.reconcile) with what was read."""
    out.rejected.append(
        {
            "county": "",
            "file": row["source_file"],
            "sheet": row["source_sheet"],
            "row": int(str(row["source_rows"]).split("、")[0]),
            "code": code,
            "values": " | ".join(
                str(row[c]) for c in ("customer_id", "customer_name", "business_type", "volume")
            )
            + f" | {row['revenue_fen'] / 100:.2f}",
        }
    )


def rejected_frame(export: SystemExport) -> pd.DataFrame:
    return pd.DataFrame(export.rejected, columns=REJECTED_ROWS.names).astype({"row": "Int64"})


def _number(raw: object, multiplier: int, integer: bool, limit: int) -> int | str:
    """Units (integer) or fen, or what is wrong with the cell. Beyond `limit` (units or 元, the
    rules' ingest.max_amount) a cell is an error: a pasted id would overflow the tables."""
    if not filled(raw):
        return "为空"
    value = parse_number(raw)
    if value is None or not value.is_finite():
        return f"“{clean_text(raw)}”不是数字"
    if value < 0:
        return f"“{clean_text(raw)}”为负数"
    if value * multiplier > limit:
        return f"“{clean_text(raw)}”超过单格上限 {limit:,}"
    if integer:
        if value != value.to_integral_value():
            return f"“{clean_text(raw)}”不是整数"
        return int(value * multiplier)
    return to_fen(value * multiplier)


@lru_cache(maxsize=256)  # the month column repeats one value on every row
def _month_of(value: object) -> str:
    """2026-11, 2026年11月, 202611, or a date (a date cell, or its day number 46327 as Excel shows
    it when the cell is formatted as a number)."""
    day = date_in(value)
    if day:
        return day[:7]
    found = _MONTH.search(normalise(value))
    if not found:
        return ""
    return f"{int(found.group(1)):04d}-{int(found.group(2)):02d}"


def _pairs(parsed: pd.DataFrame) -> pd.DataFrame:
    """One row per customer × business type: figures added up, rows listed, the first row's
    name, county and cell kept. Most pairs are on one row and are taken as they are (grouping
    every pair cost ≈ 0.25 s a month)."""
    if parsed.empty:
        return pd.DataFrame(columns=ROW_COLUMNS).astype({"volume": "int64", "revenue_fen": "int64"})
    pair = ["customer_id", "business_type"]
    parsed = parsed.sort_values(["source_file", "first_row"], kind="mergesort")
    repeated = parsed.duplicated(pair, keep=False)
    grouped = parsed[repeated].groupby(pair, sort=False)
    added = grouped.agg(
        customer_name=("customer_name", "first"),
        county=("county", _first),
        county_text=("county_text", _first),
        county_cell=("county_cell", _first),
        volume=("volume", "sum"),
        revenue_fen=("revenue_fen", "sum"),
        source_file=("source_file", lambda f: "、".join(dict.fromkeys(f))),
        source_sheet=("source_sheet", "first"),
        source_rows=("source_rows", "、".join),
        revenue_cell=("revenue_cell", "first"),
        customer_cell=("customer_cell", "first"),
    ).reset_index()
    out = pd.concat([parsed[~repeated][ROW_COLUMNS], added[ROW_COLUMNS]], ignore_index=True)
    out = out.sort_values(pair, kind="mergesort", ignore_index=True)
    return out.astype({"volume": "int64", "revenue_fen": "int64"})


def _first(values: pd.Series) -> str:
    return next((x for x in values if x), "")
