"""Cross-selling (叠加使用): the business types comparable customers use and a key account does not.

The plan wants key accounts to use many postal services. For each key account of the month:
- its **comparable customers** are the customers of the same 企业性质 (archive) that used any
  business type in the trailing window (`cross_sell.window_months`, 12), the account itself left
  out: those of its county, or — when the county has fewer than `cross_sell.min_peers` of them —
  those of the whole prefecture (`scope` county / prefecture). An account whose 企业性质 is blank
  gets no list: it has nothing to compare with.
- an **opportunity** is a business type (of the reference list) the account did not use in the
  window and that at least `cross_sell.min_users` of its comparable customers used.
- opportunities are ranked by the **median trailing revenue per comparable user** of that
  business type (what such a customer typically brings), then by the share of comparable
  customers using it (`uptake`), then by the reference order of business types.

Each manager's best opportunities (`cross_sell_by_manager.csv`) are the top
`cross_sell.top_per_manager` of their key accounts' opportunities in the same order.

The breadth of use (how many business types a key account uses: 1, 2, 3+) is measured month by
month on that month's key accounts and trailing window, for the bulletin's trend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.analytics.tiers import key_accounts
from pipeline.analytics.trailing import stacked_usage, trailing_usage, used
from pipeline.core.contract import CROSS_SELL, CROSS_SELL_BY_MANAGER
from pipeline.core.months import month_range, shift
from pipeline.core.rules import Rules

COUNTY, PREFECTURE = "county", "prefecture"
SCOPE_LABELS = {COUNTY: "本县(市)", PREFECTURE: "全州"}
BREADTH_COLUMNS = ["month", "key_accounts", "none", "one", "two", "three_plus", "window_months"]
BREADTH_SHARES = ["share_one", "share_two", "share_three_plus"]


def half_up(value: float) -> int:
    """A median of whole fen is whole or ends in .5: rounded half up to the fen."""
    return int(np.floor(value + 0.5))


def cross_sell(
    usage_by_month: dict[str, pd.DataFrame],
    month: str,
    tiers: pd.DataFrame,
    archive: pd.DataFrame,
    rules: Rules,
    business_order: list[str],
) -> pd.DataFrame:
    """One row per key account × proposed business type (CROSS_SELL), ranked per account."""
    settings = rules.get("cross_sell")
    window, min_peers, min_users = (
        int(settings["window_months"]),
        int(settings["min_peers"]),
        int(settings["min_users"]),
    )
    profile = used(trailing_usage(usage_by_month, month, window))
    nature = archive.set_index("customer_id").nature.fillna("").astype(str)
    home = archive.set_index("customer_id").county
    active = pd.DataFrame({"customer_id": profile.customer_id.unique()})
    active["nature"] = active.customer_id.map(nature).fillna("")
    active["county"] = active.customer_id.map(home).fillna(
        active.customer_id.map(profile.drop_duplicates("customer_id").set_index("customer_id").county)
    )
    active = active[active.nature != ""]
    # per comparable group: its members, and per business type the revenues of its users
    revenue = profile.merge(
        active[["customer_id", "nature", "county"]], on="customer_id", suffixes=("_row", "")
    )
    # sizes and each group's users (count, median, sum) as plain dicts: looked up per account
    county_size = active.groupby(["county", "nature"]).size().to_dict()
    prefecture_size = active.groupby("nature").size().to_dict()
    county_users = _users(revenue, ["county", "nature", "business_type"])
    prefecture_users = _users(revenue, ["nature", "business_type"])
    uses: dict[str, set[str]] = {}  # one pass: a set per group through pandas cost seconds at scale
    for customer, business in zip(profile.customer_id.tolist(), profile.business_type.tolist(), strict=True):
        uses.setdefault(customer, set()).add(business)
    nature, home = nature.to_dict(), home.to_dict()

    rows = []
    grouped = set(active.customer_id)
    keys = key_accounts(tiers)
    for k in keys.itertuples():
        kind = nature.get(k.customer_id, "")
        if not kind:
            continue
        county = home.get(k.customer_id, k.county) or k.county
        mine = uses.get(k.customer_id, set())
        member = int(k.customer_id in grouped)  # itself, when it is in the group
        peers = int(county_size.get((county, kind), 0)) - member
        scope = COUNTY
        if peers < min_peers:
            scope = PREFECTURE
            peers = int(prefecture_size.get(kind, 0)) - member
        for business in business_order:
            if business in mine:
                continue
            found = (
                county_users.get((county, kind, business))
                if scope == COUNTY
                else prefecture_users.get((kind, business))
            )
            if found is None or found[0] < min_users:
                continue
            users, median, total = found
            rows.append(
                {
                    "customer_id": k.customer_id,
                    "county": k.county,
                    "manager_id": k.manager_id if isinstance(k.manager_id, str) else "",
                    "nature": kind,
                    "business_type": business,
                    "scope": scope,
                    "peers": peers,
                    "users": users,
                    "uptake": users / peers if peers else None,
                    "median_revenue_fen": half_up(median),
                    "users_revenue_fen": total,
                    "_order": business_order.index(business),
                }
            )
    out = pd.DataFrame(rows, columns=[*CROSS_SELL.frame_columns, "_order"])
    if out.empty:
        return out.drop(columns="_order")
    out = out.sort_values(
        ["customer_id", "median_revenue_fen", "uptake", "_order"],
        ascending=[True, False, False, True],
        kind="mergesort",
    )
    out["rank"] = out.groupby("customer_id").cumcount() + 1
    return out[CROSS_SELL.frame_columns].reset_index(drop=True)


def _users(revenue: pd.DataFrame, by: list[str]) -> dict[tuple, tuple[int, float, int]]:
    """Per group of `by`: (its users, the median of their revenue, its sum)."""
    stats = revenue.groupby(by).revenue_fen.agg(["size", "median", "sum"])
    return {key: (int(n), float(m), int(t)) for key, n, m, t in stats.itertuples(name=None)}


def best_by_manager(table: pd.DataFrame, top: int) -> pd.DataFrame:
    """Each manager's `top` opportunities over their key accounts (CROSS_SELL_BY_MANAGER)."""
    mine = table[table.manager_id != ""]
    if mine.empty:
        return pd.DataFrame(columns=CROSS_SELL_BY_MANAGER.frame_columns)
    ranked = mine.sort_values(
        ["manager_id", "median_revenue_fen", "uptake", "customer_id", "rank"],
        ascending=[True, False, False, True, True],
        kind="mergesort",
    )
    ranked = ranked.groupby("manager_id").head(top).copy()
    ranked["manager_rank"] = ranked.groupby("manager_id").cumcount() + 1
    ranked = ranked.rename(columns={"rank": "customer_rank"})
    return ranked[CROSS_SELL_BY_MANAGER.frame_columns].reset_index(drop=True)


def breadth(
    usage_by_month: dict[str, pd.DataFrame],
    tiers_by_month: dict[str, pd.DataFrame],
    month: str,
    window: int,
    months: int = 13,
) -> pd.DataFrame:
    """Per month of the last `months` with tiers: how many key accounts used 0, 1, 2, 3+ business
    types in that month's trailing window, and the shares of 1, 2, 3+ among the key accounts;
    `window_months`, the months of data in the window (fewer than `window` early in the data: a
    rise there is partly the window filling, and readers are told so).
    The months' usage is stacked once and each window summed by pair code (a trailing table
    per month cost ≈ 0.5 s a month)."""
    held = month_range(shift(month, -(months + window - 2)), month)
    stack = stacked_usage(usage_by_month, ["customer_id", "business_type", "volume", "revenue_fen"], held)
    # pair codes from the two columns' codes (factorising the pairs of strings cost seconds at scale)
    customer_code, customer_names = pd.factorize(stack.customer_id)
    business_code, business_names = pd.factorize(stack.business_type)
    codes, pairs = pd.factorize(customer_code * max(len(business_names), 1) + business_code)
    pair_customer = np.asarray(customer_names, dtype=object)[pairs // max(len(business_names), 1)]
    volume, revenue = stack.volume.to_numpy(), stack.revenue_fen.to_numpy()
    month_code, month_names = pd.factorize(stack.month)
    with_data = {m for m, frame in usage_by_month.items() if frame is not None}
    rows = []
    for m in month_range(shift(month, -(months - 1)), month):
        if m not in tiers_by_month or tiers_by_month[m] is None:
            continue
        keys = sorted(set(key_accounts(tiers_by_month[m]).customer_id))
        first = shift(m, -(window - 1))
        in_window = np.isin(month_code, [i for i, name in enumerate(month_names) if first <= name <= m])
        summed = [
            np.bincount(codes[in_window], weights=v[in_window], minlength=len(pairs))
            for v in (volume, revenue)
        ]
        customers_used = pd.Series(pair_customer[(summed[0] > 0) | (summed[1] > 0)])
        counts = customers_used.value_counts().reindex(keys, fill_value=0)  # a pair is one business type
        rows.append(
            {
                "month": m,
                "key_accounts": len(keys),
                "none": int((counts == 0).sum()),
                "one": int((counts == 1).sum()),
                "two": int((counts == 2).sum()),
                "three_plus": int((counts >= 3).sum()),
                "window_months": len(with_data & set(month_range(first, m))),
            }
        )
    out = pd.DataFrame(rows, columns=BREADTH_COLUMNS)
    for share, count in zip(BREADTH_SHARES, ["one", "two", "three_plus"], strict=True):
        # exact: a publication rounds once, when it shows the share (render.pdf.format_pct)
        out[share] = out[count] / out.key_accounts.where(out.key_accounts > 0)
    return out


def partial_window(months_with_data: int | None, span: int) -> bool:
    """A breadth month whose trailing window (`span` months) holds fewer months of data; None
    (a table written before the months were counted) is not said to be partial."""
    return months_with_data is not None and months_with_data < span
