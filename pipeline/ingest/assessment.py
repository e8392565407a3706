"""The centre's monthly 考核评分 sheet: manual scorecard items and the 突出贡献奖 per manager."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from pipeline.core.money import YUAN_UNITS
from pipeline.core.problems import Problem, problem
from pipeline.core.text import normalise
from pipeline.ingest.files import assessment_files
from pipeline.ingest.grid import (
    UnreadableFile,
    cached_grids,
    clean_text,
    find_header,
    max_amount,
    parse_number,
    says_yuan,
)
from pipeline.ingest.reference import PREFECTURE_OFFICE_NAME, Reference

ASSESSMENT_COLUMNS = [
    "manager_id",
    "market_survey",
    "project_plan",
    "other",
    "award",
    "award_reason",
    "source_row",
    "conflict",
    "award_conflict",
]
MANUAL_ITEMS = ("market_survey", "project_plan", "other")


def assessment_file(month_dir: Path, ref: Reference) -> Path | None:
    """The month's 考核评分 workbook; None when there is none or several (`read_assessment` of
    `assessment_files` says which)."""
    found = assessment_files(month_dir, ref)
    return found[0] if len(found) == 1 else None


def read_assessment(
    path: Path | list[Path] | None, ref: Reference, month: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Rows of the sheet by manager id; scores as Decimal, the award in 元 (Decimal). `path`: the
    workbook, or the month's candidates (`assessment_files`): none is `assessment_missing`,
    several are `assessment_file_duplicate` each and none of them is read."""
    empty = pd.DataFrame(columns=ASSESSMENT_COLUMNS)
    paths = [] if path is None else [path] if isinstance(path, Path) else list(path)
    if not paths:
        return empty, [problem("assessment_missing", county=PREFECTURE_OFFICE_NAME)]
    if len(paths) > 1:
        names = "、".join(p.name for p in paths)
        return empty, [
            problem("assessment_file_duplicate", county=PREFECTURE_OFFICE_NAME, file=p.name, detail=names)
            for p in paths
        ]
    (path,) = paths
    where = {"county": PREFECTURE_OFFICE_NAME, "file": path.name}
    try:
        grids = cached_grids(path)
    except UnreadableFile as exc:
        return empty, [problem("file_unreadable", **where, detail=str(exc))]
    weights = ref.rules.for_month(month).get("scorecard.weights")
    problems: list[Problem] = []
    rows = []
    footers = tuple(ref.markers("footer"))
    read = None
    for grid in grids:
        found = find_header(grid, ref.column_index("assessment"))
        if not found:
            continue
        read = grid
        header_row, columns = found
        for i in range(header_row + 1, len(grid.cells)):
            cells = grid.cells[i]
            value, cell = _row(grid, columns, i)
            manager_id = ref.resolve_manager(clean_text(value("manager_id"))) or ref.resolve_manager(
                clean_text(value("manager")), month=month
            )
            if manager_id is None:
                texts = [normalise(c) for c in cells if clean_text(c)]
                if texts and texts[0].startswith(footers):  # 制表人:… / 审核人:… under the scores
                    continue
                if texts:
                    key = "manager" if "manager" in columns else "manager_id"
                    problems.append(
                        problem(
                            "manager_unknown",
                            **where,
                            sheet=grid.name,
                            cell=cell(key),
                            value=clean_text(value(key)),
                        )
                    )
                continue
            row = {"manager_id": manager_id, "source_row": grid.row0 + i + 1}
            # a blank or unreadable score is None: the manager's manual items are then held
            # (pipeline.pay.scorecard), never taken as 0 (a blank is not "no points")
            for item in MANUAL_ITEMS:
                score = parse_number(value(item)) if clean_text(value(item)) else None
                if clean_text(value(item)) and (score is None or not 0 <= score <= Decimal(weights[item])):
                    problems.append(
                        problem(
                            "score_out_of_range",
                            **where,
                            sheet=grid.name,
                            cell=cell(item),
                            value=clean_text(value(item)),
                            detail=weights[item],
                        )
                    )
                    score = None
                row[item] = score
            award = parse_number(value("award")) if clean_text(value("award")) else Decimal(0)
            most = Decimal(max_amount(ref.rules.for_month(month)))
            unit = columns["award"][1] if "award" in columns else ""
            refused, detail = None, unit
            if award is None or not award.is_finite():
                refused = "award_invalid"
            elif award and unit not in YUAN_UNITS:  # 突出贡献奖(美元): refused, never read as 元
                refused = "amount_unit_unknown"
            elif YUAN_UNITS.get(unit, 1) != 1 and says_yuan(value("award")):  # 1,000元 under (万元)
                refused, detail = "amount_unit_conflict", "突出贡献奖"
            else:
                award *= YUAN_UNITS.get(unit, 1)  # 突出贡献奖(万元)
                refused = None if 0 <= award <= most else "award_invalid"
            if refused:
                problems.append(
                    problem(
                        refused,
                        **where,
                        sheet=grid.name,
                        cell=cell("award"),
                        value=clean_text(value("award")),
                        detail=detail,
                    )
                )
                award = None  # held on the statement (pipeline.pay.lines), not paid as 0
            row["award"] = award
            row["award_reason"] = clean_text(value("award_reason"))
            row["cell"] = cell("manager" if "manager" in columns else "manager_id")
            row["sheet"] = grid.name
            rows.append(row)
        break
    for grid in grids:  # the sheet read is the first with the header: any other with content is said
        if read is not None and grid is not read and any(clean_text(c) for row in grid.cells for c in row):
            why = f"已读取工作表“{read.name}”"
            problems.append(problem("sheet_not_read", **where, sheet=grid.name, value=grid.name, detail=why))
    table = _one_row_per_manager(pd.DataFrame(rows), problems, where)
    table = table.reindex(columns=ASSESSMENT_COLUMNS)
    for column in ("conflict", "award_conflict"):
        table[column] = table[column].astype(object).where(table[column].notna(), "")
    return table, problems


def _one_row_per_manager(rows: pd.DataFrame, problems: list[Problem], where: dict) -> pd.DataFrame:
    """A manager given twice: identical rows count once (a warning); rows that differ are a
    problem each and the manager's manual items are held, never guessed. Nobody else is touched."""
    if rows.empty:
        return rows
    scored = [*MANUAL_ITEMS, "award", "award_reason"]
    out = []
    for _, group in rows.groupby("manager_id", sort=False):
        first = group.iloc[0].to_dict()
        if len(group) > 1:
            lines = "、".join(f"第{r}行" for r in group.source_row)
            same = len(group[scored].astype(str).drop_duplicates()) == 1
            code = "assessment_duplicate" if same else "assessment_conflict"
            for r in group.iloc[1:].itertuples() if same else group.itertuples():
                problems.append(
                    problem(code, **where, sheet=r.sheet, cell=r.cell, value=r.manager_id, detail=lines)
                )
            if not same:
                first["conflict"] = f"考核评分表中此人有 {len(group)} 行且分值不一致({lines})"
                # an award is held too, unless every row gives none: nothing is then pending
                no_award = bool(group.award.notna().all() and (group.award == 0).all())
                first["award_conflict"] = "" if no_award else first["conflict"]
        out.append(first)
    return pd.DataFrame(out)


def _row(grid, columns: dict[str, tuple[int, str]], i: int):
    """(value of a column, A1 cell of a column) for row `i` of the grid."""
    cells = grid.cells[i]

    def value(key: str) -> object:
        j = columns[key][0] if key in columns else len(cells)
        return cells[j] if j < len(cells) else ""

    def cell(key: str) -> str:
        return grid.a1(i, columns[key][0])

    return value, cell
