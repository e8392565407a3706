"""问题清单.xlsx: the month's problems for the operator, in Chinese — a 汇总 sheet of every
county and one sheet per county with problems. problems.csv stays the machine contract."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pandas as pd

from pipeline.core.contract import PROBLEMS, SUBMISSIONS
from pipeline.core.months import number_of, year_of
from pipeline.core.problems import ERROR, SEVERITY_LABELS, WARNING, label
from pipeline.core.tables import write_table
from pipeline.ingest.reference import PREFECTURE_OFFICE_NAME
from pipeline.ingest.submissions import STATUS_LABELS, counted_over
from pipeline.render.xlsx import Sheets, write_sheets

WORKBOOK_NAME = "问题清单.xlsx"
SUMMARY_SHEET = "汇总"
UNKNOWN_SHEET = "未识别县(市)的文件"
DETAIL_HEADERS = ["级别", "问题", "文件", "工作表", "单元格", "原值", "处理意见"]
SUMMARY_HEADERS = ["县(市)", "报送状态", "文件", "错误", "提示", "问题"]
_DETAIL_COLUMNS = ["file", "sheet", "cell", "value", "message"]


def reasons(problems: pd.DataFrame, county: str) -> str:
    """The county's problems by kind, most frequent first: '必填项为空 3 处、业务种类无法识别'."""
    codes = Counter(problems.code[problems.county == county]) if len(problems) else Counter()
    return "、".join(label(code) + (f" {n} 处" if n > 1 else "") for code, n in codes.most_common())


def problem_sheets(problems: pd.DataFrame, submissions: pd.DataFrame) -> Sheets:
    """汇总 (every county in reference order, the 州局's own 考核评分 sheet, then files of no
    known county) and a sheet per county with problems, in the same order. The counts are of
    every problem of the month, those found after reading too (新揽收, 对账)."""
    counts = Counter(zip(problems.county, problems.severity, strict=True)) if len(problems) else Counter()
    summary = [
        [
            r.county,
            STATUS_LABELS.get(r.status, r.status),
            r.file,
            counts[(r.county, ERROR)],
            counts[(r.county, WARNING)],
            reasons(problems, r.county),
        ]
        for r in submissions.itertuples()
    ]
    sheets: Sheets = {SUMMARY_SHEET: (SUMMARY_HEADERS, summary)}
    order = [
        *submissions.county,
        PREFECTURE_OFFICE_NAME,
        "",
    ]  # the 州局's own 考核评分 sheet after the counties
    present = set(problems.county) if len(problems) else set()
    for county in [c for c in order if c in present]:
        rows = problems[problems.county == county]
        sheets[county or UNKNOWN_SHEET] = (DETAIL_HEADERS, [_detail(r) for r in rows.to_dict("records")])
    if PREFECTURE_OFFICE_NAME in present:
        office = problems[problems.county == PREFECTURE_OFFICE_NAME]
        files = "、".join(dict.fromkeys(f for f in office.file if f))
        errors, warnings = counts[(PREFECTURE_OFFICE_NAME, ERROR)], counts[(PREFECTURE_OFFICE_NAME, WARNING)]
        summary.append(
            [PREFECTURE_OFFICE_NAME, "", files, errors, warnings, reasons(problems, PREFECTURE_OFFICE_NAME)]
        )
    if "" in present:
        unknown = problems[problems.county == ""]
        summary.append([UNKNOWN_SHEET, "", "、".join(unknown.file), len(unknown), 0, reasons(problems, "")])
    return sheets


def _detail(row: dict) -> list:
    severity = SEVERITY_LABELS.get(row["severity"], row["severity"])
    return [severity, label(row["code"]), *(row[c] for c in _DETAIL_COLUMNS)]


def write_problem_workbook(
    folder: Path, month: str, problems: pd.DataFrame, submissions: pd.DataFrame
) -> Path:
    """`folder`/问题清单.xlsx, replaced in one rename; the same problems give the same bytes."""
    path = folder / WORKBOOK_NAME
    stamp = datetime(year_of(month), number_of(month), 1)
    write_sheets(path, problem_sheets(problems, submissions), stamp)
    return path


def write_month_problems(
    tables: Path, problems_dir: Path, month: str, parts: list[pd.DataFrame], submissions: pd.DataFrame
) -> pd.DataFrame:
    """problems.csv and 问题清单.xlsx of the month, complete: `parts` are the counties' problems
    (written first by the intake), the 考核评分 sheet's and the 新揽收 claims' (known only once
    pay is computed); submissions.csv counts them. The sheet's own problems once more on their
    own (assessment_problems.csv). Returns the month's problems, complete."""
    frame = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
    submissions = counted_over(submissions, frame)  # one count of each county's problems everywhere
    write_table(submissions, tables, SUBMISSIONS)
    write_table(frame, tables, PROBLEMS)
    write_table(frame, problems_dir, PROBLEMS)
    write_table(parts[1], tables, "assessment_problems", PROBLEMS.names)
    write_problem_workbook(problems_dir, month, frame, submissions)
    return frame
