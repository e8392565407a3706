"""County workbook → validated rows + problems. Tolerant of what is unambiguous, strict
about what is not, and precise about both: every problem names file, sheet, cell and value.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline.core.contract import ARCHIVE, REJECTED_ROWS, USAGE
from pipeline.core.money import YUAN_UNITS
from pipeline.core.months import CHINESE_NUMBERS, last_day, next_month, number_of
from pipeline.core.problems import Problem, effect, problem
from pipeline.core.text import normalise, split_unit
from pipeline.ingest.bands import agreed_parts, agreed_problem_detail, band_scheme
from pipeline.ingest.cells import (
    TEXT_KEYS,
    amount,
    lookup,
    only_text_is_total,
    rows_with_figures,
    sheet_month,
    sheet_name_core,
)
from pipeline.ingest.files import bytes_sha256, received_at, size_problem_of
from pipeline.ingest.grid import (
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
    uncached_formulas,
)
from pipeline.ingest.holidays import parse_month_day
from pipeline.ingest.progress_sheet import read_progress
from pipeline.ingest.reference import Reference
from pipeline.ingest.sheets import LISTS_SHEET


def _usage_columns() -> list[str]:
    """The usage frame: usage.csv's contract columns (amounts in fen), the customer's name beside
    its id, and the cells of its 揽收类型 and 客户经理 (the 新揽收 claims name them). The stored asset and
    usage.parquet keep this order; usage.csv puts the contract's columns first."""
    columns = USAGE.frame_columns
    after_id = columns.index("customer_id") + 1
    return [*columns[:after_id], "customer_name", *columns[after_id:], "collection_cell", "manager_cell"]


USAGE_COLUMNS = _usage_columns()
_ARCHIVE_OWN = ("customer_id", "county", "first_month", "changed_month", "source")
# A county's 客户档案 rows: the archive's record fields (contract.ARCHIVE) and where each came from
ARCHIVE_COLUMNS = [
    "customer_id",
    *(c for c in ARCHIVE.names if c not in _ARCHIVE_OWN),
    "county",
    "source_file",
    "source_row",
]
REQUIRED_USAGE = ("customer_id", "business_type", "volume", "revenue", "manager", "collection")
# the columns without which an optional sheet cannot be read (its other columns may be left out)
REQUIRED_OPTIONAL = {
    "archive": ("customer_id",),
    "visits": ("date", "customer_id"),
    "cases": ("date", "customer_id", "type"),
}
# 投诉/查询/理赔 as the sheet names them → the case type in tables (analytics.cases.TYPE_LABELS)
CASE_TYPES = {"投诉": "complaint", "查询": "inquiry", "理赔": "claim"}
# a case's fields as the reader gives them (the case register adds its measures)
CASE_COLUMNS = [
    "case_id",
    "county",
    "customer_id",
    "type",
    "business_type",
    "content",
    "mail_no",
    "claim_amount_fen",
    "opened",
    "closed",
    "result",
    "manager_id",
    "source_file",
    "source_row",
    "source_sheet",
    "opened_cell",  # where the 受理日期 is: a row that matches no earlier case is reported there
]
# a county's 工作进展 sheet: one row per item (contract.PROGRESS)
PROGRESS_COLUMNS = ["county", "item", "text", "source_file", "source_row"]
_MONTH_IN_TITLE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
# the other ways a title names its month: a range (2026年10-11月, 2026年10月-11月), a month in
# Chinese numerals (2026年十月); and, only as the whole of the bracket after 月报, 2026.10, 2026-10
# or 10月 (a note above the header, 说明:用邮量自6月起…, names no month of the report)
_MONTHS_IN_TITLE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月?\s*[-~—–至到]\s*(\d{1,2})\s*月")
_CHINESE_MONTH = re.compile(r"(\d{4})\s*年\s*(十[一二]?|[一二三四五六七八九])\s*月")
_REPORT_BRACKET = re.compile(r"月报\s*[((]([^))]*)[))]")
_DOTTED_MONTH = re.compile(r"(\d{4})\s*[.\-/]\s*(\d{1,2})")
_MONTH_ONLY = re.compile(r"(\d{1,2})\s*月份?")
_CHINESE_MONTHS = {name: n for n, name in CHINESE_NUMBERS.items() if n}


def other_month_in_title(text: str, month: str) -> str:
    """The month a title line names when it is not `month` (2026-09, 2026-10至11, 9月), else "".
    A range ending with the month (2026年1-10月, a year to date) is the month's report."""
    if found := _MONTHS_IN_TITLE.search(text):
        year, first, last = map(int, found.groups())
        return "" if f"{year:04d}-{last:02d}" == month else f"{year:04d}-{first:02d}至{last:02d}"
    bracket = _REPORT_BRACKET.search(text)
    inside = bracket.group(1).strip() if bracket else ""
    found = _MONTH_IN_TITLE.search(text) or _DOTTED_MONTH.fullmatch(inside)
    if found:
        return _other(month, found.group(1), int(found.group(2)))
    if found := _CHINESE_MONTH.search(text):
        return _other(month, found.group(1), _CHINESE_MONTHS[found.group(2)])
    if found := _MONTH_ONLY.fullmatch(inside):
        return "" if int(found.group(1)) == number_of(month) else f"{int(found.group(1))}月"
    return ""


def _other(month: str, year: str, number: int) -> str:
    shown = f"{int(year):04d}-{number:02d}"
    return "" if shown == month else shown


class ParsedRow(NamedTuple):
    customer_id: str
    customer_name: str
    business_type: str
    volume: int
    revenue_fen: int
    manager_id: str
    collection: str
    source_row: int


@dataclass
class CountyIntake:
    """What one county submitted for one month, after validation.

    Everything stays in plain lists (a county has few rows) and becomes tables once per month
    in `combine`; `usage` builds this county's table on demand.
    """

    county: str  # code
    month: str
    status: str  # on_time, late, received, missing, rejected
    county_name: str = ""
    files: list[str] = field(default_factory=list)
    sha256: str = ""  # of the file's bytes alone (as `sha256sum` shows it): a rename keeps it
    received_at: str = ""  # the file's modification time when it was read, local, to the minute
    report_date: str = ""
    rows_read: int = 0
    usage_rows: list[ParsedRow] = field(default_factory=list)
    source_sheet: str = ""
    collection_column: str = ""
    manager_column: str = ""
    problems: list[Problem] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)  # rejected rows, contract.REJECTED_ROWS
    archive: list[dict] = field(default_factory=list)  # ARCHIVE_COLUMNS
    visits: list[dict] = field(default_factory=list)  # contract.VISITS
    cases: list[dict] = field(default_factory=list)  # CASE_COLUMNS: the 投诉查询理赔 rows used
    case_rows_read: int = 0
    record_rows_read: int = 0  # 客户档案 and 走访记录 rows with content: each a record or quarantined
    progress: list[dict] = field(default_factory=list)  # PROGRESS_COLUMNS: the 工作进展 sheet's items

    @cached_property
    def usage(self) -> pd.DataFrame:
        return usage_frame([self])

    @property
    def rows_quarantined(self) -> int:
        return sum(r.get("_rows", 1) for r in self.quarantine if r["code"] != "county_rejected")

    def row_counts(self) -> tuple[int, int, int]:
        """Rows (read, used, quarantined) of the sheets read row by row: usage, cases, archive, visits."""
        read = self.rows_read + self.case_rows_read + self.record_rows_read
        used = len(self.usage_rows) + len(self.cases) + len(self.archive) + len(self.visits)
        return read, used, self.rows_quarantined

    def rows_accounted(self) -> bool:
        """Every row read is either used or quarantined: nothing vanishes."""
        if self.status == "rejected":
            return self.rows_read == 0 or bool(self.quarantine)
        read, used, quarantined = self.row_counts()
        return read == used + quarantined


# -- one county ------------------------------------------------------------------------


def ingest_county(
    county: str, month: str, files: list[Path], ref: Reference, archive_names: dict[str, str] | None = None
) -> CountyIntake:
    """Validate the county's files for `month`. Never raises for a problem of the input.

    `archive_names`: customer id → name in the archive as of last month, against which the
    names of the usage rows are checked (the file's own 客户档案 sheet takes precedence).
    """
    name = ref.county_names[county]
    if not files:
        missing = problem("submission_missing", county=name)
        return CountyIntake(county, month, "missing", name, problems=[missing])
    received = {
        "files": [p.name for p in files],
        "sha256": bytes_sha256(files),
        "received_at": received_at(files),
    }
    if len(files) > 1:
        names = "、".join(p.name for p in files)
        dup = [problem("county_duplicate", county=name, file=p.name, detail=names) for p in files]
        return CountyIntake(county, month, "rejected", name, **received, problems=dup)
    reader = _CountyReader(ref, county, month, files[0], archive_names or {})
    reader.read()
    read = {
        "rows_read": reader.rows_read,
        "case_rows_read": reader.case_rows_read,
        "record_rows_read": reader.record_rows_read,
        "report_date": reader.report_date,
        "problems": reader.problems,
    }
    if any(effect(p.code) == "county" for p in reader.problems):
        return CountyIntake(
            county,
            month,
            "rejected",
            name,
            **received,
            **read,
            quarantine=reader.quarantine_rows(all_rows=True),
        )
    return CountyIntake(
        county,
        month,
        _timeliness(reader.report_date, month, ref),
        name,
        **received,
        **read,
        usage_rows=reader.usage_rows,
        source_sheet=reader.usage_sheet,
        collection_column=reader.collection_column,
        manager_column=reader.manager_column,
        archive=reader.archive,
        visits=reader.visits,
        cases=reader.cases,
        progress=reader.progress,
        quarantine=reader.quarantine_rows(),
    )


def _timeliness(report_date: str, month: str, ref: Reference) -> str:
    if not report_date:
        return "received"
    deadline_day = int(ref.rules.for_month(month).get("submission.deadline_day"))
    deadline = f"{next_month(month)}-{deadline_day:02d}"
    return "on_time" if report_date <= deadline else "late"


class _CountyReader:
    """Reads one county file, collecting every problem in one pass."""

    def __init__(self, ref: Reference, county: str, month: str, path: Path, archive_names: dict[str, str]):
        self.ref, self.county, self.month, self.path = ref, county, month, path
        self.archive_names = archive_names
        self.county_name = ref.county_names[county]
        self.problems: list[Problem] = []
        self.rows_read = 0
        self._block_rows = 0  # rows of another month's report pasted below the footer
        self.report_date = ""
        self.report_date_cell = ""  # where it was read: a late date is marked there
        self.usage_rows: list[ParsedRow] = []
        self.usage_sheet = ""
        self.collection_column = ""  # letter of 揽收类型, for problems found later at its cells
        self.manager_column = ""  # and of 客户经理
        self.archive: list[dict] = []
        self.visits: list[dict] = []
        self.cases: list[dict] = []
        self.case_rows_read = 0
        self.record_rows_read = 0
        self.progress: list[dict] = []
        self._progress_sheet = ""  # set where an item of it was named with no text read
        self._quarantine: list[dict] = []
        self._usage_columns: dict[str, tuple[int, str]] = {}
        self._parsed: list[ParsedRow] = []
        self._sheet_columns: dict[str, dict[str, tuple[int, str]]] = {}

    def add(self, code: str, sheet: str = "", cell: str = "", value: object = "", **details) -> None:
        self.problems.append(
            problem(
                code,
                county=self.county_name,
                file=self.path.name,
                sheet=sheet,
                cell=cell,
                value=clean_text(value),
                **details,
            )
        )

    # -- sheets

    def read(self) -> None:
        too_large = size_problem_of(self.path, self.ref, self.month)
        if too_large:
            self.add("file_too_large", detail=too_large)
            return
        try:
            grids = cached_grids(self.path)
        except UnreadableFile as exc:
            self.add("file_unreadable", detail=str(exc))
            return
        if not any(any(filled(c) for c in row) for g in grids for row in g.cells):
            self.add("file_empty")
            return
        sheets = self._sheets_by_kind(grids)
        self._report_unread_sheets(grids, sheets)
        usage = sheets.get("usage")
        if usage is None:
            self.add("sheet_missing", detail="用邮情况")
            return
        self._read_usage(usage)
        for kind, label in (("archive", "客户档案"), ("visits", "走访记录")):
            if kind in sheets:
                getattr(self, f"_read_{kind}")(sheets[kind])
            else:  # a CSV too (one sheet only): the month's visits and archive are not known
                self.add("sheet_optional_missing", detail=label)
        self._check_names(usage)
        self._check_customers_known(usage)
        if "cases" in sheets:  # optional, and no warning without it: most months have no case
            self._read_cases(sheets["cases"])
        if "progress" in sheets:  # optional: the 信息参考 says 未报送 where it is missing or empty
            self._read_progress(sheets["progress"])
        self.usage_rows, self.usage_sheet = self._parsed, usage.name
        self._explain_blank_formulas()

    def _explain_blank_formulas(self) -> None:
        """A cell read as blank that holds a formula saved without its result (a workbook written
        by a program, not by Excel or WPS) is said to be one: "请补填" would send the county to a
        cell that shows a formula. Looked for only when a required cell is blank, or (in the
        工作进展 sheet alone) when an item was named and no text read for it."""
        blank = any(p.code == "required_missing" and p.cell for p in self.problems)
        if not (blank or self._progress_sheet) or self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            return
        formulas = uncached_formulas(self.path, None if blank else {self._progress_sheet})
        for (sheet, cell), formula in formulas.items():  # a text of 工作进展 would vanish unsaid
            if sheet == self._progress_sheet:
                self.add("progress_formula_without_value", sheet, cell, formula)
        for n, p in enumerate(self.problems):
            formula = formulas.get((p.sheet, p.cell)) if p.code == "required_missing" else None
            if formula is not None:
                self.problems[n] = problem(
                    "formula_without_value",
                    county=p.county,
                    file=p.file,
                    sheet=p.sheet,
                    cell=p.cell,
                    value=formula,
                )

    def _check_names(self, grid: Grid) -> None:
        """A usage row whose customer id carries another name in the archive (this file's 客户档案
        sheet, else last month's archive) is rejected: the id or the name is wrong, and figures
        must not land on the wrong customer."""
        if not self._parsed or "customer_name" not in self._usage_columns:
            return
        raw_names = {**self.archive_names, **{r["customer_id"]: r["name"] for r in self.archive if r["name"]}}
        if not raw_names:
            return
        archived = {k: normalise(v) for k, v in raw_names.items()}
        kept = []
        for r in self._parsed:
            expected = archived.get(r.customer_id)
            if expected is not None and r.customer_name and normalise(r.customer_name) != expected:
                cell = self._usage_cell(grid, "customer_name", r.source_row)
                self.add("name_mismatch", grid.name, cell, r.customer_name, detail=raw_names[r.customer_id])
                self._quarantine_parsed(grid, r, "name_mismatch")
            else:
                kept.append(r)
        self._parsed = kept

    def _check_customers_known(self, grid: Grid) -> None:
        """A usage row's customer on no archive (last month's, this file's 客户档案) is counted as
        a new customer: said once per customer, since a mistyped id would split one customer in
        two. Before any archive exists (the first month) every customer is new."""
        if not self.archive_names:
            return
        known = self._archived_customers()
        said: set[str] = set()
        for r in self._parsed:
            if r.customer_id not in known and r.customer_id not in said:
                said.add(r.customer_id)
                cell = self._usage_cell(grid, "customer_id", r.source_row)
                self.add("customer_not_in_archive", grid.name, cell, r.customer_id)

    def _sheets_by_kind(self, grids: tuple[Grid, ...]) -> dict[str, Grid]:
        index = self.ref.sheet_index()
        found: dict[str, Grid] = {}
        for grid in grids:
            kind = index.match(grid.name)
            if kind and kind not in found:
                found[kind] = grid
        for grid in grids:  # then names with the month or a copy's number: 用邮情况(10月), 10月走访记录
            kind = index.match(sheet_name_core(grid.name))
            named = sheet_month(grid.name)  # 9月用邮情况 in October's workbook is not October's
            if named and named != number_of(self.month):
                continue
            if kind and kind not in found and all(g is not grid for g in found.values()):
                found[kind] = grid
        if "usage" not in found and len(grids) == 1:  # a CSV or a one-sheet workbook
            found["usage"] = grids[0]
        return found

    def _report_unread_sheets(self, grids: tuple[Grid, ...], read: dict[str, Grid]) -> None:
        """A sheet with anything in it that is not read (a second 用邮情况, a name not known) is
        said, so that no row in it goes unseen; the template's hidden dropdown sheet apart."""
        index = self.ref.sheet_index()
        chosen = {id(g) for g in read.values()}
        for grid in grids:
            if id(grid) in chosen or grid.name == LISTS_SHEET:
                continue
            if not any(filled(c) for row in grid.cells for c in row):
                continue
            kind = index.match(grid.name) or index.match(sheet_name_core(grid.name))  # "用邮情况 (2)"
            named = sheet_month(grid.name)
            if kind and named and named != number_of(self.month):
                why = f"名称中的月份({named}月)不是本月"
            else:
                why = f"已有同类工作表“{read[kind].name}”" if kind in read else "工作表名称无法识别"
            self.add("sheet_not_read", grid.name, "", grid.name, detail=why)

    # -- header and title lines

    def _find_header(self, grid: Grid, kind: str) -> tuple[int, dict[str, tuple[int, str]]] | None:
        """The header; a column named twice (a second 收入(元) pasted beside the first) is said at
        the column read, so that the other one's figures are not passed over unseen."""
        columns = self.ref.column_index(kind)
        found = find_header(grid, columns)
        if found:
            header_row, mapping = found
            for key, twins in header_twins(grid, header_row, mapping, columns).items():
                headers = [str(grid.cells[header_row][j]).strip() for j in sorted(twins)]
                if len({split_unit(h)[0] for h in headers}) == len(headers):
                    continue  # 客户名称 beside 企业全称: two names a template may both carry, not a paste
                self.add(
                    "column_twins",
                    grid.name,
                    self._a1(grid, header_row, mapping[key][0]),
                    "、".join(headers),
                    detail=self._column_label(kind, key),
                )
        return found

    def _read_title_lines(self, grid: Grid, header_row: int) -> None:
        for i, row in enumerate(grid.cells[:header_row]):
            after_label = False  # the cell after a 填报日期 label that holds no date: the date itself
            for j, cell in enumerate(row):
                text = normalise(cell)
                if not text:
                    continue
                labelled, after_label = after_label, False
                if "填报日期" in text or "报送日期" in text or labelled:
                    found = date_in(cell)
                    if found:
                        self.report_date, self.report_date_cell = found, self._a1(grid, i, j)
                    elif not labelled:
                        after_label = True
                    if found or not labelled:
                        continue
                if "填报单位" in text or "报送单位" in text:
                    self._check_unit(grid, self._a1(grid, i, j), cell)
                    continue
                shown = other_month_in_title(text, self.month)
                if shown:
                    self.add("month_mismatch", grid.name, self._a1(grid, i, j), cell, detail=shown)

    def _check_unit(self, grid: Grid, cell: str, text: object) -> None:
        """A 填报单位 naming another county: another county's workbook saved under this one's
        name (a copy made to fill in, a file put in the wrong place) must not be read as this one."""
        inside = self.ref.county_of_text(str(text))
        if inside is not None and inside != self.county:
            named = self.ref.county_names.get(inside, inside)
            self.add("county_mismatch", grid.name, cell, text, detail=named)

    def _a1(self, grid: Grid, i: int, j: int) -> str:
        return grid.a1(i, j)

    def _excel_row(self, grid: Grid, i: int) -> int:
        return grid.row0 + i + 1

    # -- usage

    def _read_usage(self, grid: Grid) -> None:
        found = self._find_header(grid, "usage")
        if found is None:  # no header at all (an empty sheet, every column renamed): all are named
            every = "、".join(self._column_label("usage", c) for c in REQUIRED_USAGE)
            self.add("column_missing", grid.name, "", every, detail=grid.name)
            self.rows_read = self._rows_with_content(grid, -1)  # the county is rejected: none vanishes
            return
        header_row, columns = found
        missing = [c for c in REQUIRED_USAGE if c not in columns]
        if missing:
            self.add(
                "column_missing",
                grid.name,
                self._a1(grid, header_row, 0),
                "、".join(self._column_label("usage", c) for c in missing),
                detail=grid.name,
            )
            self.rows_read = self._rows_with_content(grid, header_row)
            return
        self._read_title_lines(grid, header_row)
        if not self.report_date:
            self.add("report_date_missing", grid.name)
        else:
            self._check_deadline(grid)
        unit = columns["revenue"][1]
        multiplier = YUAN_UNITS.get(unit)
        if multiplier is None:
            self.add(
                "column_missing",
                grid.name,
                self._a1(grid, header_row, columns["revenue"][0]),
                f"收入({unit})",
                detail=grid.name,
            )
            self.rows_read = self._rows_with_content(grid, header_row)
            return
        self._usage_columns = columns
        rows, total, below_footer = self._data_rows(grid, header_row, columns)
        for i, row in below_footer:  # not read as data (the 合计 does not hold them), nor lost
            cell = grid.a1(i, columns["customer_id"][0])
            self.add("row_after_footer", grid.name, cell, row[columns["customer_id"][0]])
            self._quarantine_usage_row(grid, i, row, "row_after_footer")
        self.rows_read = len(rows) + len(below_footer) + self._block_rows
        self._parsed = self._parse_usage_rows(grid, rows, columns, multiplier)
        self.collection_column = get_column_letter(grid.col0 + columns["collection"][0] + 1)
        self.manager_column = get_column_letter(grid.col0 + columns["manager"][0] + 1)
        if total is not None and len(self._parsed) == len(rows):  # else the rows' problems say it
            self._check_total(grid, total, columns, multiplier)
        self._drop_duplicates(grid)

    def _check_deadline(self, grid: Grid) -> None:
        deadline_day = int(self.ref.rules.for_month(self.month).get("submission.deadline_day"))
        if _timeliness(self.report_date, self.month, self.ref) == "late":
            self.add(
                "report_late",
                grid.name,
                self.report_date_cell,
                self.report_date,
                detail=self.report_date,
                deadline=deadline_day,
            )

    def _data_rows(
        self, grid: Grid, header_row: int, columns: dict[str, tuple[int, str]]
    ) -> tuple[list[tuple[int, list]], tuple[int, list] | None, list[tuple[int, list]]]:
        """Data rows below the header; the 合计 row apart; the footer (填表人, 审核人) ends them,
        and rows with a customer id and a figure below it are returned apart (added late)."""
        totals, footers = self.ref.markers("total_row"), self.ref.markers("footer")
        first_chars = {m[0] for m in totals + footers}  # cheap test before normalising a cell
        rows: list[tuple[int, list]] = []
        total = None
        for i in range(header_row + 1, len(grid.cells)):
            row = grid.cells[i]
            lead = [c for c in row[:4] if c != "" and filled(c)]
            if not lead:
                if not any(filled(c) for c in row):
                    continue  # blank row
            elif isinstance(lead[0], str) and lead[0].lstrip()[:1] in first_chars:
                texts = [normalise(c) for c in lead[:3] if isinstance(c, str)]
                if any(t.startswith(footers) for t in texts[:2]):
                    return rows, total, self._below_footer(grid, i + 1, columns)
                if any(t in totals for t in texts):
                    total = (i, row)
                    continue
            if only_text_is_total(row, totals):
                total = (i, row)
                continue
            rows.append((i, row))
        return rows, total, []

    def _below_footer(
        self, grid: Grid, first: int, columns: dict[str, tuple[int, str]]
    ) -> list[tuple[int, list]]:
        """Rows with a customer id and a figure below the footer (a title, header, 合计 or 填表人
        line of a block pasted there is none). From a title naming another month on, the block is
        that month's report: said once, its rows counted and traced, not read row by row."""
        rows = []
        for i in range(first, len(grid.cells)):
            row = grid.cells[i]
            for j, cell in enumerate(row):
                text = normalise(cell) if isinstance(cell, str) else ""
                shown = other_month_in_title(text, self.month) if "月报" in text else ""  # a title
                if shown:
                    block = [
                        r for r in rows_with_figures(grid.cells[i:], i, columns) if not self._is_line(r[1])
                    ]
                    self._block_after_footer(grid, i, j, shown, len(block))
                    return rows
            rows += [r for r in rows_with_figures([row], i, columns) if not self._is_line(row)]
        return rows

    def _is_line(self, row: list) -> bool:
        """A 合计, 填表人, 填报单位 or header line (of a report pasted below the footer): no data row."""
        j = self._usage_columns["customer_id"][0]
        text = normalise(row[j]) if j < len(row) else ""
        if text.startswith((*self._line_markers, "填报单位", "报送单位", "填报日期")):
            return True
        return self.ref.column_index("usage").match(split_unit(text)[0]) == "customer_id"

    def _block_after_footer(self, grid: Grid, i: int, j: int, shown: str, count: int) -> None:
        self.add(
            "block_after_footer", grid.name, self._a1(grid, i, j), grid.cells[i][j], detail=shown, rows=count
        )
        self._block_rows = count  # read, none used: counted in rows_read, traced in the rejected rows
        if count:
            note = {"county": self.county_name, "file": self.path.name, "sheet": grid.name}
            note |= {"row": str(self._excel_row(grid, i)), "code": "block_after_footer", "_rows": count}
            self._quarantine.append({**note, "values": f"{shown} 的报表,共 {count} 行未使用"})

    @cached_property
    def _line_markers(self) -> tuple[str, ...]:
        """What a 合计 or a 填表人/审核人 line begins with: no data row, no text."""
        return tuple(self.ref.markers("total_row") + self.ref.markers("footer"))

    def _rows_with_content(self, grid: Grid, header_row: int, figures_only: bool = True) -> int:
        """Rows below `header_row` with a cell filled, 合计 and 填表人 lines apart: what a sheet that
        could not be read held (its county is rejected, and none of them vanishes unsaid)."""
        markers = self._line_markers
        rows = [[c for c in row if filled(c)] for row in grid.cells[header_row + 1 :]]
        if header_row < 0 and figures_only:  # no header found: the lines with a figure, not a title
            rows = [row for row in rows if any(parse_number(c) is not None for c in row[1:])]
        return sum(bool(row) and not normalise(row[0]).startswith(markers) for row in rows)

    def _parse_usage_rows(
        self, grid: Grid, rows: list[tuple[int, list]], columns, multiplier: int
    ) -> pd.DataFrame:
        """Validate every row column by column; each distinct raw value is interpreted once."""
        raw = {key: [row[j] if j < len(row) else "" for _, row in rows] for key, (j, _) in columns.items()}
        text = {key: lookup(raw[key], clean_text) for key in TEXT_KEYS if key in raw}
        text["customer_id"] = lookup(raw["customer_id"], customer_code)
        business = lookup(text["business_type"], self.ref.business_index.match)
        managers = lookup(text["manager"], self._manager)
        collection = lookup(text["collection"], self.ref.value_index("collection").match)
        most = self._max_amount
        volume = lookup(raw["volume"], lambda v: amount(v, 1, integer=True, limit=most))
        revenue = lookup(
            raw["revenue"], lambda v: amount(v, multiplier * 100, integer=False, limit=most * 100)
        )
        good = []
        # a figure merged over rows (one amount for a customer's two business types) cannot be
        # split between them: none of its rows is used, each said at its cell
        merged = {key: grid.merged_down(columns[key][0]) for key in ("volume", "revenue")}
        for n, (i, row) in enumerate(rows):
            found = []
            for key in ("customer_id", "business_type", "manager", "collection"):
                if not text[key][n]:
                    found.append(("required_missing", key, ""))
            if text["business_type"][n] and business[n] is None:
                found.append(("business_unknown", "business_type", raw["business_type"][n]))
            for key, value in (("volume", volume[n]), ("revenue", revenue[n])):
                if i in merged[key]:
                    found.append(("figure_merged", key, raw[key][n]))
                elif isinstance(value, str):  # a problem code
                    found.append((value, key, "" if value == "required_missing" else raw[key][n]))
            if text["manager"][n] and managers[n] is None:
                found.append(("manager_unknown", "manager", raw["manager"][n]))
            if text["collection"][n] and collection[n] is None:
                found.append(("collection_unknown", "collection", raw["collection"][n]))
            if found:
                for code, key, value in found:
                    cell = self._a1(grid, i, columns[key][0])
                    label, money = self._column_label("usage", key), key != "volume"
                    limit, within = self._limit_text(money), merged.get(key, {}).get(i, "")
                    self.add(code, grid.name, cell, value, detail=label, limit=limit, merged=within)
                self._quarantine_usage_row(grid, i, row, found[0][0])
                continue
            good.append(n)
        names = text.get("customer_name", [""] * len(rows))
        return [
            ParsedRow(
                text["customer_id"][n],
                names[n],
                business[n],
                volume[n],
                revenue[n],
                managers[n],
                collection[n],
                self._excel_row(grid, rows[n][0]),
            )
            for n in good
        ]

    @cached_property
    def _max_amount(self) -> int:
        """The largest 用邮量 (件) or amount (元) one cell may hold: rules, [ingest]."""
        return max_amount(self.ref.rules.for_month(self.month))

    def _column_label(self, kind: str, key: str) -> str:
        """A column as the template names it (the first of its aliases), for messages."""
        return self.ref.aliases["columns"][kind][key][0]

    def _limit_text(self, money: bool) -> str:
        return f"{self._max_amount:,}{' 元' if money else ''}"

    def _manager(self, raw: object) -> str | None:
        return self.ref.resolve_manager(clean_text(raw), self.county, self.month)

    def _check_total(self, grid, total, columns, multiplier) -> None:
        """The 合计 row must agree with the rows above (when every row could be read)."""
        i, row = total
        checks = (
            ("volume", sum(r.volume for r in self._parsed), 1, 1),
            ("revenue", sum(r.revenue_fen for r in self._parsed), multiplier, 100),
        )
        for key, expected, unit, scale in checks:
            j = columns[key][0]
            raw = row[j] if j < len(row) else ""
            if not filled(raw):
                continue
            value = parse_number(raw)
            stated = None if value is None else value * unit * scale
            # 万元 figures are rounded per row: allow half a fen per row
            tolerance = (
                Decimal(len(self._parsed)) / 2 if key == "revenue" and multiplier > 1 else Decimal("0.5")
            )
            if stated is None or abs(stated - expected) > tolerance:
                shown = f"{expected / scale:.2f}" if key == "revenue" else f"{expected}"
                self.add(
                    "total_mismatch",
                    grid.name,
                    self._a1(grid, i, j),
                    raw,
                    detail=f"{clean_text(raw)},明细合计 {shown}",
                )

    def _drop_duplicates(self, grid: Grid) -> None:
        """Rows repeating a customer × business type are all rejected: which one is right is unknown."""
        seen = Counter((r.customer_id, r.business_type) for r in self._parsed)
        if all(n == 1 for n in seen.values()):
            return
        rows_of: dict[tuple[str, str], list[int]] = {}
        for r in self._parsed:
            if seen[(r.customer_id, r.business_type)] > 1:
                rows_of.setdefault((r.customer_id, r.business_type), []).append(r.source_row)
        for r in sorted(self._parsed, key=lambda r: (r.customer_id, r.business_type, r.source_row)):
            if seen[(r.customer_id, r.business_type)] > 1:
                rows = "、".join(f"第{n}行" for n in rows_of[(r.customer_id, r.business_type)])
                cell = self._usage_cell(grid, "customer_id", r.source_row)
                self.add("duplicate_row", grid.name, cell, r.customer_id, detail=rows)
                self._quarantine_parsed(grid, r, "duplicate_row")
        self._parsed = [r for r in self._parsed if seen[(r.customer_id, r.business_type)] == 1]

    def _usage_cell(self, grid: Grid, key: str, excel_row: int) -> str:
        return f"{get_column_letter(grid.col0 + self._usage_columns[key][0] + 1)}{excel_row}"

    def _quarantine_parsed(self, grid: Grid, r, code: str) -> None:
        """Quarantine a row already parsed (its figures shown as read)."""
        values = [
            r.customer_id,
            r.customer_name,
            r.business_type,
            str(r.volume),
            f"{r.revenue_fen / 100:.2f}",
        ]
        self._quarantine.append(
            {
                "county": self.county_name,
                "file": self.path.name,
                "sheet": grid.name,
                "row": r.source_row,
                "code": code,
                "values": " | ".join(values),
                "customer_id": r.customer_id,
            }
        )

    def _quarantine_row(self, grid: Grid, i: int, row: list, code: str) -> None:
        self._quarantine.append(
            {
                "county": self.county_name,
                "file": self.path.name,
                "sheet": grid.name,
                "row": self._excel_row(grid, i),
                "code": code,
                "values": " | ".join(clean_text(c) for c in row),
                "customer_id": "",
            }
        )

    def _quarantine_usage_row(self, grid: Grid, i: int, row: list, code: str) -> None:
        """A 用邮情况 row not used: its customer's usage this month is then not known in full."""
        self._quarantine_row(grid, i, row, code)
        j = self._usage_columns.get("customer_id", (len(row),))[0]
        self._quarantine[-1]["customer_id"] = customer_code(row[j]) if j < len(row) else ""

    def quarantine_rows(self, all_rows: bool = False) -> list[dict]:
        """Rejected rows; for a rejected county, a note for every row read (none is used)."""
        rows = list(self._quarantine)
        if all_rows and self.rows_read + self.case_rows_read:
            rows.append(
                {
                    "county": self.county_name,
                    "file": self.path.name,
                    "sheet": "",
                    "row": "",
                    "code": "county_rejected",
                    "values": f"整表退回,共 {self.rows_read + self.case_rows_read} 行未使用",
                }
            )
        return [{c: str(r.get(c, "")) for c in REJECTED_ROWS.names} for r in rows]

    # -- archive and visits (lightly checked here; the archive history is built per month)

    def _optional_header(self, grid: Grid, kind: str) -> tuple[int, dict[str, tuple[int, str]]] | None:
        """The header of an optional sheet, or None. A sheet with content whose header or one of
        its required columns cannot be found is a warning naming them: its rows are not read, and
        without it they would pass for a month with none."""
        found = self._find_header(grid, kind)
        missing = [k for k in REQUIRED_OPTIONAL[kind] if found is None or k not in found[1]]
        if not missing:
            return found
        if found is not None or any(filled(c) for row in grid.cells for c in row):  # else: empty
            labels = "、".join(self._column_label(kind, k) for k in missing)
            cell = "" if found is None else self._a1(grid, found[0], 0)
            # no header found: every line but the first (the header not recognised)
            rows = self._rows_with_content(grid, 0 if found is None else found[0], figures_only=False)
            self.add(
                "optional_column_missing",
                grid.name,
                cell,
                labels,
                detail=grid.name,
                columns=labels,
                rows=rows,
            )
            if rows:  # its rows read and traced in the rejected rows, as a rejected county's are
                if kind == "cases":
                    self.case_rows_read += rows
                else:
                    self.record_rows_read += rows
                note = {"county": self.county_name, "file": self.path.name, "sheet": grid.name, "row": ""}
                note["_rows"] = rows  # counted as the rows it stands for (`rows_quarantined`)
                self._quarantine.append(
                    {**note, "code": "optional_column_missing", "values": f"整表未读取,共 {rows} 行未使用"}
                )
        return None

    def _read_sheet_records(self, grid: Grid, kind: str) -> list[tuple[int, dict[str, str]]]:
        """(row index, cleaned values by column) of a free-form sheet (archive, visits). A row
        with content but no 客户编号 belongs to no customer: reported at that cell and kept."""
        found = self._optional_header(grid, kind)
        if found is None:
            return []
        header_row, columns = found
        self._sheet_columns[kind] = columns
        out = []
        for i in range(header_row + 1, len(grid.cells)):
            row = grid.cells[i]
            if not any(filled(c) for c in row):
                continue  # a blank row
            self.record_rows_read += 1
            record = {k: clean_text(row[j]) if j < len(row) else "" for k, (j, _) in columns.items()}
            record["customer_id"] = customer_code(record.get("customer_id", ""))
            if record.get("customer_id"):
                out.append((i, record))
                continue
            self.add("required_missing", grid.name, self._a1(grid, i, columns["customer_id"][0]), "")
            # the rejected rows are published (site, tables): a birthday never goes with them
            shown = [c for j, c in enumerate(row) if "birthday" not in columns or j != columns["birthday"][0]]
            self._quarantine_row(grid, i, shown, "required_missing")
        return out

    def _checked(
        self,
        grid: Grid,
        kind: str,
        i: int,
        record: dict,
        key: str,
        interpret,
        label: str,
        code: str = "value_unrecognised",
    ) -> str:
        """`interpret`(value), or "" with a warning (`code`) naming the cell when it cannot be read."""
        raw = record.get(key, "")
        value = interpret(raw) if raw else ""
        if raw and not value:
            cell = self._a1(grid, i, self._sheet_columns[kind][key][0])
            self.add(code, grid.name, cell, raw, detail=label)
        return value or ""

    def _read_archive(self, grid: Grid) -> None:
        records = []
        yes_no = self.ref.value_index("yes_no")
        natures = set(self.ref.aliases["values"]["natures"]["names"])
        for i, r in self._read_sheet_records(grid, "archive"):
            check = lambda key, fn, label, i=i, r=r: self._checked(grid, "archive", i, r, key, fn, label)  # noqa: E731
            records.append(
                {
                    **{c: r.get(c, "") for c in ARCHIVE_COLUMNS},
                    "nature": check("nature", lambda v: v if v in natures else None, "企业性质"),
                    "manager_id": check("manager", self._manager, "客户经理"),
                    "partner": check("partner", yes_no.match, "行业合作伙伴") or "否",
                    "county_designated": check("county_designated", yes_no.match, "县级重点客户") or "否",
                    "updated": check("updated", date_in, "更新日期"),
                    "county": self.county_name,
                    "source_file": self.path.name,
                    "source_row": self._excel_row(grid, i),
                    "birthday": self._birthday(grid, i, r),
                }
            )
            self._check_agreed_band(grid, i, r)
        self.archive = records

    def _check_agreed_band(self, grid: Grid, i: int, record: dict) -> None:
        """协议档次 (optional) read as the pricing bands read it: a part naming no business type
        with bands or no band of its type is a warning at the cell; the text is kept as written."""
        raw = record.get("agreed_band", "")
        if not raw:
            return
        scheme = self._band_scheme
        _, unread = agreed_parts(raw, scheme, self.ref.business_index)
        if unread:
            cell = self._a1(grid, i, self._sheet_columns["archive"]["agreed_band"][0])
            self.add(
                "agreed_band_unreadable", grid.name, cell, raw, detail=agreed_problem_detail(unread, scheme)
            )

    @cached_property
    def _band_scheme(self) -> dict[str, dict]:
        rules = self.ref.rules
        return band_scheme(rules.for_month(max(self.month, rules.periods[0]["from"])).values)

    def _birthday(self, grid: Grid, i: int, record: dict) -> str:
        """关键联系人生日 as MM-DD (optional). A year is dropped with a warning, a value that is no
        month and day is a warning and blank. The value is not repeated in the problem: problems
        are published, birthdays are not (the county sees its own cell in 问题反馈)."""
        month_day, code = parse_month_day(record.get("birthday", ""))
        if code:
            cell = self._a1(grid, i, self._sheet_columns["archive"]["birthday"][0])
            self.add(code, grid.name, cell, "(不公开)")
        return month_day

    def _read_visits(self, grid: Grid) -> None:
        methods = self.ref.value_index("visit_method")
        known = self._known_customers()
        records = []
        for i, r in self._read_sheet_records(grid, "visits"):
            check = lambda key, fn, label, i=i, r=r: self._checked(grid, "visits", i, r, key, fn, label)  # noqa: E731
            if r["customer_id"] and r["customer_id"] not in known:  # a typo: the visit counts for no one
                column = self._sheet_columns["visits"]["customer_id"][0]
                self.add("visit_customer_unknown", grid.name, self._a1(grid, i, column), r["customer_id"])
            day = check("date", date_in, "走访日期")
            planned = check("planned", date_in, "计划日期")
            if not (planned and not r.get("date")):  # planned, not (yet) made: the 工作清单 lists it
                self._check_visit_date(grid, i, r, day)
            if planned and not r.get("date") and not planned.startswith(self.month):  # no 工作清单 checks it
                cell = self._a1(grid, i, self._sheet_columns["visits"]["planned"][0])
                self.add("visit_plan_outside", grid.name, cell, r.get("planned", ""), detail=planned)
            records.append(
                {
                    "date": day,
                    "planned": planned,
                    "customer_id": r["customer_id"],
                    "manager_id": check("manager", self._manager, "客户经理"),
                    "method": check("method", methods.match, "方式"),
                    "content": r.get("content", ""),
                    "feedback": r.get("feedback", ""),
                    "county": self.county_name,
                    "source_file": self.path.name,
                    "source_row": self._excel_row(grid, i),
                }
            )
        self.visits = records

    def _archived_customers(self) -> set[str]:
        """Last month's archive (every county's) and this file's 客户档案."""
        return {*self.archive_names, *(r["customer_id"] for r in self.archive)}

    def _known_customers(self) -> set[str]:
        """The archived customers and this file's 用邮情况 rows."""
        return self._archived_customers() | {r.customer_id for r in self._parsed}

    def _check_visit_date(self, grid: Grid, i: int, record: dict, day: str) -> None:
        """A visit counts for the month it is dated in: say so where it cannot count."""
        if day.startswith(self.month) or (record.get("date") and not day):  # unreadable: already said
            return
        column = self._sheet_columns["visits"].get("date")
        cell = self._a1(grid, i, column[0]) if column else f"{self._excel_row(grid, i)}"
        if day:
            self.add("visit_date_outside", grid.name, cell, record.get("date", ""), detail=day)
        else:
            self.add("visit_date_missing", grid.name, cell, "")

    # -- the month's progress report (pipeline.ingest.progress_sheet)

    def _read_progress(self, grid: Grid) -> None:
        def report(code: str, cell: str, value: object) -> None:
            self.add(code, grid.name, cell, value, detail="项目")

        found = read_progress(grid, self.ref, self._line_markers, report)
        if found.named_without_text:
            self._progress_sheet = grid.name
        self.progress = [
            {
                "county": self.county_name,
                "item": item,
                "text": "\n".join(found.texts[item]),
                "source_file": self.path.name,
                "source_row": found.first_row[item],
            }
            for item in self.ref.aliases["values"]["progress_item"]
            if item in found.texts
        ]

    # -- complaints, inquiries and claims (投诉查询理赔)

    def _read_cases(self, grid: Grid) -> None:
        """Each row a case: new this month, or an earlier one again (to give its 办结日期). A row
        that cannot be keyed or read (customer, 受理日期, 类型, a 理赔's amount) is rejected with
        its raw values; dates after the month or a closing before the opening too."""
        found = self._optional_header(grid, "cases")
        if found is None:
            return
        header_row, columns = found
        self._sheet_columns["cases"] = columns
        month_end = last_day(self.month)
        types = self.ref.value_index("case_type")
        known = self._known_customers()
        unit = columns.get("amount", (0, ""))[1]
        multiplier = YUAN_UNITS.get(unit)
        kept: list[tuple[int, list, dict]] = []
        for i in range(header_row + 1, len(grid.cells)):
            row = grid.cells[i]
            if not any(filled(c) for c in row):
                continue
            self.case_rows_read += 1
            raw = {k: row[j] if j < len(row) else "" for k, (j, _) in columns.items()}
            text = {k: clean_text(v) for k, v in raw.items()}
            text["customer_id"] = customer_code(raw.get("customer_id", ""))

            def cell(key: str, i: int = i) -> str:
                return self._a1(grid, i, columns[key][0]) if key in columns else str(self._excel_row(grid, i))

            errors: list[tuple[str, str, str, str]] = []  # code, key, value, detail
            for key in ("date", "customer_id", "type"):
                if not text.get(key):
                    errors.append(("required_missing", key, "", ""))
            opened = date_in(text.get("date", ""))
            closed = date_in(text.get("closed", ""))
            for key, day, label in (("date", opened, "受理日期"), ("closed", closed, "办结日期")):
                if text.get(key) and not day:
                    errors.append(("case_date_invalid", key, text[key], label))
                elif day and day > month_end and key == "date":
                    errors.append(("case_date_future", key, text[key], f"{label} {day}"))
            # a closing after the month is not yet a fact: the case is kept, open, and the date said
            closing_later = bool(closed and closed > month_end)
            if opened and closed and closed < opened:
                errors.append(
                    ("case_closed_before_opened", "closed", text["closed"], f"受理 {opened},办结 {closed}")
                )
            kind = types.match(text["type"]) if text.get("type") else None
            if text.get("type") and kind is None:
                errors.append(("case_type_unknown", "type", text["type"], ""))
            customer = text.get("customer_id", "")
            if customer and customer not in known:
                errors.append(("case_customer_unknown", "customer_id", customer, ""))
            claim_fen: int | None = None
            if filled(raw.get("amount", "")):
                value = self._case_amount(raw["amount"], multiplier, unit)
                if isinstance(value, tuple):
                    errors.append((value[0], "amount", text["amount"], value[1]))
                else:
                    claim_fen = value
            elif kind == "理赔" and (not opened or opened >= f"{self.month}-01"):
                # a new claim needs its amount; a later row closing one keeps it when left blank
                errors.append(("claim_amount_missing", "amount", "", ""))
            not_a_claim = claim_fen is not None and kind is not None and kind != "理赔"
            if not_a_claim and not errors:  # said once the row is known to be used (no duplicate)
                claim_fen = None
            if errors:
                for code, key, value, detail in errors:
                    self.add(code, grid.name, cell(key), value, detail=detail, limit=self._limit_text(True))
                self._quarantine_row(grid, i, row, errors[0][0])
                continue
            notes = []  # warnings said once the row is known to be used (no duplicate)
            if closing_later:
                notes.append(("case_closed_future", cell("closed"), text["closed"], closed))
                closed = ""
            if not_a_claim:
                notes.append(("claim_amount_not_claim", cell("amount"), text["amount"], kind))
            check = lambda key, fn, label, code="value_unrecognised", i=i, r=text: self._checked(  # noqa: E731
                grid, "cases", i, r, key, fn, label, code
            )
            case_type = CASE_TYPES[kind]
            mail_no = customer_code(raw.get("mail_no", ""))  # "ea 123456789 cn" is EA123456789CN
            record = {
                "case_id": "|".join([self.county_name, customer, opened, case_type, mail_no]),
                "county": self.county_name,
                "customer_id": customer,
                "type": case_type,
                "business_type": check("business_type", self.ref.business_index.match, "业务种类"),
                "content": text.get("content", ""),
                "mail_no": mail_no,
                "claim_amount_fen": claim_fen,
                "opened": opened,
                "closed": closed,
                "result": text.get("result", ""),
                # unknown: the case goes to the customer's manager in the archive (analytics.cases)
                "manager_id": check("manager", self._manager, "客户经理", "case_manager_unknown"),
                "source_file": self.path.name,
                "source_row": self._excel_row(grid, i),
                "source_sheet": grid.name,
                "opened_cell": cell("date"),
            }
            kept.append((i, row, record, notes))
        rows_of = Counter(r["case_id"] for _, _, r, _ in kept)
        for i, row, record, notes in kept:
            if rows_of[record["case_id"]] == 1:
                self.cases.append(record)
                for code, at, value, detail in notes:
                    self.add(code, grid.name, at, value, detail=detail)
                continue
            same = [r["source_row"] for _, _, r, _ in kept if r["case_id"] == record["case_id"]]
            detail = "、".join(f"第{n}行" for n in same)
            key = "customer_id" if "customer_id" in columns else "date"
            self.add(
                "case_duplicate",
                grid.name,
                self._a1(grid, i, columns[key][0]),
                record["customer_id"],
                detail=detail,
            )
            self._quarantine_row(grid, i, row, "case_duplicate")

    def _case_amount(self, raw: object, multiplier: int | None, unit: str) -> int | tuple[str, str]:
        """A filled 理赔金额 in fen, or (problem code, detail)."""
        if multiplier is None:  # the header's unit is not 元, 千元 or 万元 (美元 …): not guessed
            return "amount_unit_unknown", unit
        value = amount(raw, multiplier * 100, integer=False, limit=self._max_amount * 100)
        return (value, self._column_label("cases", "amount")) if isinstance(value, str) else value


def usage_frame(intakes: list[CountyIntake]) -> pd.DataFrame:
    """The accepted usage rows of the intakes as one table (built once, not per county)."""
    rows = [(i, r) for i in intakes for r in i.usage_rows]
    return pd.DataFrame(
        {
            "month": [i.month for i, _ in rows],
            "county": [i.county_name for i, _ in rows],
            "customer_id": [r.customer_id for _, r in rows],
            "customer_name": [r.customer_name for _, r in rows],
            "business_type": [r.business_type for _, r in rows],
            "volume": np.array([r.volume for _, r in rows], dtype=np.int64),
            "revenue_fen": np.array([r.revenue_fen for _, r in rows], dtype=np.int64),
            "manager_id": [r.manager_id for _, r in rows],
            "collection": [r.collection for _, r in rows],
            "source_file": [i.files[0] for i, _ in rows],
            "source_sheet": [i.source_sheet for i, _ in rows],
            "source_row": np.array([r.source_row for _, r in rows], dtype=np.int64),
            "collection_cell": [f"{i.collection_column}{r.source_row}" for i, r in rows],
            "manager_cell": [f"{i.manager_column}{r.source_row}" for i, r in rows],
        },
        columns=USAGE_COLUMNS,
    )
