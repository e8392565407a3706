"""Volume-based pricing bands (浮动定价): which band each key account is eligible for.

The plan: 依据市场环境和客户用邮规模,实行浮动定价. The rules (`[period.pricing.bands."<业务种类>"]`)
give, per business type, the measure (用邮量 `volume` or revenue `revenue`) summed over the
trailing window (`pricing.window_months`, 12 months ending at the month), the thresholds in
increasing order and the band names (one more than thresholds, lowest first). A customer is in
the highest band whose threshold its trailing figure reaches (a figure equal to a threshold is
in the band above it). The product shows eligibility only: discounts are the centre's decision.

For every key account of the month and every business type with bands that it used in the
window: its band, the next band and what is missing to reach it, last month's band (last
month's window under last month's rules) and the change (up, down, same, first: no figure last
month; partial: last month's window began before the data does, so the figures are still
growing with the history and no move is called). A band that moved up or down needs a new
agreement.

The archive's optional 协议档次 names the bands agreed, e.g. "特快:一档;快包:基础档" (parts
separated by ; ; , , 、 or spaces; business type and band by : or :). `agreement` is
`above_agreed` when the trailing figure has crossed the ceiling of the agreed band (the account
is now in a higher band), `below_agreed` when it is below the agreed band's floor, `unreadable`
when the cell names a business type or band that does not exist (its text is kept in
`agreed_label`), blank otherwise.
"""

from __future__ import annotations

import pandas as pd

from pipeline.analytics.tiers import key_accounts
from pipeline.analytics.trailing import trailing_usage, used
from pipeline.core.contract import PRICING_BANDS
from pipeline.core.months import month_range, shift
from pipeline.core.rules import RuleBook
from pipeline.core.text import AliasIndex
from pipeline.ingest.bands import band_scheme, parse_agreed  # the one reading of 协议档次 (also at ingest)

CHANGE_LABELS = {
    "up": "升档",
    "down": "降档",
    "same": "不变",
    "first": "新进入",
    "partial": "数据不足12个月",
    "incomplete": "本县(市)有月份报表未采用,暂不判断",
}
AGREEMENT_LABELS = {
    "above_agreed": "已超出协议档次",
    "below_agreed": "低于协议档次",
    "unreadable": "协议档次无法识别",
}
MOVED = ("up", "down")


def band_of(figure: int, thresholds: list[int]) -> int:
    """The number of thresholds reached: 0 = the lowest band."""
    return sum(1 for t in thresholds if figure >= t)


def _bands(trailing: pd.DataFrame, scheme: dict[str, dict]) -> pd.DataFrame:
    rows = []
    for r in trailing.itertuples():
        spec = scheme.get(r.business_type)
        if spec is None:
            continue
        figure = int(r.revenue_fen if spec["measure"] == "revenue" else r.volume)
        band = band_of(figure, spec["thresholds"])
        top = band >= len(spec["thresholds"])
        missing = None if top else spec["thresholds"][band] - figure
        rows.append(
            {
                "customer_id": r.customer_id,
                "business_type": r.business_type,
                "measure": spec["measure"],
                "trailing_volume": int(r.volume),
                "trailing_revenue_fen": int(r.revenue_fen),
                "band": band,
                "band_label": spec["names"][band],
                "next_label": "" if top else spec["names"][band + 1],
                "to_next_volume": missing if spec["measure"] == "volume" else None,
                "to_next_revenue_fen": missing if spec["measure"] == "revenue" else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "customer_id",
            "business_type",
            "measure",
            "trailing_volume",
            "trailing_revenue_fen",
            "band",
            "band_label",
            "next_label",
            "to_next_volume",
            "to_next_revenue_fen",
        ],
    )


def pricing_bands(
    usage_by_month: dict[str, pd.DataFrame],
    month: str,
    tiers: pd.DataFrame,
    archive: pd.DataFrame,
    rules: RuleBook,
    business: AliasIndex,
    unaccepted: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """One row per key account × business type with bands that it used in the window (PRICING_BANDS).
    `unaccepted`: month → counties whose workbook was not accepted: a key account of a county
    missing from either window is `incomplete` (its trailing figure is short, no move is called)."""
    now_rules = rules.for_month(month)
    scheme = band_scheme(now_rules.values)
    columns = PRICING_BANDS.frame_columns
    keys = key_accounts(tiers)
    if not scheme or keys.empty:
        return pd.DataFrame(columns=columns)
    window = int(now_rules.get("pricing.window_months"))
    trailing = used(trailing_usage(usage_by_month, month, window))
    out = _bands(trailing[trailing.customer_id.isin(set(keys.customer_id))], scheme)
    last = shift(month, -1)
    before = rules.for_month(max(last, rules.periods[0]["from"]))
    last_scheme = band_scheme(before.values)
    earlier = used(trailing_usage(usage_by_month, last, int(before.get("pricing.window_months"))))
    if last not in usage_by_month:
        earlier = earlier.iloc[0:0]
    previous = _bands(earlier[earlier.customer_id.isin(set(out.customer_id))], last_scheme)
    previous = previous.set_index(["customer_id", "business_type"])[["band", "band_label"]]
    out = out.join(previous.rename(columns=lambda c: "previous_" + c), on=["customer_id", "business_type"])
    out["change"] = "first"
    window_before = int(before.get("pricing.window_months"))
    full = all(m in usage_by_month for m in month_range(shift(last, -(window_before - 1)), last))
    if not full:  # last month's window began before the data: the figures still grow, no move is called
        out["change"] = "partial"
    had = out.previous_band.notna() & full
    before_band = out.previous_band.fillna(-1)  # compared only where `had`
    out.loc[had & (out.band > before_band), "change"] = "up"
    out.loc[had & (out.band < before_band), "change"] = "down"
    out.loc[had & (out.band == before_band), "change"] = "same"
    out["previous_label"] = out.previous_band_label.fillna("")

    info = keys.set_index("customer_id")
    out["county"] = out.customer_id.map(info.county)
    reach = month_range(shift(last, -(window_before - 1)), month)
    short = set().union(*((unaccepted or {}).get(m, set()) for m in reach))
    out.loc[out.county.isin(short) & out.change.isin(["up", "down", "same"]), "change"] = "incomplete"
    out["manager_id"] = out.customer_id.map(info.manager_id).fillna("")
    agreed_text = archive.set_index("customer_id").get("agreed_band", pd.Series(dtype=str))
    labels, flags = [], []
    for r in out.itertuples():
        text = agreed_text.get(r.customer_id, "")
        text = "" if text is None or text != text else str(text).strip()
        agreed, readable = parse_agreed(text, scheme, business)
        band = agreed.get(r.business_type)
        if band is not None:
            labels.append(scheme[r.business_type]["names"][band])
            flags.append("above_agreed" if r.band > band else "below_agreed" if r.band < band else "")
        elif text and not readable:
            labels.append(text)
            flags.append("unreadable")
        else:
            labels.append("")
            flags.append("")
    out["agreed_label"] = labels
    out["agreement"] = flags
    out["band"] = out.band.astype("int64")
    for column in ("to_next_volume", "to_next_revenue_fen"):
        out[column] = out[column].astype("Int64")  # blank in the highest band and for the other measure
    out = out.sort_values(["customer_id", "business_type"], kind="mergesort").reset_index(drop=True)
    return out[columns]


def pricing_section(table: pd.DataFrame, names: pd.Series, limit: int = 30) -> dict:
    """What the 信息参考 says: counts by business type and band, the accounts that moved band
    this month (need a new agreement) and those above their agreed band. No prices."""
    if table.empty:
        return {
            "by_business": [],
            "moved": [],
            "above": [],
            "moved_count": 0,
            "above_count": 0,
            "partial": False,
        }
    by_business = []
    for business, rows in table.groupby("business_type", sort=False):
        counts = rows.band_label.value_counts()
        order = rows.sort_values("band").band_label.unique()
        by_business.append(
            {
                "business_type": business,
                "bands": [{"label": label, "count": int(counts[label])} for label in order],
                "up": int((rows.change == "up").sum()),
                "down": int((rows.change == "down").sum()),
            }
        )

    def listed(frame: pd.DataFrame) -> list[dict]:
        return [
            {
                "customer_id": r.customer_id,
                "name": names.get(r.customer_id, "") or "",
                "county": r.county,
                "business_type": r.business_type,
                "previous_label": r.previous_label,
                "band_label": r.band_label,
                "agreed_label": r.agreed_label,
                "change_label": CHANGE_LABELS[r.change],
            }
            for r in frame.head(limit).itertuples()
        ]

    moved = table[table.change.isin(MOVED)]
    above = table[table.agreement == "above_agreed"]
    return {
        "by_business": by_business,
        "moved": listed(moved),
        "above": listed(above),
        "moved_count": len(moved),
        "above_count": len(above),
        "partial": bool((table.change == "partial").any()),
    }
