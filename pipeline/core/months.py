"""Months: the one month type of the product is the key "YYYY-MM" (people and files say it;
Dagster's monthly partitions say YYYY-MM-01). Every calculation on months is made here."""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from zoneinfo import ZoneInfo

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FIRST_MONTH = "2025-01"  # the first month the system holds (Dagster's first partition)
# The counties' and the centre's clock: a month closes at midnight Beijing time, not UTC.
TIMEZONE = "Asia/Shanghai"
# 0–12 in Chinese numerals (近三个月, 2026年十月)
CHINESE_NUMBERS = dict(enumerate("零一二三四五六七八九十", start=0)) | {11: "十一", 12: "十二"}


def year_of(month: str) -> int:
    return int(month[:4])


def number_of(month: str) -> int:
    """'2026-10' → 10."""
    return int(month[5:7])


def same_year(a: str, b: str) -> bool:
    return year_of(a) == year_of(b)


def quarter_of(month: str) -> int:
    return (number_of(month) - 1) // 3 + 1


def shift(month: str, n: int) -> str:
    """`month` moved by `n` months (negative: earlier)."""
    y, m = map(int, month.split("-"))
    k = y * 12 + m - 1 + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def last_day(month: str) -> str:
    """'2026-02' → '2026-02-28': the month's last day, YYYY-MM-DD."""
    return f"{month}-{calendar.monthrange(year_of(month), number_of(month))[1]:02d}"


def next_month(month: str) -> str:
    return shift(month, 1)


def month_range(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included."""
    out, month = [], first
    while month <= last:
        out.append(month)
        month = shift(month, 1)
    return out


def is_month(text: str) -> bool:
    return bool(MONTH_PATTERN.match(text))


def to_partition_key(month: str) -> str:
    return f"{month}-01"


def from_partition_key(key: str) -> str:
    return key[:7]


def chinese_month(month: str) -> str:
    """'2026-10' → '2026年10月'."""
    return f"{year_of(month)}年{number_of(month)}月"


def chinese_day(month: str, day: int) -> str:
    """('2026-12', 3) → '2026年12月3日'."""
    return f"{chinese_month(month)}{day}日"


def last_closed_month(now: datetime | None = None) -> str:
    """The month before the current one on the centre's clock: the latest that can be run."""
    now = (now or datetime.now(ZoneInfo(TIMEZONE))).astimezone(ZoneInfo(TIMEZONE))
    return shift(f"{now.year:04d}-{now.month:02d}", -1)


def why_not_available(month: str, last_closed: str, deadline_day: int | None = None) -> str:
    """Why `month` cannot be processed, in the operator's words; "" when it can. A month can be
    run from the 1st of the following month (counties report by `deadline_day` of that month)."""
    if month < FIRST_MONTH:
        first = chinese_month(FIRST_MONTH)
        return f"{chinese_month(month)}早于本系统的第一个月份({first}),没有该月的数据可处理"
    if month <= last_closed:
        return ""
    state = "尚未结束" if month == shift(last_closed, 1) else "尚未开始"
    opens = shift(month, 1)
    deadline = f",各县(市)报表应于{chinese_day(opens, deadline_day)}前报送" if deadline_day else ""
    return f"{chinese_month(month)}{state}:自{chinese_day(opens, 1)}起才能处理{deadline}"
