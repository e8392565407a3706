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
    frame = usage_by_month.get(month)
    keyed = (
        frame[frame.customer_id.isin(key_accounts)].groupby(keys, sort=True)[MEASURES].sum()
        if key_accounts is not None and frame is not None and not frame.empty
        else None
    )
    # the prefecture's and a business type's change over the counties with data in both months;
    # a county's own rows compare only with themselves
    compared = {
        period: _like_for_like(usage_by_month, month, earlier, keys)
        if "county" not in keys
        else (current, totals(earlier))
        for period, earlier in (("mom", shift(month, -1)), ("yoy", shift(month, -12)))
    }
    out = current[MEASURES].copy()
    for measure, label in (("volume", "volume"), ("revenue_fen", "revenue")):
        for period, (now, then) in compared.items():
            out[f"{label}_{period}"] = change(now[measure].reindex(current.index), then[measure])
        if keyed is not None:  # 大客户占比: key accounts' share of the group's total
            out[f"key_{label}_share"] = keyed[measure].reindex(current.index).fillna(0) / current[
                measure
            ].where(current[measure] > 0)
    return out.reset_index()


def _like_for_like(
    usage_by_month: dict[str, pd.DataFrame], month: str, earlier: str, keys: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Totals of `month` and of `earlier` over the counties with data in both: a county rejected
    or missing in one of them is unknown there, not zero, and would make a total move by its
    whole revenue (a county back after a rejected month read as +10 % for the prefecture)."""
    frames = [usage_by_month.get(m) for m in (month, earlier)]
    if any(f is None or f.empty for f in frames):
        empty = pd.DataFrame(columns=keys + MEASURES).set_index(keys)
        return empty, empty
    both = set(frames[0].county) & set(frames[1].county)
    now, then = (f[f.county.isin(both)].groupby(keys, sort=True)[MEASURES].sum() for f in frames)
    return now, then


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
