"""Month keys: people and files say YYYY-MM; Dagster's monthly partitions say YYYY-MM-01."""

from __future__ import annotations

import re

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def shift(month: str, n: int) -> str:
    """`month` moved by `n` months (negative: earlier)."""
    y, m = map(int, month.split("-"))
    k = y * 12 + m - 1 + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


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
    return f"{month[:4]}年{int(month[5:])}月"
