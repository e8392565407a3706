"""County workbook → validated rows + problems. Tolerant of what is unambiguous, strict
about what is not, and precise about both: every problem names file, sheet, cell and value.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline.money import decimal_or_none, to_fen
from pipeline.months import next_month
from pipeline.problems import Problem, effect, problem, to_frame
from pipeline.reference import PREFECTURE_OFFICE, Reference
from pipeline.text import normalise, split_unit
from pipeline.workbook_reader import READABLE_SUFFIXES, Grid, UnreadableFile, read_grids

USAGE_COLUMNS = [
    "month",
    "county",
    "customer_id",
    "customer_name",
    "business_type",
    "volume",
    "revenue_fen",
    "manager_id",
    "collection",
    "source_file",
    "source_sheet",
    "source_row",
]
ARCHIVE_COLUMNS = [
    "customer_id",
    "name",
    "address",
    "contact",
    "phone",
    "nature",
    "partner",
    "products",
    "business_types",
    "potential",
    "competitors",
    "manager_id",
    "county_designated",
    "updated",
    "county",
    "source_file",
    "source_row",
]
VISIT_COLUMNS = [
    "date",
    "customer_id",
    "manager_id",
    "method",
    "content",
    "feedback",
    "county",
    "source_file",
    "source_row",
]
QUARANTINE_COLUMNS = ["county", "file", "sheet", "row", "code", "values"]
UNIT_MULTIPLIERS = {"": 1, "元": 1, "千元": 1000, "万元": 10000}
REQUIRED_USAGE = ("customer_id", "business_type", "volume", "revenue", "manager", "collection")
_MONTH_IN_TITLE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_DATE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_HEADER_SCAN_ROWS = 20
_STATUS_ORDER = ("on_time", "late", "received", "missing", "rejected")


@dataclass
class CountyIntake:
    """What one county submitted for one month, after validation."""

    county: str  # code
    month: str
    status: str  # on_time, late, received, missing, rejected
    files: list[str] = field(default_factory=list)
    sha256: str = ""
    report_date: str = ""
    rows_read: int = 0
    usage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=USAGE_COLUMNS))
    archive: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ARCHIVE_COLUMNS))
    visits: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=VISIT_COLUMNS))
    problems: pd.DataFrame = field(default_factory=lambda: to_frame([]))
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))


# -- which files belong to which county ------------------------------------------------


def county_files(month_dir: Path, ref: Reference) -> tuple[dict[str, list[Path]], list[Path]]:
    """Spreadsheet files of a month folder by county code, and files of no known county.

    The county is read from the file name, else from the 填报单位 line inside the file.
    The centre's own 考核评分 workbook is not a county file.
    """
    by_county: dict[str, list[Path]] = {}
    unknown: list[Path] = []
    if not month_dir.is_dir():
        return by_county, unknown
    assessment = ref.sheet_index()
    for path in sorted(month_dir.iterdir()):
        if path.suffix.lower() not in READABLE_SUFFIXES or path.name.startswith(("~$", ".")):
            continue
        if assessment.match(path.stem) == "assessment":
            continue
        code = ref.county_of_text(path.stem) or _county_inside(path, ref)
        if code:
            by_county.setdefault(code, []).append(path)
        else:
            unknown.append(path)
    return by_county, unknown


def _county_inside(path: Path, ref: Reference) -> str | None:
    try:
        grids = _cached_grids(path)
    except UnreadableFile:
        return None
    for grid in grids:
        for row in grid.cells[:_HEADER_SCAN_ROWS]:
            for cell in row:
                if "填报单位" in normalise(cell) or "报送单位" in normalise(cell):
                    return ref.county_of_text(str(cell))
    return None


def file_sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _grids_by_stamp(path: Path, size: int, mtime_ns: int) -> tuple[Grid, ...]:
    return tuple(read_grids(path))


def _cached_grids(path: Path) -> tuple[Grid, ...]:
    stat = path.stat()
    return _grids_by_stamp(path, stat.st_size, stat.st_mtime_ns)


# -- one county ------------------------------------------------------------------------


def ingest_county(county: str, month: str, files: list[Path], ref: Reference) -> CountyIntake:
    """Validate the county's files for `month`. Never raises for a problem of the input."""
    name = ref.county_names[county]
    if not files:
        missing = problem("submission_missing", county=name)
        return CountyIntake(county, month, "missing", problems=to_frame([missing]))
    intake = CountyIntake(county, month, "received", files=[p.name for p in files], sha256=file_sha256(files))
    if len(files) > 1:
        names = "、".join(p.name for p in files)
        dup = [problem("county_duplicate", county=name, file=p.name, detail=names) for p in files]
        return _rejected(intake, dup)
    reader = _CountyReader(ref, county, month, files[0])
    reader.read()
    intake.rows_read = reader.rows_read
    intake.report_date = reader.report_date
    intake.problems = to_frame(reader.problems)
    if any(effect(p.code) == "county" for p in reader.problems):
        intake.status = "rejected"
        intake.quarantine = reader.quarantine_frame(all_rows=True)
        return intake
    intake.usage, intake.archive, intake.visits = reader.usage, reader.archive, reader.visits
    intake.quarantine = reader.quarantine_frame()
    intake.status = _timeliness(reader.report_date, month, ref)
    return intake


def _rejected(intake: CountyIntake, problems: list[Problem]) -> CountyIntake:
    intake.status = "rejected"
    intake.problems = to_frame(problems)
    return intake


def _timeliness(report_date: str, month: str, ref: Reference) -> str:
    if not report_date:
        return "received"
    deadline_day = int(ref.rules.for_month(month).get("submission.deadline_day"))
    deadline = f"{next_month(month)}-{deadline_day:02d}"
    return "on_time" if report_date <= deadline else "late"


def worst_status(statuses: list[str]) -> str:
    return max(statuses, key=_STATUS_ORDER.index)


class _CountyReader:
    """Reads one county file, collecting every problem in one pass."""

    def __init__(self, ref: Reference, county: str, month: str, path: Path):
        self.ref, self.county, self.month, self.path = ref, county, month, path
        self.county_name = ref.county_names[county]
        self.problems: list[Problem] = []
        self.rows_read = 0
        self.report_date = ""
        self.usage = pd.DataFrame(columns=USAGE_COLUMNS)
        self.archive = pd.DataFrame(columns=ARCHIVE_COLUMNS)
        self.visits = pd.DataFrame(columns=VISIT_COLUMNS)
        self._quarantine: list[dict] = []
        self._all_rows: list[dict] = []

    def add(self, code: str, sheet: str = "", cell: str = "", value: object = "", **details) -> None:
        self.problems.append(
            problem(
                code,
                county=self.county_name,
                file=self.path.name,
                sheet=sheet,
                cell=cell,
                value=_clean_text(value),
                **details,
            )
        )

    # -- sheets

    def read(self) -> None:
        try:
            grids = _cached_grids(self.path)
        except UnreadableFile as exc:
            self.add("file_unreadable", detail=str(exc))
            return
        if not any(any(_filled(c) for c in row) for g in grids for row in g.cells):
            self.add("file_empty")
            return
        sheets = self._sheets_by_kind(grids)
        usage = sheets.get("usage")
        if usage is None:
            self.add("sheet_missing", detail="用邮情况")
            return
        self._read_usage(usage)
        for kind, label in (("archive", "客户档案"), ("visits", "走访记录")):
            if kind in sheets:
                getattr(self, f"_read_{kind}")(sheets[kind])
            elif self.path.suffix.lower() != ".csv":
                self.add("sheet_optional_missing", detail=label)

    def _sheets_by_kind(self, grids: tuple[Grid, ...]) -> dict[str, Grid]:
        index = self.ref.sheet_index()
        found: dict[str, Grid] = {}
        for grid in grids:
            kind = index.match(grid.name)
            if kind and kind not in found:
                found[kind] = grid
        if "usage" not in found and len(grids) == 1:  # a CSV or a one-sheet workbook
            found["usage"] = grids[0]
        return found

    # -- header and title lines

    def _find_header(self, grid: Grid, kind: str) -> tuple[int, dict[str, tuple[int, str]]] | None:
        """Row index of the header and canonical column → (column index, unit)."""
        columns = self.ref.column_index(kind)
        best: tuple[int, dict[str, tuple[int, str]]] | None = None
        for i, row in enumerate(grid.cells[:_HEADER_SCAN_ROWS]):
            mapping: dict[str, tuple[int, str]] = {}
            for j, cell in enumerate(row):
                base, unit = split_unit(cell)
                canonical = columns.match(base)
                if canonical and canonical not in mapping:
                    mapping[canonical] = (j, unit)
            if len(mapping) >= 3 and (best is None or len(mapping) > len(best[1])):
                best = (i, mapping)
        return best

    def _read_title_lines(self, grid: Grid, header_row: int) -> None:
        for i, row in enumerate(grid.cells[:header_row]):
            for j, cell in enumerate(row):
                text = normalise(cell)
                if not text:
                    continue
                if "填报日期" in text or "报送日期" in text:
                    found = _DATE.search(text)
                    if found:
                        y, m, d = map(int, found.groups())
                        self.report_date = date(y, m, d).isoformat()
                    continue
                found = _MONTH_IN_TITLE.search(text)
                if found:
                    shown = f"{int(found.group(1)):04d}-{int(found.group(2)):02d}"
                    if shown != self.month:
                        self.add("month_mismatch", grid.name, self._a1(grid, i, j), cell, detail=shown)

    def _a1(self, grid: Grid, i: int, j: int) -> str:
        return f"{get_column_letter(grid.col0 + j + 1)}{grid.row0 + i + 1}"

    def _excel_row(self, grid: Grid, i: int) -> int:
        return grid.row0 + i + 1

    # -- usage

    def _read_usage(self, grid: Grid) -> None:
        found = self._find_header(grid, "usage")
        if found is None:
            self.add("column_missing", grid.name, "", "", detail=grid.name)
            return
        header_row, columns = found
        missing = [c for c in REQUIRED_USAGE if c not in columns]
        if missing:
            self.add(
                "column_missing",
                grid.name,
                self._a1(grid, header_row, 0),
                "、".join(missing),
                detail=grid.name,
            )
            return
        self._read_title_lines(grid, header_row)
        if not self.report_date:
            self.add("report_date_missing", grid.name)
        else:
            self._check_deadline(grid)
        unit = columns["revenue"][1]
        multiplier = UNIT_MULTIPLIERS.get(unit)
        if multiplier is None:
            self.add(
                "column_missing",
                grid.name,
                self._a1(grid, header_row, columns["revenue"][0]),
                f"收入({unit})",
                detail=grid.name,
            )
            return
        rows, total = self._data_rows(grid, header_row, columns)
        self.rows_read = len(rows)
        parsed = [self._parse_usage_row(grid, i, row, columns, multiplier) for i, row in rows]
        if total is not None:
            self._check_total(grid, total, columns, multiplier, parsed)
        good = [r for r in parsed if r is not None]
        self.usage = self._drop_duplicates(grid, pd.DataFrame(good, columns=USAGE_COLUMNS))

    def _check_deadline(self, grid: Grid) -> None:
        deadline_day = int(self.ref.rules.for_month(self.month).get("submission.deadline_day"))
        if _timeliness(self.report_date, self.month, self.ref) == "late":
            self.add(
                "report_late",
                grid.name,
                "",
                self.report_date,
                detail=self.report_date,
                deadline=deadline_day,
            )

    def _data_rows(
        self, grid: Grid, header_row: int, columns
    ) -> tuple[list[tuple[int, list]], tuple[int, list] | None]:
        """Data rows below the header; the 合计 row apart; stop at the footer."""
        totals, footers = self.ref.markers("total_row"), self.ref.markers("footer")
        rows: list[tuple[int, list]] = []
        total = None
        for i in range(header_row + 1, len(grid.cells)):
            row = grid.cells[i]
            texts = [normalise(c) for c in row if _filled(c)]
            if not texts:
                continue
            if any(t.startswith(footers) for t in texts[:2]):
                break
            if any(t in totals for t in texts[:3]):
                total = (i, row)
                continue
            rows.append((i, row))
        return rows, total

    def _cell(self, row: list, columns, key: str) -> object:
        j = columns[key][0]
        return row[j] if j < len(row) else ""

    def _parse_usage_row(self, grid: Grid, i: int, row: list, columns, multiplier: int) -> list | None:
        sheet, problems_before = grid.name, len(self.problems)
        cell = lambda key: self._cell(row, columns, key)  # noqa: E731
        a1 = lambda key: self._a1(grid, i, columns[key][0])  # noqa: E731
        customer_id = _clean_text(cell("customer_id"))
        for key in ("customer_id", "business_type", "manager", "collection"):
            if not _clean_text(cell(key)):
                self.add("required_missing", sheet, a1(key), "")
        business = self.ref.business_index.match(cell("business_type"))
        if business is None and _clean_text(cell("business_type")):
            self.add("business_unknown", sheet, a1("business_type"), cell("business_type"))
        volume = self._amount(grid, i, columns, row, "volume", 1, integer=True)
        revenue = self._amount(grid, i, columns, row, "revenue", multiplier, integer=False)
        manager_id = self._manager(cell("manager"))
        if manager_id is None and _clean_text(cell("manager")):
            self.add("manager_unknown", sheet, a1("manager"), cell("manager"))
        collection = self.ref.value_index("collection").match(cell("collection"))
        if collection is None and _clean_text(cell("collection")):
            self.add("collection_unknown", sheet, a1("collection"), cell("collection"))
        if len(self.problems) > problems_before:
            self._quarantine_row(grid, i, row, self.problems[problems_before].code)
            return None
        name = _clean_text(cell("customer_name")) if "customer_name" in columns else ""
        self._all_rows.append({"sheet": sheet, "row": self._excel_row(grid, i)})
        return [
            self.month,
            self.county_name,
            customer_id,
            name,
            business,
            int(volume),
            to_fen(revenue),
            manager_id,
            collection,
            self.path.name,
            sheet,
            self._excel_row(grid, i),
        ]

    def _amount(self, grid, i, columns, row, key, multiplier, integer: bool) -> Decimal | None:
        raw = self._cell(row, columns, key)
        if not _filled(raw):
            self.add("required_missing", grid.name, self._a1(grid, i, columns[key][0]), "")
            return None
        value = parse_number(raw)
        if value is None or (integer and value != value.to_integral_value()):
            self.add("amount_invalid", grid.name, self._a1(grid, i, columns[key][0]), raw)
            return None
        if value < 0:
            self.add("amount_negative", grid.name, self._a1(grid, i, columns[key][0]), raw)
            return None
        return value * multiplier

    def _manager(self, raw: object) -> str | None:
        text = _clean_text(raw)
        county_of = self.ref.manager_county
        if text in county_of:
            return text
        ids = self.ref.manager_by_name.get(normalise(text), [])
        if len(ids) > 1:  # namesakes: the one of this county or of the 州局
            ids = [m for m in ids if county_of[m] in (self.county, PREFECTURE_OFFICE)] or ids
        return ids[0] if ids else None

    def _check_total(self, grid, total, columns, multiplier, parsed) -> None:
        i, row = total
        rows_volume = sum(r[5] for r in parsed if r is not None)
        rows_revenue = sum(r[6] for r in parsed if r is not None)
        if len(parsed) != sum(r is not None for r in parsed):
            return  # rows with problems are reported one by one; the total cannot be checked
        checks = (("volume", rows_volume, 1, 1), ("revenue", rows_revenue, multiplier, 100))
        for key, expected, unit, scale in checks:
            raw = self._cell(row, columns, key)
            if not _filled(raw):
                continue
            value = parse_number(raw)
            stated = None if value is None else value * unit * scale
            tolerance = Decimal(len(parsed)) / 2 if key == "revenue" and multiplier > 1 else Decimal("0.5")
            if stated is None or abs(stated - expected) > tolerance:
                shown = (
                    f"{raw},明细合计 {expected / scale:.2f}"
                    if key == "revenue"
                    else f"{raw},明细合计 {expected}"
                )
                self.add(
                    "total_mismatch",
                    grid.name,
                    self._a1(grid, i, columns[key][0]),
                    raw,
                    detail=shown,
                )

    def _drop_duplicates(self, grid: Grid, usage: pd.DataFrame) -> pd.DataFrame:
        """Rows repeating a customer × business type are all rejected: which one is right is unknown."""
        dup = usage.duplicated(["customer_id", "business_type"], keep=False)
        if not dup.any():
            return usage.reset_index(drop=True)
        for _, group in usage[dup].groupby(["customer_id", "business_type"], sort=True):
            rows = "、".join(f"第{r}行" for r in group.source_row)
            for r in group.itertuples():
                self.add("duplicate_row", grid.name, f"A{r.source_row}", r.customer_id, detail=rows)
                self._quarantine.append(
                    {
                        "county": self.county_name,
                        "file": self.path.name,
                        "sheet": grid.name,
                        "row": r.source_row,
                        "code": "duplicate_row",
                        "values": " | ".join(
                            [r.customer_id, r.business_type, str(r.volume), f"{r.revenue_fen / 100:.2f}"]
                        ),
                    }
                )
        return usage[~dup].reset_index(drop=True)

    def _quarantine_row(self, grid: Grid, i: int, row: list, code: str) -> None:
        self._quarantine.append(
            {
                "county": self.county_name,
                "file": self.path.name,
                "sheet": grid.name,
                "row": self._excel_row(grid, i),
                "code": code,
                "values": " | ".join(_clean_text(c) for c in row),
            }
        )

    def quarantine_frame(self, all_rows: bool = False) -> pd.DataFrame:
        """Rejected rows; for a rejected county, a note for every row read (none is used)."""
        rows = list(self._quarantine)
        if all_rows and self.rows_read:
            rows.append(
                {
                    "county": self.county_name,
                    "file": self.path.name,
                    "sheet": "",
                    "row": "",
                    "code": "county_rejected",
                    "values": f"整表退回,共 {self.rows_read} 行未使用",
                }
            )
        return pd.DataFrame(rows, columns=QUARANTINE_COLUMNS).astype({"row": str})

    # -- archive and visits (lightly checked here; the archive history is built per month)

    def _read_sheet_records(self, grid: Grid, kind: str) -> list[tuple[int, dict[str, str]]]:
        found = self._find_header(grid, kind)
        if found is None:
            return []
        header_row, columns = found
        out = []
        for i in range(header_row + 1, len(grid.cells)):
            row = grid.cells[i]
            if not any(_filled(c) for c in row):
                continue
            out.append(
                (
                    self._excel_row(grid, i),
                    {k: _clean_text(row[j]) if j < len(row) else "" for k, (j, _) in columns.items()},
                )
            )
        return out

    def _read_archive(self, grid: Grid) -> None:
        records = []
        yes_no = self.ref.value_index("yes_no")
        for excel_row, r in self._read_sheet_records(grid, "archive"):
            if not r.get("customer_id"):
                continue
            records.append(
                {
                    **{c: r.get(c, "") for c in ARCHIVE_COLUMNS},
                    "manager_id": self._manager(r.get("manager", "")) or "",
                    "partner": yes_no.match(r.get("partner", "")) or "否",
                    "county_designated": yes_no.match(r.get("county_designated", "")) or "否",
                    "updated": _iso_date(r.get("updated", "")),
                    "county": self.county_name,
                    "source_file": self.path.name,
                    "source_row": excel_row,
                }
            )
        self.archive = pd.DataFrame(records, columns=ARCHIVE_COLUMNS)

    def _read_visits(self, grid: Grid) -> None:
        methods = self.ref.value_index("visit_method")
        records = []
        for excel_row, r in self._read_sheet_records(grid, "visits"):
            if not r.get("customer_id"):
                continue
            records.append(
                {
                    "date": _iso_date(r.get("date", "")),
                    "customer_id": r["customer_id"],
                    "manager_id": self._manager(r.get("manager", "")) or "",
                    "method": methods.match(r.get("method", "")) or r.get("method", ""),
                    "content": r.get("content", ""),
                    "feedback": r.get("feedback", ""),
                    "county": self.county_name,
                    "source_file": self.path.name,
                    "source_row": excel_row,
                }
            )
        self.visits = pd.DataFrame(records, columns=VISIT_COLUMNS)


# -- cell values -------------------------------------------------------------------------


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _clean_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


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


def _iso_date(value: str) -> str:
    found = _DATE.search(normalise(value))
    if not found:
        return ""
    try:
        return date(*map(int, found.groups())).isoformat()
    except ValueError:
        return ""


# -- a whole month -------------------------------------------------------------------------


@dataclass
class MonthIntake:
    """Every county's intake of a month, combined."""

    usage: pd.DataFrame
    archive: pd.DataFrame
    visits: pd.DataFrame
    problems: pd.DataFrame
    quarantine: pd.DataFrame


def combine(intakes: list[CountyIntake], extra_problems: list[Problem] = ()) -> MonthIntake:
    """Concatenate the counties' accepted rows, problems and quarantined rows."""

    def cat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    problems = cat(
        [i.problems for i in intakes] + [to_frame(list(extra_problems))], list(to_frame([]).columns)
    )
    return MonthIntake(
        usage=cat([i.usage for i in intakes], USAGE_COLUMNS).astype(
            {"volume": "int64", "revenue_fen": "int64"}
        ),
        archive=cat([i.archive for i in intakes], ARCHIVE_COLUMNS),
        visits=cat([i.visits for i in intakes], VISIT_COLUMNS),
        problems=problems,
        quarantine=cat([i.quarantine for i in intakes], QUARANTINE_COLUMNS),
    )


def unknown_file_problems(unknown: list[Path]) -> list[Problem]:
    return [problem("county_unknown", file=p.name) for p in unknown]
