"""Key-account tiers: 州级大客户 (prefecture), 县级大客户 (county), 一般客户 (ordinary).

Prefecture: in the Pareto set of any business type over the trailing window (the smallest set
of customers, largest first, whose cumulative share reaches the threshold — the customer that
carries it past the threshold is in; ties by customer id), or of a nature named by the rules
(党政军机关, 行政职能单位), or an industry partner (行业合作伙伴). County: in its county's own
per-business Pareto set, or designated by the county (县级重点客户), unless prefecture.
A key account is demoted only after the grace months of the rules, in a row, below its tier.

Changes: the key accounts of the first month computed (the centre's go-live, no tiers before it)
are the `baseline`, not new: nobody became a key account because the product started. Later, a
customer that becomes a key account is `new`, unless it was one within the rules' return window
(`tier.returning_months`, default 12), when it is `returning`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.contract import TIERS
from pipeline.core.months import month_range, shift
from pipeline.core.rules import Rules

PREFECTURE, COUNTY, ORDINARY = "prefecture", "county", "ordinary"
RANK = {ORDINARY: 0, COUNTY: 1, PREFECTURE: 2}
KEY_TIERS = (PREFECTURE, COUNTY)  # the key accounts (大客户)
TIER_LABELS = {PREFECTURE: "州级大客户", COUNTY: "县级大客户", ORDINARY: "一般客户"}
CHANGE_LABELS = {
    "baseline": "基期",
    "new": "新增",
    "returning": "回归",
    "promoted": "升级",
    "demoted": "降级",
    "unchanged": "不变",
    "lost": "流失",
}
MEASURE_COLUMNS = {"volume": "volume", "revenue": "revenue_fen"}


def pareto_members(totals: pd.DataFrame, groups: list[str], share: float) -> pd.DataFrame:
    """Rows of `totals` (customer_id, *groups, value) in their group's Pareto set.

    Sorted by value descending, ties by customer id; a row is in when the share of the group
    held by the rows before it is still below `share` (so the row that crosses is in).
    """
    ranked = totals[totals.value > 0].sort_values(
        [*groups, "value", "customer_id"], ascending=[True] * len(groups) + [False, True], kind="mergesort"
    )
    grouped = ranked.groupby(groups, sort=False).value
    before = grouped.cumsum() - ranked.value
    total = grouped.transform("sum")
    return ranked[before < share * total]


def window_totals(
    usage_by_month: dict[str, pd.DataFrame], month: str, window: int, measure: str
) -> pd.DataFrame:
    """customer_id, county, business_type, value: the measure summed over the trailing window."""
    months = month_range(shift(month, -(window - 1)), month)
    frames = [usage_by_month[m] for m in months if m in usage_by_month and not usage_by_month[m].empty]
    if not frames:  # no usage in the window (months before a centre's go-live): typed, as totals are
        text = pd.Series(dtype="string")
        return pd.DataFrame(
            {"customer_id": text, "county": text, "business_type": text, "value": pd.Series(dtype="int64")}
        )
    usage = pd.concat(frames, ignore_index=True)
    column = MEASURE_COLUMNS[measure]
    # a customer belongs to the county of its latest row in the window
    county = usage.sort_values("month").groupby("customer_id").county.last()
    totals = usage.groupby(["customer_id", "business_type"], as_index=False)[column].sum()
    totals = totals.rename(columns={column: "value"})
    totals["county"] = totals.customer_id.map(county)
    return totals


def raw_tiers(totals: pd.DataFrame, archive: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """customer_id, county, raw_tier, reasons: the tier the rules give this month, before grace."""
    share = float(rules.get("tier.prefecture_share"))
    pct = f"前{share * 100:g}%"
    prefecture = pareto_members(totals, ["business_type"], share)
    county = pareto_members(totals, ["county", "business_type"], share)
    reasons = pd.concat(
        [
            pd.DataFrame(
                {
                    "customer_id": prefecture.customer_id,
                    "level": PREFECTURE,
                    "reason": prefecture.business_type + " " + pct,
                }
            ),
            pd.DataFrame(
                {
                    "customer_id": county.customer_id,
                    "level": COUNTY,
                    "reason": county.business_type + " 县内" + pct,
                }
            ),
            _archive_reasons(archive, rules),
        ],
        ignore_index=True,
    )
    customers = pd.DataFrame({"customer_id": pd.unique(pd.concat([totals.customer_id, archive.customer_id]))})
    counties = pd.concat(
        [
            archive.set_index("customer_id").county,
            totals.drop_duplicates("customer_id").set_index("customer_id").county,
        ]
    )
    customers["county"] = customers.customer_id.map(counties[~counties.index.duplicated(keep="last")])
    if reasons.empty:
        customers["raw_tier"], customers["reasons"] = ORDINARY, ""
        return customers
    reasons["rank"] = reasons.level.map(RANK)
    best = reasons.groupby("customer_id")["rank"].max()
    top = reasons[reasons["rank"] == reasons.customer_id.map(best)]
    text = top.groupby("customer_id", sort=False).reason.agg(lambda r: "、".join(dict.fromkeys(r)))
    customers["raw_tier"] = customers.customer_id.map(best).map({2: PREFECTURE, 1: COUNTY}).fillna(ORDINARY)
    customers["reasons"] = customers.customer_id.map(text).fillna("")
    return customers


def _archive_reasons(archive: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Tiers that come from the archive record, not from volume."""
    natures = set(rules.get("tier.prefecture_natures"))
    parts = [
        archive.loc[archive.nature.isin(natures), ["customer_id", "nature"]]
        .rename(columns={"nature": "reason"})
        .assign(level=PREFECTURE),
        archive.loc[archive.partner == "是", ["customer_id"]].assign(level=PREFECTURE, reason="行业合作伙伴"),
        archive.loc[archive.county_designated == "是", ["customer_id"]].assign(
            level=COUNTY, reason="县级自定"
        ),
    ]
    return pd.concat(parts, ignore_index=True)[["customer_id", "level", "reason"]]


def apply_grace(
    raw: pd.DataFrame,
    previous: pd.DataFrame | None,
    grace: int,
    active: pd.Series,
    month: str = "",
    returning_months: int = 12,
) -> pd.DataFrame:
    """Final tiers: a customer below last month's tier keeps it until `grace` months in a row.

    `active`: customers with usage this month (a key account that falls to ordinary with no
    usage at all is `lost`, otherwise `demoted`).
    """
    out = raw.copy()
    baseline = previous is None or previous.empty
    if baseline:
        out["previous_tier"] = ""
        out["months_below"] = 0
        out["last_key_month"] = ""
        out["tier"] = out.raw_tier
    else:
        prev = previous.set_index("customer_id")
        if "last_key_month" not in prev:  # tiers stored before the column existed
            prev["last_key_month"] = np.where(prev.tier.map(RANK) > 0, shift(month, -1) if month else "", "")
        out = out.merge(
            prev[["tier", "months_below", "last_key_month"]].rename(columns={"tier": "previous_tier"}),
            left_on="customer_id",
            right_index=True,
            how="outer",
        )
        out["previous_tier"] = out.previous_tier.fillna("")
        gone = out.raw_tier.isna()  # last month's customers with nothing in the window now
        out.loc[gone, "raw_tier"] = ORDINARY
        out.loc[gone, "reasons"] = ""
        out.loc[gone, "county"] = out.loc[gone, "customer_id"].map(prev.county)
        raw_rank = out.raw_tier.map(RANK)
        prev_rank = out.previous_tier.map(RANK).fillna(0)
        below = raw_rank < prev_rank
        months_below = np.where(below, out.months_below.fillna(0) + 1, 0).astype(int)
        held = below & (months_below < grace)
        out["tier"] = np.where(held, out.previous_tier, out.raw_tier)
        out["months_below"] = np.where(held, months_below, 0)
        held_reason = "保级(连续" + pd.Series(months_below, index=out.index).astype(str) + "个月未达标准)"
        out["reasons"] = np.where(held, held_reason, out.reasons)
        out["last_key_month"] = out.last_key_month.fillna("")
    out["change"] = _changes(out, active, baseline, shift(month, -returning_months) if month else "")
    if month:
        out["last_key_month"] = np.where(out.tier.map(RANK) > 0, month, out.last_key_month)
    return out.drop(columns="raw_tier").sort_values("customer_id", kind="mergesort").reset_index(drop=True)


def _changes(tiers: pd.DataFrame, active: pd.Series, baseline: bool, return_since: str) -> np.ndarray:
    """`return_since`: a key account again after being one in or after this month is returning."""
    now, before = tiers.tier.map(RANK), tiers.previous_tier.map(RANK).fillna(0)
    was_key, is_key = before > 0, now > 0
    lost = was_key & ~is_key & ~tiers.customer_id.isin(active)
    came_back = tiers.last_key_month.fillna("").ge(return_since) & tiers.last_key_month.fillna("").ne("")
    return np.select(
        [
            lost,
            ~was_key & is_key & baseline,
            ~was_key & is_key & came_back,
            ~was_key & is_key,
            now > before,
            now < before,
        ],
        ["lost", "baseline", "returning", "new", "promoted", "demoted"],
        default="unchanged",
    )


def classify(
    usage_by_month: dict[str, pd.DataFrame],
    month: str,
    archive: pd.DataFrame,
    previous: pd.DataFrame | None,
    rules: Rules,
) -> pd.DataFrame:
    """The month's tiers.csv rows: every customer of the window or of last month's tiers."""
    totals = window_totals(
        usage_by_month, month, int(rules.get("tier.window_months")), rules.get("tier.measure")
    )
    raw = raw_tiers(totals, archive, rules)
    this_month = usage_by_month.get(month)
    active = this_month.customer_id.drop_duplicates() if this_month is not None else pd.Series(dtype=str)
    grace = int(rules.get("tier.demotion_grace_months"))
    returning = int(rules.get("tier.returning_months"))
    tiers = apply_grace(raw, previous, grace, active, month, returning)
    managers = archive.set_index("customer_id").manager_id.astype(object)
    tiers["manager_id"] = managers.reindex(tiers.customer_id).fillna("").to_numpy()
    return tiers[TIERS.names]


def key_accounts(tiers: pd.DataFrame) -> pd.DataFrame:
    return tiers[tiers.tier.isin(KEY_TIERS)]
