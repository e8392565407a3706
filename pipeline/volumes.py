"""Volume tables: 用邮量 and 收入 by county × business type, business type, county and customer,
with month-on-month and year-on-year change."""

from __future__ import annotations

import pandas as pd

from pipeline.months import shift

MEASURES = ["volume", "revenue_fen"]


def change(current: pd.Series, previous: pd.Series) -> pd.Series:
    """this / previous − 1; NaN (blank) where there is no previous figure or it is zero."""
    previous = previous.reindex(current.index)
    ratio = current / previous.where(previous > 0)
    return ratio - 1


def volume_table(usage_by_month: dict[str, pd.DataFrame], month: str, keys: list[str]) -> pd.DataFrame:
    """Totals of `month` grouped by `keys`, with MoM and YoY change.

    `usage_by_month` holds the accepted usage facts of the month, the month before and the
    same month last year (months with no data are simply absent).
    """

    def totals(m: str) -> pd.DataFrame:
        frame = usage_by_month.get(m)
        if frame is None or frame.empty:
            return pd.DataFrame(columns=keys + MEASURES).set_index(keys)
        return frame.groupby(keys, sort=True)[MEASURES].sum()

    current = totals(month)
    prev, last_year = totals(shift(month, -1)), totals(shift(month, -12))
    out = current.copy()
    for measure, label in (("volume", "volume"), ("revenue_fen", "revenue")):
        out[f"{label}_mom"] = change(
            current[measure], prev[measure] if measure in prev else pd.Series(dtype=float)
        )
        out[f"{label}_yoy"] = change(
            current[measure], last_year[measure] if measure in last_year else pd.Series(dtype=float)
        )
    return out.reset_index()


def volume_tables(usage_by_month: dict[str, pd.DataFrame], month: str) -> dict[str, pd.DataFrame]:
    """The four volume tables of a month, keyed by what they are grouped by."""
    return {
        "county_business": volume_table(usage_by_month, month, ["county", "business_type"]),
        "business": volume_table(usage_by_month, month, ["business_type"]),
        "county": volume_table(usage_by_month, month, ["county"]),
        "customer": volume_table(usage_by_month, month, ["customer_id", "county"]),
    }


def monthly_totals(usage_by_month: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """全州 volume and revenue per month (for the trend chart)."""
    rows = [
        {"month": m, "volume": int(f.volume.sum()), "revenue_fen": int(f.revenue_fen.sum())}
        for m, f in sorted(usage_by_month.items())
    ]
    return pd.DataFrame(rows, columns=["month", *MEASURES])
