"""Sample project registers (项目登记_YYYY.xlsx) that keep the plan's cadence: the 州局 centre leads
2–4 projects a year, each county 1–2. Drawn from a random generator of their own (seeded from the
main seed), so the rest of the sample does not move.

Targets are set near what the simulated usage will give (some projects meet them, some do not);
some projects end in the last sample month; one county's only project of the last year is
cancelled (its cadence shows 不足); one centre project of the first year runs a second cycle.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from pipeline.core.months import shift
from pipeline.ingest.projects import PROJECT_HEADER, months_between
from pipeline.ingest.reference import PREFECTURE_OFFICE, PREFECTURE_OFFICE_NAME, Reference
from pipeline.render.xlsx import save_reproducible

SEED_SALT = 18  # issue 18
PAID_ROLE = "客户经理"
THEMES = {
    "报刊发行": "党报党刊征订",
    "特快": "政务特快专递",
    "快包": "电商快包",
    "函件": "公文函件",
    "商函": "商函广告",
    "账单": "账单寄递",
    "集邮": "集邮文化",
    "物流": "物流配送",
    "代理金融": "代理金融",
    "邮资门票": "邮资门票",
}


def write_registers(
    folder: Path,
    ref: Reference,
    rng: np.random.Generator,
    months: list[str],
    customers: pd.DataFrame,
    usage: pd.DataFrame,
) -> None:
    """项目登记_YYYY.xlsx for each year of `months` (projects registered by their start year)."""
    first, last = months[0], months[-1]
    years = sorted({int(m[:4]) for m in months})
    revenue = usage.groupby(["customer_id", "business_type", "month"]).revenue.sum()
    rows_by_year: dict[int, list[list]] = {}
    previous_first: list | None = None
    for year in years:
        rows: list[list] = []
        units = [PREFECTURE_OFFICE, *ref.counties.code]
        for unit in units:
            low, high = (2, 4) if unit == PREFECTURE_OFFICE else (1, 2)
            count = int(rng.integers(low, high + 1))
            if unit == PREFECTURE_OFFICE and previous_first is not None:
                count = min(count, high - 1)  # the second cycle below is one of the centre's plans
            for k in range(count):
                row = _project(ref, rng, unit, year, k, first, last, customers, revenue)
                if row is not None:
                    rows.append(row)
        if previous_first is not None:  # the centre's first project of last year, second cycle
            rows.insert(0, _second_cycle(previous_first, last, year))
        _number(rows, year)
        if year == years[-1]:
            _cancel_one_county(rows, ref)
        previous_first = next((r for r in rows if r[2] == PREFECTURE_OFFICE_NAME and "-C" not in r[0]), None)
        rows_by_year[year] = rows
    folder.mkdir(parents=True, exist_ok=True)
    for year, rows in rows_by_year.items():
        _write(folder / f"项目登记_{year}.xlsx", year, rows)


def _managers_of(ref: Reference, unit: str, year: int) -> list[tuple[str, str]]:
    m = ref.managers_active_in(f"{year}-06")
    m = m[(m.county == unit) & (m.role == PAID_ROLE)]
    out = []
    for r in m.itertuples():
        shared = len(ref.manager_by_name.get(r.name, [])) > 1
        out.append((r.manager_id, r.manager_id if shared else r.name))
    return out


def _project(ref, rng, unit, year, k, first, last, customers, revenue) -> list | None:
    managers = _managers_of(ref, unit, year)
    if not managers:
        return None
    manager_id, manager_text = managers[int(rng.integers(0, len(managers)))]
    length = int(rng.integers(3, 10))
    year_first, year_last = max(f"{year}-01", first), f"{year}-12"
    ends_last = year == int(last[:4]) and k == 0 and unit in (PREFECTURE_OFFICE, "huili", "xichang")
    if ends_last:  # some cycles end in the last sample month: their evaluation is due then
        start = max(shift(last, 1 - length), year_first)
        length = months_between(start, last)
    else:
        latest = shift(year_last, 1 - length)
        span = max(
            1, (int(latest[:4]) - int(year_first[:4])) * 12 + int(latest[5:]) - int(year_first[5:]) + 1
        )
        start = shift(year_first, int(rng.integers(0, span)))
    end = shift(start, length - 1)
    if unit == PREFECTURE_OFFICE:
        pool = customers[customers.manager_id == manager_id]
        county_name = ""
    else:
        pool = customers[customers.county == unit]
        county_name = ref.county_names[unit]
    if pool.empty:
        return None
    if unit != PREFECTURE_OFFICE and rng.random() < 0.5:
        nature = str(rng.choice(["党政军机关", "事业单位", "国有企业", "民营企业"]))
        chosen = pool[pool.nature == nature]
        targets = f"企业性质={nature};县={county_name}"
    else:
        n = min(len(pool), int(rng.integers(3, 8)))
        chosen = pool.iloc[sorted(rng.choice(len(pool), size=n, replace=False))]
        targets = "、".join(chosen.customer_id)
    used = revenue.reset_index()
    used = used[used.customer_id.isin(chosen.customer_id)]
    by_type = used.groupby("business_type").revenue.sum().sort_values(ascending=False)
    kinds = list(by_type.index[:4]) or ["特快"]
    business = [kinds[int(rng.integers(0, len(kinds)))]]
    if rng.random() < 0.4:
        other = [b for b in kinds if b not in business]
        if other:
            business.append(other[int(rng.integers(0, len(other)))])
    business = sorted(business, key=ref.business_order.index)
    cycle = [shift(start, i) for i in range(length)]
    got = used[
        used.customer_id.isin(chosen.customer_id) & used.business_type.isin(business) & used.month.isin(cycle)
    ].revenue.sum()
    target = max(1000, round(float(got) * float(rng.uniform(0.85, 1.3)) / 1000) * 1000)
    theme = THEMES.get(business[0], business[0])
    where = PREFECTURE_OFFICE_NAME if unit == PREFECTURE_OFFICE else county_name
    status = "已结束" if end < last else ("计划" if start > last else "进行中")
    return [
        "",  # numbered once the year's rows are known
        f"{where}{theme}营销项目",
        where,
        manager_text,
        targets,
        "、".join(business),
        start,
        end,
        target,
        int(rng.integers(0, 3)),
        int(rng.integers(1, 5)),
        status,
    ]


def _second_cycle(row: list, last: str, year: int) -> list:
    length = (int(row[7][:4]) - int(row[6][:4])) * 12 + int(row[7][5:]) - int(row[6][5:]) + 1
    start = max(shift(row[7], 1), f"{year}-01")
    end = shift(start, length - 1)
    status = "已结束" if end < last else ("计划" if start > last else "进行中")
    return [
        f"{row[0]}-C2",
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        start,
        end,
        row[8],
        row[9],
        row[10],
        status,
    ]


def _number(rows: list[list], year: int) -> None:
    serial = 0
    for row in rows:
        if not row[0]:
            serial += 1
            row[0] = f"XM{year}-{serial:02d}"


def _cancel_one_county(rows: list[list], ref: Reference) -> None:
    """布拖县's only project of the year is cancelled: the cadence table shows it short."""
    name = ref.county_names.get("butuo")
    mine = [r for r in rows if r[2] == name]
    for r in mine[1:]:
        rows.remove(r)
    if mine:
        mine[0][11] = "已取消"


def _write(path: Path, year: int, rows: list[list]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目登记"
    ws.append([f"凉山州邮政局大客户中心 {year}年度营销项目登记"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PROJECT_HEADER))
    ws.append(PROJECT_HEADER)
    for row in rows:
        ws.append(row)
    for column, width in zip("ABCDEFGHIJKL", (14, 26, 12, 12, 36, 16, 10, 10, 14, 14, 12, 8), strict=True):
        ws.column_dimensions[column].width = width
    save_reproducible(wb, path, datetime(year, 1, 5))
