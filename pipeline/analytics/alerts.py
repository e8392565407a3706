"""Loss and decline alerts for key accounts (确保现有大客户不流失、贡献不降低).

Loss: no usage this month after usage in each of the previous N months.
Decline: revenue this month (all business types) below the rules' share of the same month last
year where the customer had revenue then, else of its trailing-N-month mean — only when all N
months before it are in the data. With neither (the months after go-live), a key account has
too little history to judge a decline: it is listed as such, not alerted.
Complaint: a key account with a complaint (投诉) still open past its limit at the month's end
(pipeline.analytics.cases) has an alert of its own, beside a loss or decline alert.
Counties whose workbook was not accepted this month get no alerts: their usage is unknown, and
so is whether their cases were closed. Nor does a customer with a 用邮情况 row rejected this
month (a cell to correct): its month is not known in full, so neither a loss nor a decline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.analytics.cases import overdue_complaints
from pipeline.analytics.tiers import key_accounts
from pipeline.core.contract import ALERTS
from pipeline.core.months import shift
from pipeline.core.rules import Rules

KIND_LABELS = {"loss": "流失预警", "decline": "下降预警", "complaint": "投诉超时预警"}
REVENUE_ALERTS = ("loss", "decline")  # what the scorecard's retention item counts


def monthly_revenue(usage_by_month: dict[str, pd.DataFrame], months: list[str]) -> pd.DataFrame:
    """customer × month revenue in fen (0 where no usage); only months present in the data."""
    frames = [
        usage_by_month[m][["customer_id", "revenue_fen"]].assign(month=m)
        for m in months
        if m in usage_by_month
    ]
    if not frames:
        return pd.DataFrame()
    long = pd.concat(frames, ignore_index=True)
    return long.pivot_table(
        index="customer_id", columns="month", values="revenue_fen", aggfunc="sum", fill_value=0
    )


def find_alerts(
    usage_by_month: dict[str, pd.DataFrame],
    month: str,
    tiers: pd.DataFrame,
    accepted_counties: set[str],
    rules: Rules,
    incomplete: set[str] = frozenset(),
) -> pd.DataFrame:
    """`incomplete`: customers with a usage row rejected this month (`rejected_customers`)."""
    loss_months = int(rules.get("alerts.loss_months"))
    fallback_months = int(rules.get("alerts.decline_fallback_months"))
    ratio_limit = float(rules.get("alerts.decline_ratio"))
    keys = key_accounts(tiers)
    keys = keys[keys.county.isin(accepted_counties) & ~keys.customer_id.isin(incomplete)]
    keys = keys.set_index("customer_id")
    if keys.empty:
        return pd.DataFrame(columns=ALERTS.frame_columns)
    last_year = shift(month, -12)
    before = [shift(month, -k) for k in range(1, max(loss_months, fallback_months) + 1)]
    needed = list(dict.fromkeys([month, last_year, *before]))
    revenue = monthly_revenue(usage_by_month, needed).reindex(index=keys.index, columns=needed, fill_value=0)
    this = revenue[month]
    loss_window = before[:loss_months]
    previous = revenue[loss_window]
    loss = (this == 0) & (previous > 0).all(axis=1) & all(m in usage_by_month for m in loss_window)
    trailing = before[:fallback_months]
    full_trailing = all(m in usage_by_month for m in trailing)
    trailing_mean = revenue[trailing].mean(axis=1) if full_trailing else pd.Series(0.0, index=revenue.index)
    same_month = revenue[last_year]
    has_last_year = same_month > 0
    reference = np.where(has_last_year, same_month, trailing_mean)
    decline = ~loss & (reference > 0) & (this < ratio_limit * reference)
    out = pd.DataFrame(
        {
            "customer_id": revenue.index,
            "county": keys.county.reindex(revenue.index).to_numpy(),
            "manager_id": keys.manager_id.reindex(revenue.index).to_numpy(),
            "kind": np.select([loss, decline], ["loss", "decline"], default=""),
            "this_month": this.to_numpy(),
            "reference": np.where(loss, previous.mean(axis=1), reference).round().astype("int64"),
            "basis": np.where(
                loss,
                f"前{loss_months}个月均值",
                np.where(has_last_year, "上年同月", f"前{fallback_months}个月均值"),
            ),
            "tier": keys.tier.reindex(revenue.index).to_numpy(),
        }
    )
    out = out[out.kind != ""].copy()
    out["ratio"] = out.this_month / out.reference
    out = out.rename(columns={"this_month": "this_month_fen", "reference": "reference_fen"})
    return out.sort_values(["kind", "county", "customer_id"], kind="mergesort").reset_index(drop=True)


SHORT_HISTORY_COLUMNS = ["customer_id", "county", "manager_id", "tier", "months_of_data"]


def short_history(
    usage_by_month: dict[str, pd.DataFrame], month: str, tiers: pd.DataFrame, rules: Rules
) -> pd.DataFrame:
    """Key accounts whose decline cannot be judged yet: no revenue in the same month last year
    and fewer than the rules' N months of data before this one."""
    fallback_months = int(rules.get("alerts.decline_fallback_months"))
    before = [shift(month, -k) for k in range(1, fallback_months + 1)]
    present = sum(m in usage_by_month for m in before)
    keys = key_accounts(tiers)
    if present == fallback_months or keys.empty:
        return pd.DataFrame(columns=SHORT_HISTORY_COLUMNS)
    last_year = usage_by_month.get(shift(month, -12))
    had = set() if last_year is None else set(last_year.customer_id[last_year.revenue_fen > 0])
    out = keys[~keys.customer_id.isin(had)].assign(months_of_data=present)
    return out[SHORT_HISTORY_COLUMNS].reset_index(drop=True)


def complaint_alerts(cases: pd.DataFrame, tiers: pd.DataFrame, accepted_counties: set[str]) -> pd.DataFrame:
    """One alert per key account with an overdue complaint: how many, the oldest's age and the
    limit. No revenue figures (blank in alerts.csv)."""
    keys = key_accounts(tiers)
    keys = keys[keys.county.isin(accepted_counties)].set_index("customer_id")
    overdue = overdue_complaints(cases)
    overdue = overdue[overdue.customer_id.isin(keys.index)]
    if overdue.empty:
        return pd.DataFrame(columns=[*ALERTS.frame_columns])
    grouped = overdue.groupby("customer_id", sort=True)
    count, oldest, limit = grouped.size(), grouped.age_days.max(), grouped.limit_days.min()
    ids = count.index
    return pd.DataFrame(
        {
            "customer_id": ids,
            "county": keys.county.reindex(ids).to_numpy(),
            "manager_id": keys.manager_id.reindex(ids).to_numpy(),
            "kind": "complaint",
            "this_month_fen": pd.array([None] * len(ids), dtype="Int64"),
            "reference_fen": pd.array([None] * len(ids), dtype="Int64"),
            "ratio": np.nan,
            "basis": [
                f"投诉超过时限未办结 {count[c]} 件，最久 {oldest[c]} 天(时限 {limit[c]} 天)" for c in ids
            ],
            "tier": keys.tier.reindex(ids).to_numpy(),
        }
    )


def with_complaints(alerts: pd.DataFrame, complaints: pd.DataFrame) -> pd.DataFrame:
    """The month's alerts: loss and decline, then the complaint alerts; amounts nullable fen."""
    if complaints.empty:
        return alerts
    if alerts.empty:
        alerts = pd.DataFrame(columns=complaints.columns)
    out = pd.concat([alerts, complaints[alerts.columns]], ignore_index=True)
    for column in ("this_month_fen", "reference_fen"):
        out[column] = pd.array([None if pd.isna(v) else int(v) for v in out[column]], dtype="Int64")
    out["ratio"] = out.ratio.astype(float)
    return out
