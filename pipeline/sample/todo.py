"""Sample key persons' birthdays (关键联系人生日) and visit plans (计划日期) with some missed, for the
managers' to-do lists. Drawn from random streams of their own, seeded from the main seed, so that
every other cell of the sample stays as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.ingest.sheets import ARCHIVE_HEADER, VISIT_HEADER

STREAM = 1717  # this module's random streams: default_rng([seed, STREAM, ...])
BIRTHDAY_SHARE = 0.4  # key persons whose birthday the archive records
PLANNED_SHARE = 0.7  # visits made that had been planned
MISSED_SHARE = 0.05  # customers with usage and no visit whose planned visit was missed


def _birthday(seed: int, customer_id: str) -> str:
    """The key person's birthday of a customer (the same every month), or "" where none is kept;
    written as 03-15 or 3月15日, as counties do."""
    rng = np.random.default_rng([seed, STREAM, int("".join(c for c in customer_id if c.isdigit()) or 0)])
    if rng.random() >= BIRTHDAY_SHARE:
        return ""
    day = pd.Timestamp("2001-01-01") + pd.Timedelta(days=int(rng.integers(0, 365)))
    return f"{day.month:02d}-{day.day:02d}" if rng.random() < 0.5 else f"{day.month}月{day.day}日"


def add_birthdays_and_plans(
    wb, seed: int, t: int, month: str, county_index: int, usage: pd.DataFrame, managers
) -> None:
    """Fill 关键联系人生日 on the workbook's 客户档案 rows and 计划日期 on its 走访记录 rows, and add
    the planned visits that were not made (计划日期 in the month, no 走访日期)."""
    birthday_col = ARCHIVE_HEADER.index("关键联系人生日") + 1
    archive = wb["客户档案"]
    for row in range(2, archive.max_row + 1):
        customer = archive.cell(row, 1).value
        if customer:
            archive.cell(row, birthday_col, _birthday(seed, str(customer)) or None)
    rng = np.random.default_rng([seed, STREAM, t, county_index])
    visits = wb["走访记录"]
    planned_col = VISIT_HEADER.index("计划日期") + 1
    visited = set()
    for row in range(2, visits.max_row + 1):
        made, customer = visits.cell(row, 1).value, visits.cell(row, 2).value
        visited.add(customer)
        if made and rng.random() < PLANNED_SHARE:
            day = int(made[-2:])
            planned = max(1, day - int(rng.integers(0, 4)))  # planned on the day or a few days before
            visits.cell(row, planned_col, f"{month}-{planned:02d}")
    owners = usage.groupby("customer_id").manager_id.first()
    for customer, manager in owners.items():
        if customer in visited or rng.random() >= MISSED_SHARE:
            continue
        planned = f"{month}-{int(rng.integers(1, 29)):02d}"
        visits.append([None, customer, managers[manager], None, None, None, planned])
