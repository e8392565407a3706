"""对账: the counties' reported usage against the 量收系统 export, per customer × business type.

Three kinds of difference (对账差异, `reconciliation.csv`), each a warning to the county:
- `system_only`: the system booked the customer × business this month, the county did not report it;
- `county_only`: the county reported it, the system has nothing;
- `amount_differs`: both have it, and 收入 differs by more than both tolerances of the rules
  (`[period.reconciliation]` tolerance_yuan, and tolerance_share of the system's amount) or
  用邮量 by more than tolerance_share of the system's.

Only counties whose workbook was accepted and that the export covers (at least one row assigned
to them) are compared: a missing or rejected county's usage is unknown, not zero, and an export
without a county's rows says nothing about it. A system row's county is the reporting county's
where the county reported the customer, else the export's 县(市) column, else the customer's
county in the archive; a row placed nowhere is `system_county_unknown`. A pair with an export row
not read (`SystemExport.unread`) is not `county_only`: the system's figure is unknown, as the
county's is for a rejected row of its report (`incomplete`). The system figures never replace
the county's: `revenue_source` names the source of record for revenue, and "system" is refused
(a warning) until it is supported, so the month's figures stay the counties'.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline.core.contract import RECONCILIATION
from pipeline.core.money import format_yuan
from pipeline.core.problems import Problem, problem
from pipeline.core.rules import Rules
from pipeline.ingest.grid import UnreadableFile, cached_grids, find_header
from pipeline.ingest.reference import PREFECTURE_OFFICE_NAME, Reference
from pipeline.ingest.submissions import ACCEPTED
from pipeline.ingest.system import SystemExport, reject_row, rejected_frame

SYSTEM_ONLY, COUNTY_ONLY, AMOUNT_DIFFERS = "system_only", "county_only", "amount_differs"
KINDS = (SYSTEM_ONLY, COUNTY_ONLY, AMOUNT_DIFFERS)
KIND_LABELS = {SYSTEM_ONLY: "县报表漏报", COUNTY_ONLY: "系统中没有", AMOUNT_DIFFERS: "金额不符"}
COMPARED, NO_EXPORT, NOT_ACCEPTED = "compared", "no_export", "not_accepted"
STATUS_LABELS = {COMPARED: "已对账", NO_EXPORT: "系统数据未含该县", NOT_ACCEPTED: "报表未采用,未对账"}
SOURCES = {"county": "县(市)报表", "system": "量收系统"}
SUPPORTED_SOURCES = ("county",)
DEFAULTS = {"tolerance_yuan": "1.00", "tolerance_share": "0.005", "revenue_source": "county"}
BY_COUNTY_COLUMNS = [
    "county",
    "business_type",
    "status",
    "county_revenue_fen",
    "system_revenue_fen",
    "revenue_diff_fen",
    "matched",
    *KINDS,
]


@dataclass(frozen=True)
class Tolerance:
    yuan: Decimal
    share: Decimal
    source: str  # revenue_source of the rules

    @classmethod
    def of(cls, rules: Rules) -> Tolerance:
        try:
            given = rules.get("reconciliation")
        except KeyError:
            given = {}
        values = {**DEFAULTS, **given}
        return cls(
            Decimal(str(values["tolerance_yuan"])),
            Decimal(str(values["tolerance_share"])),
            str(values["revenue_source"]),
        )

    def revenue_differs(self, county_fen: int, system_fen: int) -> bool:
        diff = abs(county_fen - system_fen)
        return diff > self.yuan * 100 and diff > self.share * abs(system_fen)

    def volume_differs(self, county: int, system: int) -> bool:
        return abs(county - system) > self.share * abs(system)


@dataclass
class Reconciliation:
    found: bool  # the month has a system export
    table: pd.DataFrame  # contract.RECONCILIATION frame (amounts in fen)
    by_county: pd.DataFrame  # BY_COUNTY_COLUMNS: county × business type
    problems: list[Problem]
    rejected: pd.DataFrame  # export rows not compared (contract.REJECTED_ROWS columns)
    note: dict | None  # the bulletin's data quality note; None without an export
    tolerance: Tolerance


def reconcile(
    month: str,
    ref: Reference,
    export: SystemExport,
    usage: pd.DataFrame,
    submissions: pd.DataFrame,
    archive: pd.DataFrame,
    month_dir: Path,
    incomplete: set[str] = frozenset(),
) -> Reconciliation:
    """Compare the month's accepted usage (the usage frame of ingest.county) with the export.
    `incomplete`: customers with a 用邮情况 row rejected this month: the county did report them,
    the row waits for its correction, so the system's figures for them are not "未填报"."""
    rules = ref.rules.for_month(month)
    tolerance = Tolerance.of(rules)
    problems = list(export.problems)
    if tolerance.source not in SOURCES or tolerance.source not in SUPPORTED_SOURCES:
        problems.append(
            problem(
                "reconcile_source_unsupported",
                county=PREFECTURE_OFFICE_NAME,
                file="rules.toml",
                sheet="reconciliation",
                value=tolerance.source,
                detail=SOURCES.get(tolerance.source, tolerance.source),
            )
        )
    if not export.found:
        empty = pd.DataFrame(columns=RECONCILIATION.frame_columns)
        return Reconciliation(
            False,
            empty,
            pd.DataFrame(columns=BY_COUNTY_COLUMNS),
            problems,
            rejected_frame(export),
            None,
            tolerance,
        )
    status = dict(zip(submissions.county, submissions.status, strict=True))
    system = _assign_counties(export, usage, archive)
    for r in system[system.county == ""].to_dict("records"):
        problems.append(_unplaced(r))
        reject_row(export, r, "system_county_unknown")
    system = system[system.county != ""]
    covered = set(system.county)
    county_status = {
        county: (
            NOT_ACCEPTED
            if status.get(county) not in ACCEPTED
            else COMPARED
            if county in covered
            else NO_EXPORT
        )
        for county in ref.county_names.values()
    }
    compared = {c for c, s in county_status.items() if s == COMPARED}
    pairs = _pairs(usage[usage.county.isin(compared)], system[system.county.isin(compared)])
    amounts = ("county_revenue_fen", "system_revenue_fen", "county_volume", "system_volume")
    pairs["kind"] = [
        _kind(*values, tolerance) for values in zip(*(pairs[c].tolist() for c in amounts), strict=True)
    ]
    reported_but_rejected = (pairs.kind == SYSTEM_ONLY) & pairs.customer_id.isin(incomplete)
    pairs.loc[reported_but_rejected, "kind"] = ""
    # and the system-side equivalent: an export row not read is a problem of the export, named
    # at its cell (system_value_invalid); the pair's system figure is then unknown or partial,
    # neither "系统中没有" nor a difference for the county to chase
    partial = pairs.kind.isin([COUNTY_ONLY, AMOUNT_DIFFERS]) & _unread(pairs, export.unread)
    pairs.loc[partial, "kind"] = ""
    table = _table(month, pairs[pairs.kind != ""], tolerance)
    files = dict(zip(submissions.county, submissions.file.fillna(""), strict=True))
    sheets = usage.drop_duplicates("county").set_index("county").source_sheet
    table["county_sheet"] = table.county_sheet.where(
        table.county_sheet != "", table.county.map(sheets)
    ).fillna("")
    cells = _county_cells(month_dir, set(zip(table.county_file, table.county_sheet, strict=True)), ref)
    problems += [_problem(r, cells, files, tolerance) for r in table.to_dict("records")]
    by_county = _by_county(pairs, system, usage, county_status, ref)
    note = _note(by_county, county_status, tolerance, export, ref)
    return Reconciliation(True, table, by_county, problems, rejected_frame(export), note, tolerance)


def _assign_counties(export: SystemExport, usage: pd.DataFrame, archive: pd.DataFrame) -> pd.DataFrame:
    """The export's pairs with the county they are compared in (see the module's note)."""
    system = export.rows.copy()
    reported = usage.drop_duplicates("customer_id").set_index("customer_id").county
    archived = (
        archive.drop_duplicates("customer_id").set_index("customer_id").county
        if len(archive)
        else pd.Series(dtype=str)
    )
    by_report = system.customer_id.map(reported)
    by_archive = system.customer_id.map(archived)
    given = system.county.where(system.county != "")
    system["county"] = by_report.fillna(given).fillna(by_archive).fillna("")
    return system


def _unplaced(r: dict) -> Problem:
    """An export row no county can be given to: at its 县(市) cell where that names no county."""
    where = {"county": PREFECTURE_OFFICE_NAME, "file": r["source_file"], "sheet": r["source_sheet"]}
    if r["county_text"]:
        detail = f"导出的机构“{r['county_text']}”无法识别"
        return problem(
            "system_county_unknown", **where, cell=r["county_cell"], value=r["county_text"], detail=detail
        )
    detail = "导出未注明机构"
    return problem(
        "system_county_unknown", **where, cell=r["customer_cell"], value=r["customer_id"], detail=detail
    )


def _unread(pairs: pd.DataFrame, unread: set[tuple[str, str]]) -> pd.Series:
    """Pairs with an export row not read (SystemExport.unread; business type "" for any)."""
    keys = zip(pairs.customer_id, pairs.business_type, strict=True)
    return pd.Series([(c, b) in unread or (c, "") in unread for c, b in keys], index=pairs.index, dtype=bool)


def _pairs(usage: pd.DataFrame, system: pd.DataFrame) -> pd.DataFrame:
    county = usage[
        [
            "county",
            "customer_id",
            "customer_name",
            "business_type",
            "volume",
            "revenue_fen",
            "source_file",
            "source_sheet",
            "source_row",
        ]
    ].rename(
        columns={
            "volume": "county_volume",
            "revenue_fen": "county_revenue_fen",
            "source_file": "county_file",
            "source_sheet": "county_sheet",
            "source_row": "county_row",
        }
    )
    sys = system[
        [
            "county",
            "customer_id",
            "customer_name",
            "business_type",
            "volume",
            "revenue_fen",
            "source_file",
            "source_sheet",
            "source_rows",
            "revenue_cell",
        ]
    ].rename(
        columns={
            "county": "system_county",
            "customer_name": "system_name",
            "volume": "system_volume",
            "revenue_fen": "system_revenue_fen",
            "source_file": "system_file",
            "source_sheet": "system_sheet",
            "source_rows": "system_rows",
            "revenue_cell": "system_cell",
        }
    )
    pairs = county.merge(sys, on=["customer_id", "business_type"], how="outer", sort=True)
    pairs["county"] = pairs.county.fillna(pairs.system_county)
    pairs["customer_name"] = pairs.customer_name.fillna("").where(
        pairs.customer_name.fillna("") != "", pairs.system_name.fillna("")
    )
    for column in (
        "county_volume",
        "county_revenue_fen",
        "county_row",
        "system_volume",
        "system_revenue_fen",
    ):
        pairs[column] = pairs[column].astype("Int64")
    return pairs.drop(columns=["system_county", "system_name"])


def _kind(county_fen, system_fen, county_volume, system_volume, tolerance: Tolerance) -> str:
    """A pair's difference: one side missing, or amounts apart by more than the tolerance. A side
    that is all zero (the template asks for 0 where nothing was sent) is nothing to miss."""
    if pd.isna(county_fen):
        return SYSTEM_ONLY if system_fen or system_volume else ""
    if pd.isna(system_fen):
        return COUNTY_ONLY if county_fen or county_volume else ""
    if tolerance.revenue_differs(int(county_fen), int(system_fen)) or tolerance.volume_differs(
        int(county_volume), int(system_volume)
    ):
        return AMOUNT_DIFFERS
    return ""


def _table(month: str, diffs: pd.DataFrame, tolerance: Tolerance) -> pd.DataFrame:
    county_fen = diffs.county_revenue_fen.fillna(0).astype("int64")
    system_fen = diffs.system_revenue_fen.fillna(0).astype("int64")
    record = "system" if tolerance.source == "system" else "county"
    out = pd.DataFrame(
        {
            "month": month,
            "county": diffs.county,
            "customer_id": diffs.customer_id,
            "business_type": diffs.business_type,
            "kind": diffs.kind,
            "county_volume": diffs.county_volume,
            "system_volume": diffs.system_volume,
            "volume_diff": (diffs.county_volume.fillna(0) - diffs.system_volume.fillna(0)).astype("int64"),
            "county_revenue_fen": diffs.county_revenue_fen,
            "system_revenue_fen": diffs.system_revenue_fen,
            "revenue_diff_fen": county_fen - system_fen,
            "record_source": record,
            # the source of record's revenue; where it has no figure, the other one (never blank)
            "record_revenue_fen": (
                diffs.system_revenue_fen.fillna(diffs.county_revenue_fen)
                if record == "system"
                else diffs.county_revenue_fen.fillna(diffs.system_revenue_fen)
            ).astype("int64"),
            "customer_name": diffs.customer_name,
            "county_file": diffs.county_file.fillna(""),
            "county_sheet": diffs.county_sheet.fillna(""),
            "county_row": diffs.county_row,
            "system_file": diffs.system_file.fillna(""),
            "system_sheet": diffs.system_sheet.fillna(""),
            "system_rows": diffs.system_rows.fillna(""),
            "system_cell": diffs.system_cell.fillna(""),
        }
    )
    return out.reset_index(drop=True)


def _county_cells(
    month_dir: Path, sheets: set[tuple[str, str]], ref: Reference
) -> dict[tuple[str, str], dict[str, str]]:
    """(file, sheet) → column letters of 客户编号, 用邮量 and 收入 in the county's usage sheet, found
    again in the file as the reader found them (a file gone since leaves the cell blank); only
    for the sheets a difference points into."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for file, sheet in sorted(sheets):
        if not file:
            continue
        path = month_dir / file
        letters: dict[str, str] = {}
        try:
            grids = cached_grids(path) if path.is_file() else ()
        except UnreadableFile:
            grids = ()
        for grid in grids:
            found = find_header(grid, ref.column_index("usage")) if grid.name == sheet else None
            if found:
                letters = {k: get_column_letter(grid.col0 + j + 1) for k, (j, _) in found[1].items()}
        out[(file, sheet)] = letters
    return out


def _problem(r: dict, cells: dict, files: dict[str, str], tolerance: Tolerance) -> Problem:
    kind = r["kind"]
    unit_name = r["business_type"]
    if kind == SYSTEM_ONLY:
        detail = (
            f"{unit_name}用邮量 {r['system_volume']}、收入 {format_yuan(r['system_revenue_fen'])} 元"
            f"({r['system_file']} 第{r['system_rows']}行)"
        )
        return problem(
            "reconcile_system_only",
            county=r["county"],
            file=files.get(r["county"], ""),
            sheet=r["county_sheet"],
            value=r["customer_id"],
            detail=f"{r['customer_name'] or r['customer_id']} {detail}",
        )
    letters = cells.get((r["county_file"], r["county_sheet"]), {})
    row = int(r["county_row"])
    where = {"county": r["county"], "file": r["county_file"], "sheet": r["county_sheet"]}
    if kind == COUNTY_ONLY:
        cell = f"{letters['customer_id']}{row}" if "customer_id" in letters else ""
        detail = f"{unit_name}(用邮量 {r['county_volume']}、收入 {format_yuan(r['county_revenue_fen'])} 元)"
        return problem("reconcile_county_only", **where, cell=cell, value=r["customer_id"], detail=detail)
    # the cell and the figures beyond the tolerance: a cent within it is nothing to correct
    parts = []
    revenue_off = tolerance.revenue_differs(int(r["county_revenue_fen"]), int(r["system_revenue_fen"]))
    if revenue_off:
        parts.append(
            f"收入 县报 {format_yuan(r['county_revenue_fen'])} 元、"
            f"系统 {format_yuan(r['system_revenue_fen'])} 元,"
            f"差 {format_yuan(r['revenue_diff_fen'])} 元"
        )
    if tolerance.volume_differs(int(r["county_volume"]), int(r["system_volume"])):
        parts.append(f"用邮量 县报 {r['county_volume']}、系统 {r['system_volume']}")
    key = "revenue" if revenue_off else "volume"
    cell = f"{letters[key]}{row}" if key in letters else ""
    value = format_yuan(r["county_revenue_fen"]) if revenue_off else str(r["county_volume"])
    detail = f"{unit_name} " + ";".join(parts) + f"({r['system_file']} 第{r['system_rows']}行)"
    return problem("reconcile_amount_differs", **where, cell=cell, value=value, detail=detail)


def _by_county(pairs, system, usage, county_status, ref: Reference) -> pd.DataFrame:
    """County × business type: both sides' revenue and the differences by kind. Revenue of
    counties not compared is shown for what each side has."""
    county_rev = usage.groupby(["county", "business_type"]).revenue_fen.sum()
    system_rev = system.groupby(["county", "business_type"]).revenue_fen.sum()
    kinds = pairs.groupby(["county", "business_type", "kind"]).size()
    rows = []
    for county, state in county_status.items():
        for business in ref.business_order:
            key = (county, business)
            c = int(county_rev.get(key, 0)) if state != NOT_ACCEPTED else None
            s = int(system_rev.get(key, 0))
            if not c and not s:
                continue
            counts = {k: int(kinds.get((county, business, k), 0)) for k in KINDS}
            rows.append(
                {
                    "county": county,
                    "business_type": business,
                    "status": state,
                    "county_revenue_fen": c,
                    "system_revenue_fen": s,
                    "revenue_diff_fen": (c - s) if c is not None else None,
                    "matched": int(kinds.get((county, business, ""), 0)),
                    **counts,
                }
            )
    frame = pd.DataFrame(rows, columns=BY_COUNTY_COLUMNS)
    return frame.astype({"county_revenue_fen": "Int64", "revenue_diff_fen": "Int64"})


def _totals(frame: pd.DataFrame) -> dict:
    compared = frame[frame.status == COMPARED]
    return {
        "county_revenue_fen": int(compared.county_revenue_fen.sum()),
        "system_revenue_fen": int(compared.system_revenue_fen.sum()),
        "revenue_diff_fen": int(compared.revenue_diff_fen.sum()),
        **{k: int(compared[k].sum()) for k in KINDS},
        "matched": int(compared.matched.sum()),
    }


def _note(by_county, county_status, tolerance: Tolerance, export: SystemExport, ref: Reference) -> dict:
    """The bulletin's data quality note (数据质量说明): totals of the compared counties per county
    and per business type, the counties not compared and why. No file names: a renamed export
    with the same figures changes nothing published."""
    counties = []
    for county, state in county_status.items():
        mine = by_county[by_county.county == county]
        row = {"county": county, "status": state, "status_label": STATUS_LABELS[state]}
        if state == COMPARED:
            row.update(_totals(mine))
        counties.append(row)
    businesses = []
    for business in ref.business_order:
        mine = by_county[by_county.business_type == business]
        if (mine.status == COMPARED).any():
            businesses.append({"business_type": business, **_totals(mine)})
    return {
        "revenue_source": tolerance.source,
        "revenue_source_label": SOURCES.get(tolerance.source, tolerance.source),
        "source_supported": tolerance.source in SUPPORTED_SOURCES,
        "tolerance_yuan": format_yuan(int(tolerance.yuan * 100)),
        "tolerance_share": float(tolerance.share),
        "files": len(export.files),  # every file received, a copy too
        **({"copies": len(export.copies)} if export.copies else {}),
        "rows_read": export.rows_read,
        "rows_rejected": len(export.rejected),
        "total": _totals(by_county),
        "by_county": [c for c in counties if c["status"] == COMPARED],
        "no_export": [c["county"] for c in counties if c["status"] == NO_EXPORT],
        "not_accepted": [c["county"] for c in counties if c["status"] == NOT_ACCEPTED],
        "by_business": businesses,
        "table": "reconciliation.csv",
    }
