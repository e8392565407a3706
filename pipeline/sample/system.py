"""Sample 量收系统 exports (`inputs/YYYY-MM/系统数据/`): what the postal systems booked each month,
with the few differences a real reconciliation finds against the counties' reports.

Drawn from a random stream of its own (seeded from the main seed), so the county workbooks and
everything else in the sample stay as they were. Per month:
- the system books every customer × business the counties' data holds, a few with a cent-level
  rounding difference (within the rules' tolerance);
- a late-booked bill (补记账单): a second line for a pair, booked in the system this month while the
  county reported the bill without it → 金额不符;
- a customer the county forgot: a pair the customer had last month, booked again in the system,
  not reported by its county → 县报表漏报;
- an amount typo: two digits of the system's figure swapped against the county's → 金额不符;
- a pair booked under another 协议号: absent from the system → 系统中没有.
2025 months come as GBK CSV (`量收系统导出_YYYY年MM月.csv`), 2026 months as xlsx.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from pipeline.core.months import next_month
from pipeline.ingest.reference import Reference
from pipeline.ingest.system import SYSTEM_FOLDER
from pipeline.render.xlsx import save_reproducible

STREAM = 19  # this generator's part of the seed
HEADER = ["统计月份", "机构", "协议号", "客户名称", "业务种类", "用邮量", "收入(元)"]
SYSTEM_NAMES = {"特快": "EMS", "快包": "快递包裹"}  # how the system names these business types


def write_system_exports(
    inputs: Path,
    ref: Reference,
    seed: int,
    months: list[str],
    customers: pd.DataFrame,
    usage: pd.DataFrame,
) -> dict[str, list[tuple[str, str, str]]]:
    """Write each month's export; month → the differences planted (kind, customer, business)."""
    names = dict(zip(customers.customer_id, customers.name, strict=True))
    counties = dict(zip(customers.customer_id, customers.county.map(ref.county_names), strict=True))
    planted = {}
    for t, month in enumerate(months):
        rng = np.random.default_rng([seed, STREAM, t])
        this = usage[usage.month == month].sort_values(["customer_id", "business_type"])
        last = usage[usage.month == months[t - 1]] if t else usage.iloc[:0]
        rows, planted[month] = _rows(rng, month, this, last, names, counties)
        folder = inputs / month / SYSTEM_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        y, m = month.split("-")
        if y == "2025":
            _write_csv(folder / f"量收系统导出_{y}年{m}月.csv", rows)
        else:
            _write_xlsx(folder / f"量收系统_{y}年{m}月.xlsx", rows, month)
    return planted


def _rows(rng, month, this, last, names, counties) -> tuple[list[list], list[tuple[str, str, str]]]:
    revenue = np.round(this.revenue.to_numpy(), 2)
    volume = this.volume.to_numpy().astype(int)
    pairs = list(zip(this.customer_id, this.business_type, strict=True))
    n = len(pairs)
    planted: list[tuple[str, str, str]] = []
    extra: list[tuple[str, str, int, float]] = []
    picks = rng.permutation(n)[:4] if n >= 4 else []
    dropped = set()
    if len(picks):
        late, typo, absent, cents = (int(i) for i in picks)
        bill = round(float(revenue[late]) * float(rng.uniform(0.15, 0.4)), 2)
        extra.append((*pairs[late], 0, max(bill, 5.0)))
        planted.append(("amount_differs", *pairs[late]))
        swapped = _swap_digits(float(revenue[typo]), rng)
        if swapped != revenue[typo]:
            revenue[typo] = swapped
            planted.append(("amount_differs", *pairs[typo]))
        dropped.add(absent)
        planted.append(("county_only", *pairs[absent]))
        revenue[cents] = round(float(revenue[cents]) + 0.01 * int(rng.integers(1, 50)), 2)  # tolerated
    gone = last[~last.set_index(["customer_id", "business_type"]).index.isin(pairs)]
    if len(gone):
        r = gone.iloc[int(rng.integers(0, len(gone)))]
        extra.append((r.customer_id, r.business_type, int(r.volume), round(float(r.revenue), 2)))
        planted.append(("system_only", r.customer_id, r.business_type))
    out = []
    for i, (customer, business) in enumerate(pairs):
        if i not in dropped:
            out.append(_row(month, counties, names, customer, business, int(volume[i]), float(revenue[i])))
    for customer, business, v, amount in extra:
        out.append(_row(month, counties, names, customer, business, v, amount))
    return out, sorted(planted)


def _row(month, counties, names, customer, business, volume, revenue) -> list:
    return [
        month,
        f"{counties[customer]}分公司",
        customer,
        names[customer],
        SYSTEM_NAMES.get(business, business),
        volume,
        f"{revenue:.2f}",
    ]


def _swap_digits(amount: float, rng) -> float:
    """The figure with two adjacent digits of its whole 元 swapped (a typing slip)."""
    text = f"{amount:.2f}"
    whole, cents = text.split(".")
    if len(whole) < 2:
        return round(amount + 9, 2)
    i = int(rng.integers(0, len(whole) - 1))
    digits = list(whole)
    digits[i], digits[i + 1] = digits[i + 1], digits[i]
    return float(f"{int(''.join(digits))}.{cents}")


def _write_csv(path: Path, rows: list[list]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode("gbk"))


def _write_xlsx(path: Path, rows: list[list], month: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "量收明细"
    ws.append(HEADER)
    for row in rows:
        ws.append([*row[:6], float(row[6])])
    y, m = map(int, next_month(month).split("-"))
    save_reproducible(wb, path, datetime.combine(date(y, m, 2), datetime.min.time()))
