"""The project register (项目登记): the centre's marketing projects, one workbook a year
(`inputs/projects/项目登记_YYYY.xlsx`), read like a county workbook: the header found through its
aliases wherever it is, every problem at its cell with the raw value and what to do, a bad row
reported and kept with its raw values (never dropped in silence), the other rows used.

A project: 项目编号, 名称, 牵头单位 (州局 or a county), 负责客户经理, 目标客户 (customer ids separated
by 、 / , or a rule `企业性质=党政军机关;县=会理市`), 业务种类 (several, or 全部), 开始月份 and
结束月份 (the cycle, at most `MAX_CYCLE_MONTHS`), the targets (目标收入(元), 目标新增大客户,
目标转化客户) and 状态.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from pipeline.core.money import YUAN_UNITS, to_fen
from pipeline.core.problems import Problem, effect, problem
from pipeline.core.text import AliasIndex, normalise
from pipeline.ingest.grid import (
    MAX_AMOUNT,
    UnreadableFile,
    cached_grids,
    clean_text,
    find_header,
    parse_number,
    says_yuan,
    uncached_formulas,
)
from pipeline.ingest.reference import PREFECTURE_OFFICE, PREFECTURE_OFFICE_NAME, Reference
from pipeline.ingest.sheets import LISTS_SHEET

FOLDER = "projects"  # under inputs/
FILE_PATTERN = "项目登记_*.xlsx"
SHEET = "项目登记"
MAX_CYCLE_MONTHS = 12  # a longer cycle is a plan, not a project: its baseline would reach too far back
ALL_BUSINESS = "全部"
STATUSES = ("计划", "进行中", "已结束", "已取消", "草稿")
NOT_COUNTED = ("已取消", "草稿")  # registered but neither a plan of the year nor a basis for scoring

# the register's header, as the centre's workbook and the sample write it
PROJECT_HEADER = [
    "项目编号",
    "名称",
    "牵头单位",
    "负责客户经理",
    "目标客户",
    "业务种类",
    "开始月份",
    "结束月份",
    "目标收入(元)",
    "目标新增大客户",
    "目标转化客户",
    "状态",
]
COLUMNS = AliasIndex(
    {
        "project_id": ["项目编号", "编号", "项目代码"],
        "name": ["名称", "项目名称"],
        "lead": ["牵头单位", "牵头", "责任单位"],
        "manager": ["负责客户经理", "客户经理", "负责人", "工号"],
        "targets": ["目标客户", "客户范围", "目标客户范围"],
        "business": ["业务种类", "业务", "目标业务"],
        "start": ["开始月份", "开始", "起始月份"],
        "end": ["结束月份", "结束", "截止月份"],
        "target_revenue": ["目标收入", "收入目标"],
        "target_new_accounts": ["目标新增大客户", "新增大客户目标"],
        "target_converted": ["目标转化客户", "转化客户目标"],
        "status": ["状态", "项目状态"],
    }
)
REQUIRED = ("project_id", "name", "lead", "manager", "targets", "business", "start", "end")
RULE_KEYS = {
    "企业性质": "nature",
    "性质": "nature",
    "县": "county",
    "县(市)": "county",
    "客户经理": "manager",
}
_FILE_YEAR = re.compile(r"(\d{4})")
_SPLIT = re.compile(r"[、/,，;；\s]+")
_RULE_SPLIT = re.compile(r"[;；]")
_MONTH = re.compile(r"^(\d{4})\D{0,2}?(\d{1,2})(?:月|\D\d{1,2}日?)?$")
REGISTER_COLUMNS = [
    "project_id",
    "name",
    "lead",  # county code or PREFECTURE_OFFICE
    "lead_name",
    "manager_id",
    "targets",  # as typed: ids or a rule
    "target_ids",  # 、-joined ids ("" for a rule)
    "target_rule",  # normalised rule `key=value;…` ("" for ids)
    "business_types",  # canonical names joined by 、, or 全部
    "start",
    "end",
    "target_revenue_fen",
    "target_new_accounts",
    "target_converted",
    "status",
    "source_file",
    "source_sheet",
    "source_row",
    "targets_cell",
    "id_cell",
]
REJECTED_COLUMNS = ["county", "file", "sheet", "row", "code", "values"]


def register_files(inputs: Path, years: set[int] | None = None) -> list[Path]:
    """The register workbooks (of `years` only, when given: the year is in the file's name)."""
    folder = inputs / FOLDER
    found = sorted(p for p in folder.glob(FILE_PATTERN) if p.is_file() and not p.name.startswith("~$"))
    return [p for p in found if years is None or file_year(p) in years]


def file_year(path: Path) -> int | None:
    match = _FILE_YEAR.search(path.stem)
    return int(match.group(1)) if match else None


def years_read(month: str) -> set[int]:
    """A month reads the registers of its year and the year before (a cycle may cross the new
    year; a project is registered in the year it starts)."""
    year = int(month[:4])
    return {year - 1, year}


def parse_month(value: object) -> str | None:
    """2026-03, 2026年3月, 2026/3, 202603 or a date cell → YYYY-MM; None when unreadable."""
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    text = normalise(value)
    if re.fullmatch(r"\d{6}", text):
        text = f"{text[:4]}-{text[4:]}"
    match = _MONTH.match(text)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def months_between(start: str, end: str) -> int:
    """Months from `start` to `end`, both included (0 or less when `end` is before `start`)."""
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:]) - int(start[5:]) + 1


def read_register(
    inputs: Path, ref: Reference, month: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """The register workbooks of `inputs/projects/` (those `month` reads, or all):
    (projects, rejected rows, problems)."""
    rows: list[dict] = []
    rejected: list[dict] = []
    problems: list[Problem] = []
    unused: list[dict] = []  # rejected rows that name a 项目编号: a duplicate of one is still one
    sheets: dict[tuple[str, str], int] = {}  # (file, sheet) → its place in the reading order
    for path in register_files(inputs, years_read(month) if month else None):
        _read_file(path, ref, rows, rejected, problems, unused)
        sheets |= {(path.name, name): len(sheets) + n for n, name in enumerate(_sheet_names(path))}
    register = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    register, rejected = _no_duplicates(register, rejected, problems, unused, sheets)
    return (
        register.reset_index(drop=True),
        pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
        problems,
    )


def _sheet_names(path: Path) -> list[str]:
    try:
        return [grid.name for grid in cached_grids(path)]
    except UnreadableFile:
        return []


def _read_file(path: Path, ref: Reference, rows: list, rejected: list, problems: list, unused: list) -> None:
    where = {"county": PREFECTURE_OFFICE_NAME, "file": path.name}
    try:
        grids = cached_grids(path)
    except UnreadableFile as exc:
        problems.append(problem("file_unreadable", **where, detail=str(exc)))
        rejected.append(_rejected(path.name, "", None, "file_unreadable", ""))
        return
    read, unread, seen = False, [], {}
    formulas = uncached_formulas(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    for grid in grids:  # every sheet with the register's header (一年一表, or one sheet a half-year)
        found = find_header(grid, COLUMNS)
        if not found:
            if grid.name != LISTS_SHEET and any(clean_text(c) for row in grid.cells for c in row):
                unread.append((grid.name, "找不到项目登记表头"))
            continue
        read = True
        header_row, columns = found
        content = tuple(tuple(clean_text(c) for c in row) for row in grid.cells[header_row:])
        if content in seen:  # Excel's copy of a sheet (项目登记 (2)): the same rows once, not twice
            unread.append((grid.name, f"与工作表“{seen[content]}”内容相同"))
            continue
        seen[content] = grid.name
        absent = [k for k in REQUIRED if k not in columns]
        if absent:
            labels = "、".join(PROJECT_HEADER[list(COLUMNS_ORDER).index(k)] for k in absent)
            problems.append(
                problem("column_missing", **where, sheet=grid.name, detail=f"{grid.name}:{labels}")
            )
            rejected.append(_rejected(path.name, grid.name, None, "column_missing", labels))
            continue
        for i in range(header_row + 1, len(grid.cells)):
            raw = grid.cells[i]
            if not any(clean_text(c) for c in raw):
                continue
            row, codes = _row(grid, columns, i, ref, {**where, "sheet": grid.name}, problems, formulas)
            if codes:
                values = " | ".join(clean_text(c) for c in raw)
                rejected.append(_rejected(path.name, grid.name, grid.row0 + i + 1, ",".join(codes), values))
                if row.get("project_id"):
                    unused.append({**row, "rejected": rejected[-1]})
            else:
                rows.append(row)
    if not read:
        problems.append(problem("sheet_missing", **where, detail=SHEET))
        rejected.append(_rejected(path.name, "", None, "sheet_missing", ""))
        return
    for name, why in unread:  # beside the register's sheets, one with content not read: said
        problems.append(problem("sheet_not_read", **where, sheet=name, value=name, detail=why))


COLUMNS_ORDER = (
    "project_id",
    "name",
    "lead",
    "manager",
    "targets",
    "business",
    "start",
    "end",
    "target_revenue",
    "target_new_accounts",
    "target_converted",
    "status",
)


def _rejected(file: str, sheet: str, row: int | None, code: str, values: str) -> dict:
    return {
        "county": PREFECTURE_OFFICE_NAME,
        "file": file,
        "sheet": sheet,
        "row": row,
        "code": code,
        "values": values,
    }


def _row(
    grid, columns, i, ref: Reference, where: dict, problems: list, formulas: dict[tuple[str, str], str]
) -> tuple[dict, list[str]]:
    """One register row: the project, and the codes of the problems that keep it from being used.
    `formulas`: the file's formula cells saved without a result, which read blank."""
    cells = grid.cells[i]
    codes: list[str] = []

    def value(key: str) -> object:
        j = columns[key][0] if key in columns else len(cells)
        return cells[j] if j < len(cells) else ""

    def cell(key: str) -> str:
        return grid.a1(i, columns[key][0]) if key in columns else ""

    def report(code: str, key: str, **details) -> None:
        problems.append(problem(code, **where, cell=cell(key), value=clean_text(value(key)), **details))
        if effect(code) != "warning":
            codes.append(code)

    where_row = {
        "project_id": clean_text(value("project_id")),
        "source_file": where["file"],
        "source_sheet": grid.name,
        "source_row": grid.row0 + i + 1,
        "id_cell": cell("project_id"),
    }
    for key in COLUMNS_ORDER:  # blank because a program saved a formula without its result
        formula = formulas.get((grid.name, cell(key))) if key in columns else None
        if formula is not None and not clean_text(value(key)):
            problems.append(problem("formula_without_value", **where, cell=cell(key), value=formula))
            codes.append("formula_without_value")
    for key in REQUIRED:
        if not clean_text(value(key)) and (grid.name, cell(key)) not in formulas:
            report("required_missing", key)
    if codes:
        return where_row, codes
    lead_text = clean_text(value("lead"))
    lead = (
        PREFECTURE_OFFICE
        if normalise(lead_text) in {normalise(PREFECTURE_OFFICE_NAME), "州局中心", "大客户中心"}
        else ref.county_of_text(lead_text)
    )
    if lead is None:
        report("project_lead_unknown", "lead")
    start, end = parse_month(value("start")), parse_month(value("end"))
    # a namesake told apart by who led at the cycle's start
    manager_id = ref.resolve_manager(clean_text(value("manager")), lead, start)
    if manager_id is None:
        report("manager_unknown", "manager")
    for key, month in (("start", start), ("end", end)):
        if month is None:
            report("project_month_invalid", key)
    if start and end and not 1 <= months_between(start, end) <= MAX_CYCLE_MONTHS:
        why = "结束月份早于开始月份,请核对两个月份" if end < start else "超过 12 个月,请分为多个周期登记"
        report("project_cycle_invalid", "end", detail=f"{start} 至 {end} {why}")
    business = _business(clean_text(value("business")), ref)
    if business is None:
        report("business_unknown", "business")
    target_ids, rule, bad = _targets(clean_text(value("targets")), ref)
    if bad:
        report("project_rule_invalid", "targets", detail=bad)
    amounts = {}
    most = MAX_AMOUNT  # 元: the reader's bound on one cell (ingest.grid)
    for key in ("target_revenue", "target_new_accounts", "target_converted"):
        text = clean_text(value(key))
        number = parse_number(value(key)) if text else Decimal(0)
        counted = clean_text(value("status")) not in NOT_COUNTED  # a draft may lack its target yet
        if not text and key == "target_revenue" and key in columns and counted:
            report("project_target_blank", key)
        if number is None or (key != "target_revenue" and number != number.to_integral_value()):
            report("amount_invalid", key)
            number = Decimal(0)
        elif number < 0:
            report("amount_negative", key, detail=PROJECT_HEADER[COLUMNS_ORDER.index(key)])
        unit = columns[key][1] if key == "target_revenue" and key in columns else ""
        if unit not in YUAN_UNITS:  # 目标收入(美元): refused, never read as 元
            report("amount_unit_unknown", key, detail=unit)
            number = Decimal(0)
        elif YUAN_UNITS[unit] != 1 and says_yuan(value(key)):  # 1,000元 under 目标收入(万元)
            report("amount_unit_conflict", key, detail="目标收入")
            number = Decimal(0)
        number *= YUAN_UNITS.get(unit, 1)
        if number > most:  # an id or a phone number pasted, or a unit's ten thousand times
            report(
                "amount_too_large", key, detail=PROJECT_HEADER[COLUMNS_ORDER.index(key)], limit=f"{most:,}"
            )
            number = Decimal(0)
        amounts[key] = number
    status = clean_text(value("status"))
    if status and status not in STATUSES:
        report("project_status_unknown", "status", detail="、".join(STATUSES))
        status = ""
    row = {
        **where_row,
        "name": clean_text(value("name")),
        "lead": lead or "",
        "lead_name": ref.county_display(lead) if lead else lead_text,
        "manager_id": manager_id or "",
        "targets": clean_text(value("targets")),
        "target_ids": "、".join(target_ids),
        "target_rule": rule,
        "business_types": business or "",
        "start": start or "",
        "end": end or "",
        "target_revenue_fen": to_fen(amounts["target_revenue"]),
        "target_new_accounts": int(amounts["target_new_accounts"]),
        "target_converted": int(amounts["target_converted"]),
        "status": status,
        "targets_cell": cell("targets"),
    }
    return row, codes


def _business(text: str, ref: Reference) -> str | None:
    """Canonical business types joined by 、 (in the reference order), 全部, or None."""
    if normalise(text) in {normalise(ALL_BUSINESS), "所有", "全部业务"}:
        return ALL_BUSINESS
    found = []
    for part in (p for p in _SPLIT.split(text) if p):
        name = ref.business_index.match(part)
        if name is None:
            return None
        found.append(name)
    order = ref.business_order
    return "、".join(sorted(set(found), key=order.index)) if found else None


def targets_of(text: str, ref: Reference) -> tuple[list[str], str, str]:
    """目标客户 as registered → (customer ids, normalised rule, what is wrong): the register's own
    reading, for the site's project pages."""
    return _targets(text, ref)


def _targets(text: str, ref: Reference) -> tuple[list[str], str, str]:
    """(customer ids, normalised rule, what is wrong). A rule has `=`; anything else is ids, but
    a condition's name before `:` (企业性质:事业单位) is a rule mistyped, not two customers."""
    if "=" not in text and "＝" not in text:
        ids = [p for p in _SPLIT.split(text) if p]
        clauses = _RULE_SPLIT.split(text.replace("：", ":"))
        if any(":" in c and c.partition(":")[0].strip() in RULE_KEYS for c in clauses):
            return [], "", "条件应写作“企业性质=党政军机关”(用“=”,不用“:”)"
        return list(dict.fromkeys(ids)), "", "" if ids else text
    natures = set(ref.aliases["values"]["natures"]["names"])
    parts = []
    for clause in (c for c in _RULE_SPLIT.split(text.replace("＝", "=")) if c.strip()):
        key, _, val = (s.strip() for s in clause.partition("="))
        kind = RULE_KEYS.get(key)
        if kind is None or not val:  # "=HYPERLINK(…)" has no key: the clause is quoted as typed
            return [], "", f"“{key or clause.strip()}”不是可用的条件(企业性质、县、客户经理)"
        if kind == "nature":
            values = [v for v in _SPLIT.split(val) if v]
            wrong = [v for v in values if v not in natures]
            if wrong or not values:
                return [], "", f"企业性质“{'、'.join(wrong) or val}”不在{'、'.join(sorted(natures))}之中"
            parts.append(f"企业性质={'、'.join(values)}")
        elif kind == "county":
            codes = [ref.county_of_text(v) for v in _SPLIT.split(val) if v]
            if None in codes or not codes:
                return [], "", f"县“{val}”无法识别"
            parts.append(f"县={'、'.join(ref.county_names[c] for c in codes)}")
        else:
            ids = [ref.resolve_manager(v) for v in _SPLIT.split(val) if v]
            if None in ids or not ids:
                return [], "", f"客户经理“{val}”不在名册中"
            parts.append(f"客户经理={'、'.join(ids)}")
    return [], ";".join(parts), ""


def _no_duplicates(
    register: pd.DataFrame,
    rejected: list,
    problems: list,
    unused: list[dict],
    sheets: dict[tuple[str, str], int],
) -> tuple[pd.DataFrame, list]:
    """A 项目编号 given twice (in one workbook or two): the first row that can be used stays the
    project (its evaluation and its manager's score stand), every other row with the id is
    reported at its cell and not used. A row added under an id already taken, or a corrected copy
    left beside the original, must not take a project away from the month."""
    every = register.assign(rejected=None, position=range(len(register)))
    if unused:
        every = pd.concat([every, pd.DataFrame(unused).reindex(columns=every.columns)], ignore_index=True)
    sheet_place = [sheets.get(k, 0) for k in zip(every.source_file, every.source_sheet, strict=True)]
    every = every.assign(sheet_place=sheet_place).sort_values(["sheet_place", "source_row"], kind="stable")
    twice = every[every.project_id.duplicated(keep=False)]
    dropped = []
    for project_id, group in twice.groupby("project_id", sort=False):
        usable = group[group.rejected.isna()]
        kept = usable.iloc[0] if len(usable) else None
        for r in group.itertuples():
            if kept is not None and r.Index == kept.name:
                continue
            others = group[group.index != r.Index]
            first = kept if kept is not None else others.iloc[0]  # never the row itself
            used = "已采用" if kept is not None else "也未采用"
            detail = f"{first.source_file}“{first.source_sheet}”第{first.source_row}行({used})"
            problems.append(
                problem(
                    "project_duplicate",
                    county=PREFECTURE_OFFICE_NAME,
                    file=r.source_file,
                    sheet=r.source_sheet,
                    cell=r.id_cell,
                    value=project_id,
                    detail=detail,
                )
            )
            if isinstance(r.rejected, dict):  # already not used: its rejected row names both causes
                r.rejected["code"] += ",project_duplicate"
            else:
                dropped.append(int(r.position))
                rejected.append(
                    _rejected(r.source_file, r.source_sheet, r.source_row, "project_duplicate", project_id)
                )
    return register.drop(index=register.index[dropped]), rejected
