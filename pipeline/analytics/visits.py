"""Visit coverage: the plan asks for a visit to every key account every month (按月上访)."""

from __future__ import annotations

import pandas as pd

from pipeline.analytics.tiers import key_accounts

COVERAGE_COLUMNS = ["manager_id", "key_accounts", "visited", "coverage"]
NOT_VISITED_COLUMNS = ["manager_id", "customer_id", "county", "tier"]


def visits_in_month(visits: pd.DataFrame, month: str) -> pd.DataFrame:
    """Visits dated inside `month`: an undated visit, or one of another month, earns no contact
    points (the reader reports it as a warning at its cell)."""
    return visits[visits.date.astype(str).str.startswith(month)]


def visit_coverage(tiers: pd.DataFrame, visits: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per manager: key accounts, visited this month, share) and the key accounts not visited.

    Any recorded visit of the month counts (上门, 电话 or 节日问候); a key account with no
    manager in the archive is listed under an empty manager id, so it is not lost from view.
    """
    keys = key_accounts(tiers)[["customer_id", "county", "tier", "manager_id"]]
    visited = keys.customer_id.isin(visits.customer_id)
    coverage = (
        keys.assign(visited=visited)
        .groupby("manager_id", as_index=False)
        .agg(key_accounts=("customer_id", "size"), visited=("visited", "sum"))
    )
    coverage["coverage"] = coverage.visited / coverage.key_accounts
    missing = keys[~visited].sort_values(["manager_id", "customer_id"], kind="mergesort")
    return coverage[COVERAGE_COLUMNS], missing[NOT_VISITED_COLUMNS].reset_index(drop=True)


def county_coverage(tiers: pd.DataFrame, visits: pd.DataFrame) -> pd.DataFrame:
    keys = key_accounts(tiers)
    out = (
        keys.assign(visited=keys.customer_id.isin(visits.customer_id))
        .groupby("county", as_index=False)
        .agg(key_accounts=("customer_id", "size"), visited=("visited", "sum"))
    )
    out["coverage"] = out.visited / out.key_accounts
    return out
