"""The holiday calendar (节日日历, `inputs/reference/holidays.csv`) and key persons' birthdays
(关键联系人生日, month and day only): what the managers' to-do lists (工作清单) take their
greeting days from.

The calendar has one row per holiday and year: 年份, 日期 (YYYY-MM-DD), 节日, 说明 (optional:
where the date comes from). Lunar holidays (春节, 端午, 中秋, 火把节 = 农历六月二十四) are written
as the Gregorian date of that year; 彝族年 is set by the prefecture each year. A row that cannot
be used is reported as a problem naming the file, the row's cell and the value, and is left out;
the other rows are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline.core.problems import Problem, problem
from pipeline.core.text import normalise, read_text_table

HOLIDAYS_FILE = "holidays.csv"
HOLIDAY_HEADER = ["年份", "日期", "节日", "说明"]
HOLIDAY_COLUMNS = ["year", "date", "name", "note"]  # the calendar as the pipeline holds it
REQUIRED_HEADER = HOLIDAY_HEADER[:3]

# 03-15, 3-15, 3/15, 3.15, 3月15日, 3月15号; with a year before: 1978-03-15, 1978年3月15日
_MONTH_DAY = re.compile(r"^(?:(\d{4})[年\-/.])?(\d{1,2})[月\-/.](\d{1,2})[日号]?$")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:\d{2}:\d{2}:\d{2})?$")  # an Excel date cell


@dataclass
class Calendar:
    """The calendar's usable rows and the problems of the others."""

    holidays: pd.DataFrame  # HOLIDAY_COLUMNS, date as YYYY-MM-DD, sorted by date
    problems: list[Problem] = field(default_factory=list)

    def covers(self, year: int) -> bool:
        return bool((self.holidays.year == year).any())


def read_calendar(folder: Path) -> Calendar:
    """The calendar of `folder` (inputs/reference/). Never raises for a mistake in the file."""
    path = folder / HOLIDAYS_FILE
    empty = pd.DataFrame(columns=HOLIDAY_COLUMNS)
    if not path.exists():
        return Calendar(
            empty, [problem("holiday_calendar_missing", file=HOLIDAYS_FILE, detail=HOLIDAYS_FILE)]
        )
    try:
        table = read_text_table(path)
    except ValueError as exc:  # read_text_table's own message: the encoding, the line, an empty file
        bad = problem(
            "holiday_unreadable", file=HOLIDAYS_FILE, detail=str(exc).removeprefix(f"{HOLIDAYS_FILE}:")
        )
        return Calendar(empty, [bad])
    table.columns = [normalise(c) for c in table.columns]
    missing = [c for c in REQUIRED_HEADER if c not in table.columns]
    if missing:
        bad = problem(
            "holiday_invalid",
            file=HOLIDAYS_FILE,
            cell="A1",
            value=",".join(table.columns),
            detail=f"缺少列 {'、'.join(missing)}",
        )
        return Calendar(empty, [bad])
    letters = {c: chr(ord("A") + table.columns.get_loc(c)) for c in REQUIRED_HEADER}
    problems: list[Problem] = []
    rows: list[dict] = []
    seen: dict[tuple[int, str], int] = {}
    for i, r in enumerate(table.itertuples(index=False), start=2):  # row 1 is the header
        raw = dict(zip(table.columns, r, strict=True))
        year_text, day_text, name = (str(raw[c]).strip() for c in REQUIRED_HEADER)
        if not (year_text or day_text or name):
            continue

        def bad(column: str, value: str, detail: str, i: int = i) -> None:
            cell = f"{letters[column]}{i}"
            problems.append(
                problem("holiday_invalid", file=HOLIDAYS_FILE, cell=cell, value=value, detail=detail)
            )

        day = _iso(day_text)
        if not name:
            bad("节日", "", "节日为空")
            continue
        if not day:
            bad("日期", day_text, f"{name}的日期无法识别")
            continue
        if not year_text.isdigit() or int(year_text) != int(day[:4]):
            bad("年份", year_text, f"年份与日期 {day} 不一致")
            continue
        key = (int(year_text), normalise(name))
        if key in seen:
            bad("节日", name, f"{year_text}年{name}重复(第{seen[key]}行已有)")
            continue
        seen[key] = i
        rows.append(
            {"year": int(year_text), "date": day, "name": name, "note": str(raw.get("说明", "")).strip()}
        )
    holidays = pd.DataFrame(rows, columns=HOLIDAY_COLUMNS)
    holidays = holidays.sort_values(["date", "name"], kind="mergesort").reset_index(drop=True)
    return Calendar(holidays.astype({"year": "int64"}), problems)


def _iso(text: str) -> str:
    found = re.fullmatch(r"(\d{4})[\-/.年](\d{1,2})[\-/.月](\d{1,2})日?", normalise(text))
    if not found:
        return ""
    try:
        return date(*map(int, found.groups())).isoformat()
    except ValueError:
        return ""


def parse_month_day(text: str) -> tuple[str, str]:
    """A key person's birthday as MM-DD, and the problem code where there is one:
    ("03-15", "") read; ("03-15", "birthday_year_ignored") a year was given and is dropped;
    ("", "birthday_invalid") not a month and day; ("", "") blank. 02-29 is a valid birthday."""
    value = normalise(text)
    if not value:
        return "", ""
    found = _MONTH_DAY.match(value) or _DATETIME.match(value)
    if not found:
        return "", "birthday_invalid"
    year, month, day = found.groups()
    month_day = f"{int(month):02d}-{int(day):02d}"
    try:
        date(2000, int(month), int(day))  # a leap year: 02-29 is someone's birthday
    except ValueError:
        return "", "birthday_invalid"
    return month_day, ("birthday_year_ignored" if year else "")
