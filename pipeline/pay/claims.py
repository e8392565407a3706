"""新揽收 claims: which rows labelled as newly collected business earn the marketing reward.

The plan pays a one-time reward on the first business collected (一次性揽收…按收入的一定比例).
A row labelled 新揽收 earns it only where that customer × business type had no usage in the
preceding window (rules: `pay.new_business_window_months`, default 12): so a relabelled
existing business earns nothing, and a new one is rewarded once, in the month of its first
collection (the next month it has usage in the window). In the go-live month there is no
earlier data to check a claim against: nothing is rewarded then (the baseline). A row with
neither 用邮量 nor 收入 (a county's "no mail this month") is not usage: it neither earns the
reward nor uses it up, and months holding only such rows are no earlier data.
A month of the window whose workbook from the claim's county was not accepted is unknown, not
"no usage": a claim found nowhere else waits (no reward) until that month is accepted, when the
re-run of the later months pays it if it is still new.
A claim that fails stays usage; it is reported as a warning at its 揽收类型 cell and listed on
the manager's statement with the month its earlier usage was found.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.core.months import shift
from pipeline.core.problems import Problem, problem
from pipeline.core.rules import Rules

NEW_BUSINESS = "新揽收"
CLAIM_COLUMNS = [
    "customer_id",
    "business_type",
    "manager_id",
    "county",
    "revenue_fen",
    "source_file",
    "source_sheet",
    "source_row",
    "collection_cell",
    "manager_cell",
    "rewarded",
    "earlier_month",
    "reason",
    "claimed_elsewhere",  # the other rows claiming the same first collection this month
]
GO_LIVE_REASON = "系统启用首月,无此前用邮记录可核实"
NOTHING_COLLECTED_REASON = "用邮量与收入均为0,未揽收"
NOT_IN_POST_REASON = "所填客户经理本月不在岗,奖励暂不发放,待县局核对客户经理后重新运行"
OUTSIDE_SCHEME_REASON = "主任、副主任不参加营销奖励"


def window_months(rules: Rules) -> int:
    return int(rules.get("pay").get("new_business_window_months", 12))


def new_business_claims(
    month: str,
    usage: pd.DataFrame,
    earlier: dict[str, pd.DataFrame],
    rules: Rules,
    in_post: set[str] | None = None,
    outside_scheme: frozenset[str] | set[str] = frozenset(),
    unaccepted: Mapping[str, set[str]] | None = None,
) -> pd.DataFrame:
    """Every 新揽收 row of the month with its verdict.

    `earlier`: usage of the months before `month` that the data holds (any of the window may be
    absent before go-live); no earlier month at all means `month` is the go-live month.
    `in_post`: the managers on the roster this month (None: everyone named); a claim under
    anyone else would be paid to nobody, so it waits for the county to correct the row.
    `outside_scheme`: managers in post outside the reward scheme (主任/副主任: the plan pays
    除主任副主任外); their claims are verified but earn nothing, and say so.
    `unaccepted`: month → the counties whose workbook was not accepted that month
    (ingest.submissions.unaccepted_counties); such a window month cannot clear the county's claims.
    """
    claims = usage[usage.collection == NEW_BUSINESS]
    for cell in ("collection_cell", "manager_cell"):  # blank in usage read before they were kept
        claims = claims.assign(**{cell: claims[cell].fillna("") if cell in claims else ""})
    earlier = {m: frame[_collected(frame)] for m, frame in earlier.items()}
    window = [shift(month, -k) for k in range(1, window_months(rules) + 1)]
    seen = [
        earlier[m][["customer_id", "business_type"]].assign(earlier_month=m)
        for m in window
        if m in earlier and not earlier[m].empty
    ]
    if seen:
        last_use = pd.concat(seen).groupby(["customer_id", "business_type"]).earlier_month.max()
        found = pd.MultiIndex.from_frame(claims[["customer_id", "business_type"]]).map(last_use.to_dict().get)
        earlier_month = pd.Series(found, index=claims.index).fillna("")
    else:
        earlier_month = pd.Series("", index=claims.index)
    # empty history months (a centre whose data starts later) are no earlier data either
    go_live = not any(m < month and not frame.empty for m, frame in earlier.items())
    out = claims.assign(earlier_month=earlier_month)
    collected = _collected(out)
    new = (out.earlier_month == "") & collected & (not go_live)
    out["claimed_elsewhere"] = twice = _claimed_elsewhere(out, new)
    unknown = _unchecked_months(out, [m for m in window if m in earlier and not earlier[m].empty], unaccepted)
    posted = out.manager_id.isin(in_post) if in_post is not None else pd.Series(True, index=out.index)
    outside = out.manager_id.isin(outside_scheme)
    out["rewarded"] = new & (unknown == "") & (twice == "") & posted & ~outside
    out["reason"] = [
        _reason(go_live, m, used, gap, other, here, away)
        for m, used, gap, other, here, away in zip(
            out.earlier_month, collected, unknown, twice, posted, outside, strict=True
        )
    ]
    return out.reindex(columns=CLAIM_COLUMNS).reset_index(drop=True)


def _claimed_elsewhere(claims: pd.DataFrame, new: pd.Series) -> pd.Series:
    """For each new claim whose customer × business is claimed new in another row this month
    (two counties' workbooks: one workbook's repeated rows are already dropped at intake), where
    else: a first collection is rewarded once, and the product cannot tell whose it was."""
    key = ["customer_id", "business_type"]
    rows = claims[new]
    shared = rows[rows.duplicated(key, keep=False)]
    out = pd.Series("", index=claims.index)
    for _, group in shared.groupby(key, sort=False):
        places = {i: f"{r.county} {r.source_file} 第{r.source_row}行" for i, r in group.iterrows()}
        for i in places:
            out[i] = "、".join(place for j, place in places.items() if j != i)
    return out


def _unchecked_months(
    claims: pd.DataFrame, with_data: list[str], unaccepted: Mapping[str, set[str]] | None
) -> pd.Series:
    """For each claim, the window months (with data) in which its county's workbook was not
    accepted, "、"-joined oldest first ("" when every month could be checked)."""
    unaccepted = unaccepted or {}
    missing = {
        county: "、".join(sorted(m for m in with_data if county in unaccepted.get(m, ())))
        for county in claims.county.unique()
    }
    return claims.county.map(missing).fillna("")


def _reason(
    go_live: bool,
    earlier_month: str,
    collected: bool,
    unchecked: str,
    elsewhere: str,
    in_post: bool,
    outside: bool,
) -> str:
    """Why a claim is not rewarded ("" when it is)."""
    if go_live:
        return GO_LIVE_REASON
    if earlier_month:
        return f"{earlier_month} 已有该业务用邮,非新揽收"
    if not collected:
        return NOTHING_COLLECTED_REASON
    if unchecked:
        return f"本县 {unchecked} 的报表未被采用,无法核实是否为新业务:奖励暂缓,待该月报表补报采用后重新运行"
    if elsewhere:
        return f"本月另有 {elsewhere} 也报为新揽收:同一笔新业务只奖励一次,待县局核对后重新运行"
    if not in_post:
        return NOT_IN_POST_REASON
    return OUTSIDE_SCHEME_REASON if outside else ""


def _who(manager_id: str, names: Mapping[str, str]) -> str:
    name = names.get(manager_id)
    return f"{name},工号 {manager_id}" if name else manager_id


def _collected(rows: pd.DataFrame) -> pd.Series:
    """Rows with mail or revenue: a 0/0 row says the customer sent nothing."""
    return (rows.volume > 0) | (rows.revenue_fen > 0)


def claim_problems(claims: pd.DataFrame, names: Mapping[str, str] | None = None) -> list[Problem]:
    """A warning at the 揽收类型 cell of each claim that found earlier usage, and at the 客户经理
    cell of each that names a manager not in post (by the roster's name and 工号: the county may
    have typed either)."""
    names = names or {}
    failed = claims[~claims.rewarded & (claims.earlier_month != "")]
    unpaid = claims[~claims.rewarded & (claims.reason == NOT_IN_POST_REASON)]
    twice = claims[~claims.rewarded & (claims.claimed_elsewhere.fillna("") != "")]
    where = [
        ("new_collection_not_new", r, r.collection_cell, NEW_BUSINESS, r.earlier_month)
        for r in failed.itertuples()
    ]
    where += [
        ("new_collection_claimed_twice", r, r.collection_cell, NEW_BUSINESS, r.claimed_elsewhere)
        for r in twice.itertuples()
    ]
    where += [
        (
            "claim_manager_not_in_post",
            r,
            r.manager_cell or r.collection_cell,
            r.manager_id,
            _who(r.manager_id, names),
        )
        for r in unpaid.itertuples()
    ]
    return [
        problem(
            code,
            county=r.county,
            file=r.source_file,
            sheet=r.source_sheet,
            cell=cell,
            value=value,
            detail=detail,
        )
        for code, r, cell, value, detail in where
    ]
