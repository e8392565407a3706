"""Trailing-window sums of the usage facts: what a customer used in the months up to a month."""

from __future__ import annotations

import pandas as pd

from pipeline.core.months import month_range, shift

TRAILING_COLUMNS = ["customer_id", "county", "business_type", "volume", "revenue_fen"]


def months_with_data(usage_by_month: dict[str, pd.DataFrame], month: str) -> dict[str, pd.DataFrame]:
    """`month` and the earlier months that hold usage: a month with none accepted (before the
    centre's go-live, or every county refused) is not in the data, so no trend, decline or
    window reads it as a month of zeros."""
    return {m: frame for m, frame in usage_by_month.items() if m == month or not frame.empty}


def trailing_usage(usage_by_month: dict[str, pd.DataFrame], month: str, window: int) -> pd.DataFrame:
    """Per customer × business type: 用邮量 and revenue (fen) summed over the `window` months
    ending at `month` (the months held; a month before the data begins counts as nothing).
    `county` is the one of the customer's latest row in the window."""
    months = [m for m in month_range(shift(month, -(window - 1)), month) if m in usage_by_month]
    frames = [usage_by_month[m][TRAILING_COLUMNS].assign(month=m) for m in months if len(usage_by_month[m])]
    if not frames:
        return pd.DataFrame(columns=TRAILING_COLUMNS)
    stacked = pd.concat(frames, ignore_index=True).sort_values("month", kind="mergesort")
    out = stacked.groupby(["customer_id", "business_type"], as_index=False).agg(
        county=("county", "last"), volume=("volume", "sum"), revenue_fen=("revenue_fen", "sum")
    )
    out["volume"] = out.volume.astype("int64")
    out["revenue_fen"] = out.revenue_fen.astype("int64")
    return out[TRAILING_COLUMNS]


def used(trailing: pd.DataFrame) -> pd.DataFrame:
    """The pairs actually used in the window: some 用邮量 or some revenue."""
    return trailing[(trailing.volume > 0) | (trailing.revenue_fen > 0)]


def stacked_usage(
    usage_by_month: dict[str, pd.DataFrame], columns: list[str], months: list[str] | None = None
) -> pd.DataFrame:
    """The usage of `months` (every month held when None), `columns` and the month, in one frame:
    filtered once rather than once per month."""
    chosen = list(usage_by_month) if months is None else [m for m in months if m in usage_by_month]
    frames = [usage_by_month[m][columns].assign(month=m) for m in chosen if len(usage_by_month[m])]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*columns, "month"])
