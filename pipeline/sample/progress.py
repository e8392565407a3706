"""Sample 工作进展 sheets: most county workbooks carry their centre's monthly progress report
(工作进展, 存在问题, 需协调事项), some send none, some leave an item out.

Drawn from a random stream of its own (seeded from the main seed): the other sheets and files of
the sample stay as they were.
"""

from __future__ import annotations

import numpy as np

from pipeline.ingest.sheets import PROGRESS_HEADER

STREAM = 23  # this generator's part of the seed
SHARE_SENDING = 0.85  # of the county workbooks that carry the sheet
PROGRESS = [
    "走访州级大客户 {n} 户,续签年度协议 {k} 份",
    "完成{county}党政机关公文寄递需求摸底,新揽收 {k} 户",
    "开展报刊征订宣传 {n} 场,重点单位订阅基本稳定",
    "配合州局开展大客户满意度回访 {n} 户",
    "与县医保局商谈账单寄递项目,已报价",
    "组织客户经理业务培训 {k} 次,更新客户档案 {n} 户",
]
PROBLEMS = [
    "部分客户反映快包时限不稳定,乡镇投递频次偏低",
    "竞争对手对电商客户降价明显,{k} 户客户业务量下滑",
    "客户经理人手不足,走访覆盖率偏低",
    "个别客户结算周期长,回款较慢",
    "系统与手工台账数据口径不一致,核对耗时",
]
COORDINATION = [
    "请州局协调增加{county}至西昌的邮路班次",
    "请州局支持账单寄递项目的资费优惠审批",
    "请州局协调量收系统按月提供大客户明细",
    "建议州局统一组织重点客户节日回访",
]


def progress_rows(
    seed: int, months: list[str], counties: dict[str, str], sent: set[tuple[str, str]]
) -> dict[tuple[str, str], list[list]]:
    """(county code, month) → the rows of its 工作进展 sheet; absent where the county sends none.
    `counties`: code → name; `sent`: the (code, month) workbooks the sample writes."""
    rng = np.random.default_rng([seed, STREAM])
    out: dict[tuple[str, str], list[list]] = {}
    for month in months:
        for code, name in counties.items():
            draw = rng.random(4)
            n, k = int(rng.integers(3, 40)), int(rng.integers(1, 6))
            picks = [int(rng.integers(0, len(words))) for words in (PROGRESS, PROBLEMS, COORDINATION)]
            if (code, month) not in sent or draw[0] > SHARE_SENDING:
                continue
            rows = [PROGRESS_HEADER, ["工作进展", PROGRESS[picks[0]].format(n=n, k=k, county=name)]]
            if draw[1] < 0.8:
                rows.append(["存在问题", PROBLEMS[picks[1]].format(k=k, county=name)])
            if draw[2] < 0.5:
                rows.append(["需协调事项", COORDINATION[picks[2]].format(county=name)])
            out[(code, month)] = rows
    return out


def add_progress_sheet(wb, rows: list[list] | None) -> None:
    """The 工作进展 sheet at the end of a county workbook (none where `rows` is None)."""
    if rows is None:
        return
    ws = wb.create_sheet("工作进展")
    for row in rows:
        ws.append(row)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 60
