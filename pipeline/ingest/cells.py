"""Reading a county workbook's cells: amounts in units or fen (or the code of what is wrong
with one), rows that carry figures, a total row, and what a sheet's name says."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TypeVar

from pipeline.core.money import to_fen
from pipeline.core.text import normalise, split_unit
from pipeline.ingest.grid import filled, parse_number, says_yuan

T = TypeVar("T")
TEXT_KEYS = ("customer_id", "customer_name", "business_type", "manager", "collection")


def lookup(values: list, interpret: Callable[[object], T]) -> list[T]:
    """`interpret` applied once per distinct value (county files repeat values a lot). Keyed by
    type as well: True == 1 == 1.0 in Python, and a TRUE cell must not share the reading of 1."""
    keys = [(type(v), v) for v in values]
    cache = {k: interpret(k[1]) for k in set(keys)}
    return [cache[k] for k in keys]


def amount(raw: object, multiplier: int, integer: bool, limit: int) -> int | str:
    """raw × multiplier as an integer (units, or fen with multiplier 100 per 元), or the code of
    the problem with it. Beyond `limit` (in the same units) is refused: such a value is an id or
    a phone number pasted by mistake, and would not fit the month's int64 tables."""
    value = amount_read(raw, multiplier, integer)
    return "amount_too_large" if isinstance(value, int) and value > limit else value


def amount_read(raw: object, multiplier: int, integer: bool) -> int | str:
    """Money is rounded half-up to the fen by the one rule of pipeline.money."""
    if not filled(raw):
        return "required_missing"
    if isinstance(raw, float) and not math.isfinite(raw):
        return "amount_invalid"  # an .xlsx can hold 1E999, read as inf
    if integer and isinstance(raw, float) and raw.is_integer():
        return "amount_negative" if raw < 0 else int(raw)
    if isinstance(raw, float) and not integer:
        scaled = raw * multiplier  # fast path: a float that is a whole number of fen
        nearest = round(scaled)
        if abs(scaled - nearest) <= 8 * math.ulp(scaled):  # within float error, never half a fen
            return "amount_negative" if raw < 0 else int(nearest)
    if not integer and multiplier != 100 and says_yuan(raw):  # 1,000元 under 收入(万元)
        return "amount_unit_conflict"
    value = parse_number(raw)
    if value is None or (integer and value != value.to_integral_value()):
        return "amount_invalid"
    if value < 0:
        return "amount_negative"
    return int(value * multiplier) if integer else to_fen(value * multiplier / 100)


def rows_with_figures(
    cells: list[list], first: int, columns: dict[str, tuple[int, str]]
) -> list[tuple[int, list]]:
    """(index, row) of the rows that carry a customer id and a 用邮量 or 收入: data, not a
    footer line."""

    def at(row: list, key: str) -> object:
        j = columns[key][0]
        return row[j] if j < len(row) else ""

    return [
        (first + k, row)
        for k, row in enumerate(cells)
        if filled(at(row, "customer_id")) and (filled(at(row, "volume")) or filled(at(row, "revenue")))
    ]


def only_text_is_total(row: list, totals: tuple[str, ...]) -> bool:
    """A row whose one text is a 合计/总计 label, the rest numbers or blank: the total row
    wherever the label sits (columns in another order put it outside the first columns)."""
    starts = {m[0] for m in totals}
    if not any(isinstance(c, str) and c.lstrip()[:1] in starts for c in row):
        return False  # cheap test first: most rows hold no such label
    labels = 0
    for cell in row:
        if not isinstance(cell, str) or not cell.strip():
            continue
        if normalise(cell) in totals:
            labels += 1
        elif parse_number(cell) is None:
            return False
    return labels == 1


_MONTH_NUMBER = re.compile(r"(?<!\d)(\d{1,2})月")


def sheet_month(name: str) -> int | None:
    """The month a sheet's name gives (用邮情况(9月), 10月走访记录), None when it names none."""
    found = _MONTH_NUMBER.search(normalise(name))
    return int(found.group(1)) if found and 1 <= int(found.group(1)) <= 12 else None


_SHEET_MONTH = re.compile(r"^(\d{4}年)?\d{1,2}月(份)?|(\d{4}年)?\d{1,2}月(份)?$")


def sheet_name_core(name: str) -> str:
    """A sheet's name without what clerks add to it: a bracketed suffix (用邮情况(10月), the copy
    Excel names 用邮情况 (2)) and a month before or after (10月走访记录, 用邮情况2026年10月)."""
    return _SHEET_MONTH.sub("", split_unit(name)[0]).strip()
