"""The customer and manager pages' parts of 叠加使用 and 浮动定价, from the latest month's
cross_sell, cross_sell_by_manager and pricing_bands tables (read once, cut by customer or
manager once): a key account's cross-sell list and its bands; a manager's best opportunities
(the `cross_sell.top_per_manager` of the rules, already applied in cross_sell_by_manager).
Eligibility only: no price or discount."""

from __future__ import annotations

import pandas as pd

from pipeline.analytics.pricing import AGREEMENT_LABELS, CHANGE_LABELS, MOVED
from pipeline.core.money import format_yuan
from pipeline.site.downloads import Table, exact_yuan

SCOPE_LABELS = {"county": "本县同类客户", "prefecture": "全州同类客户"}


def _num(value, default=None):
    return default if value is None or value != value else value


def _by(frame: pd.DataFrame, key: str, order: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    if frame.empty:
        return out
    ordered = frame.sort_values([key, *order], kind="mergesort")
    for row in ordered.astype(object).where(ordered.notna(), None).to_dict("records"):
        out.setdefault(row[key], []).append(row)
    return out


def cross_sell_by_customer(frame: pd.DataFrame) -> dict[str, list[dict]]:
    """customer id → its cross-sell list, best first (rank 1 = the type its peers bring most)."""
    out = {}
    for customer, rows in _by(frame, "customer_id", ["rank"]).items():
        out[customer] = [
            {
                "rank": int(r["rank"]),
                "business_type": r["business_type"],
                "scope": SCOPE_LABELS.get(r["scope"], r["scope"] or ""),
                "peers": int(_num(r["peers"], 0)),
                "users": int(_num(r["users"], 0)),
                "uptake": _num(r["uptake"]),
                "median_revenue_fen": int(_num(r["median_revenue_fen"], 0)),
            }
            for r in rows
        ]
    return out


def bands_by_customer(frame: pd.DataFrame, units: dict[str, str]) -> dict[str, list[dict]]:
    """customer id → its band per business type: trailing figure, band, what is missing to the
    next band, the move this month and the agreed band's status."""
    out = {}
    for customer, rows in _by(frame, "customer_id", ["business_type"]).items():
        out[customer] = [
            {
                "business_type": r["business_type"],
                "measure": "收入" if r["measure"] == "revenue" else "用邮量",
                "trailing_volume": int(_num(r["trailing_volume"], 0)),
                "trailing_revenue_fen": int(_num(r["trailing_revenue_fen"], 0)),
                "band_label": r["band_label"] or "",
                "next_label": r["next_label"] or "",
                "to_next": _to_next(r, units.get(r["business_type"], "")),
                "change": CHANGE_LABELS.get(r["change"], r["change"] or ""),
                "moved": r["change"] in MOVED,
                "agreed_label": r["agreed_label"] or "",
                "agreement": AGREEMENT_LABELS.get(r["agreement"] or "", ""),
            }
            for r in rows
        ]
    return out


def _to_next(r: dict, unit: str) -> str:
    if not r["next_label"]:
        return "已是最高档"
    if r["measure"] == "revenue":
        fen = _num(r["to_next_revenue_fen"])
        return "" if fen is None else f"{format_yuan(int(fen), separators=True)} 元"
    volume = _num(r["to_next_volume"])
    return "" if volume is None else f"{int(volume):,} {unit}".strip()


def opportunities_by_manager(frame: pd.DataFrame) -> dict[str, list[dict]]:
    """manager id → the manager's best opportunities (manager_rank order)."""
    out = {}
    for manager, rows in _by(frame, "manager_id", ["manager_rank"]).items():
        out[manager] = [
            {
                "manager_rank": int(r["manager_rank"]),
                "customer_id": r["customer_id"],
                "county": r["county"] or "",
                "business_type": r["business_type"],
                "scope": SCOPE_LABELS.get(r["scope"], r["scope"] or ""),
                "uptake": _num(r["uptake"]),
                "median_revenue_fen": int(_num(r["median_revenue_fen"], 0)),
            }
            for r in rows
        ]
    return out


def cross_sell_table(rows: list[dict]) -> Table:
    return Table(
        "cross_sell",
        "叠加使用机会",
        ["排序", "业务种类", "比较范围", "同类客户数", "其中使用户数", "使用率", "使用户年收入中位数(元)"],
        [
            [
                *(r["rank"], r["business_type"], r["scope"], r["peers"], r["users"], r["uptake"]),
                exact_yuan(r["median_revenue_fen"]),
            ]
            for r in rows
        ],
    )


def bands_table(rows: list[dict]) -> Table:
    return Table(
        "pricing_bands",
        "浮动定价档次",
        [
            *("业务种类", "依据", "近12个月用邮量", "近12个月收入(元)", "当前档次", "下一档"),
            *("距下一档", "本月变动", "协议档次", "协议档次状态"),
        ],
        [
            [
                *(r["business_type"], r["measure"], r["trailing_volume"]),
                exact_yuan(r["trailing_revenue_fen"]),
                *(r["band_label"], r["next_label"], r["to_next"], r["change"]),
                *(r["agreed_label"], r["agreement"]),
            ]
            for r in rows
        ],
    )


def opportunities_table(rows: list[dict]) -> Table:
    return Table(
        "opportunities",
        "分片叠加使用重点机会",
        [
            "序号",
            "客户编号",
            "客户名称",
            "县(市)",
            "建议业务",
            "比较范围",
            "使用率",
            "使用户年收入中位数(元)",
        ],
        [
            [
                *(r["manager_rank"], r["customer_id"], r.get("name", ""), r["county"], r["business_type"]),
                *(r["scope"], r["uptake"], exact_yuan(r["median_revenue_fen"])),
            ]
            for r in rows
        ],
    )
