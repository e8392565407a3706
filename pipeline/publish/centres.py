"""The county centres' ranking (各级客户中心考核排名) as the 信息参考 and the month page show it:
plain values only (the month's content is kept as JSON), from the centre_scorecards result."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from pipeline.pay.centres import ITEM_LABELS, ITEMS


def _num(value) -> float | None:
    if value is None or (not isinstance(value, Decimal) and pd.isna(value)):
        return None
    return float(value)


def centre_section(result: dict | None, weights: dict | None = None) -> dict | None:
    """Ranked counties first, then the held ones; each with its total, the weights it could
    earn, its rate, its half-year visit completion and its totals of the earlier months shown
    (`trend`, oldest first, blank where a month was not computed or held)."""
    if not result:
        return None
    table: pd.DataFrame = result["scorecards"]
    half: pd.DataFrame = result["half_year"]
    trend: pd.DataFrame = result["trend"]
    months = sorted(trend.month.unique()) if len(trend) else []
    earlier = {(r.month, r.county): r for r in trend.itertuples()}
    half_share = dict(zip(half.county, half.share, strict=True))
    rows = []
    for r in table.itertuples():
        totals = []
        for m in months:
            e = earlier.get((m, r.county))
            totals.append(None if e is None or e.held else _num(e.total))
        last = earlier.get((months[-1], r.county)) if months else None
        previous = None if last is None or last.held else _num(last.total)
        previous_rank = None if last is None or pd.isna(last.rank) else int(last.rank)
        total = _num(r.total)
        rows.append(
            {
                "rank": None if pd.isna(r.rank) else int(r.rank),
                "county": r.county,
                "total": total,
                "possible": int(r.possible),
                "rate": None if r.held else _num(r.rate),
                "half_year": _num(half_share.get(r.county)),
                "previous": previous,
                "previous_rank": previous_rank,
                "change": None if previous is None or r.held else round(total - previous, 2),
                "trend": totals,
                "held": r.held,
                "items": {k: _num(getattr(r, k)) for k in ITEMS},
            }
        )
    return {
        "half": str(half.half.iloc[0]) if len(half) else "",
        "months": list(months),
        "rows": rows,
        "items": [{"key": k, "label": ITEM_LABELS[k], "weight": (weights or {}).get(k)} for k in ITEMS],
        "table": "county_scorecards.csv",
    }
