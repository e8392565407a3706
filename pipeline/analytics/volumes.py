"""Volume tables: 用邮量 and 收入 by county × business type, business type, county and customer,
with month-on-month and year-on-year change."""

from __future__ import annotations

import pandas as pd

from pipeline.core.months import shift

MEASURES = ["volume", "revenue_fen"]


def change(current: pd.Series, previous: pd.Series) -> pd.Series:
    """this / previous − 1; NaN (blank) where there is no previous figure or it is zero."""
    previous = previous.reindex(current.index)
    ratio = current / previous.where(previous > 0)
    return ratio - 1


def volume_table(
    usage_by_month: dict[str, pd.DataFrame], month: str, keys: list[str], key_accounts: pd.Index | None = None
) -> pd.DataFrame:
    """Totals of `month` grouped by `keys`, with MoM and YoY change and key accounts' share.

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
    frame = usage_by_month.get(month)
    keyed = (
        frame[frame.customer_id.isin(key_accounts)].groupby(keys, sort=True)[MEASURES].sum()
        if key_accounts is not None and frame is not None and not frame.empty
        else None
    )
    out = current[MEASURES].copy()
    for measure, label in (("volume", "volume"), ("revenue_fen", "revenue")):
        out[f"{label}_mom"] = change(current[measure], prev[measure])
        out[f"{label}_yoy"] = change(current[measure], last_year[measure])
        if keyed is not None:  # 大客户占比: key accounts' share of the group's total
            out[f"key_{label}_share"] = keyed[measure].reindex(current.index).fillna(0) / current[
                measure
            ].where(current[measure] > 0)
    return out.reset_index()


def volume_tables(
    usage_by_month: dict[str, pd.DataFrame], month: str, key_accounts: pd.Index | None = None
) -> dict[str, pd.DataFrame]:
    """The volume tables of a month, keyed by what they are grouped by."""
    groupings = {
        "county_business": ["county", "business_type"],
        "business": ["business_type"],
        "county": ["county"],
        "customer": ["customer_id", "county"],
    }
    tables = {
        name: volume_table(usage_by_month, month, keys, key_accounts) for name, keys in groupings.items()
    }
    whole = {m: f.assign(scope="全州") for m, f in usage_by_month.items()}
    tables["total"] = volume_table(whole, month, ["scope"], key_accounts)
    return tables
