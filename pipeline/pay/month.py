"""A month's pay as the pay step computes it, in one place: the roster in force that month, the
verified 新揽收 claims (the 主任 and 副主任 outside the reward scheme), the counties whose pay is
held, then the lines and the summary. The Dagster asset and the whole-history test call the same
function, so the test checks what is paid."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.core.problems import label
from pipeline.ingest.reference import Reference
from pipeline.ingest.submissions import ACCEPTED, STATUS_LABELS
from pipeline.pay.claims import new_business_claims
from pipeline.pay.lines import pay_lines, pay_summary
from pipeline.pay.scorecard import entry_missing, paid_managers


@dataclass(frozen=True)
class MonthPay:
    claims: pd.DataFrame  # every 新揽收 row and its verdict
    lines: pd.DataFrame
    summary: pd.DataFrame


def paid_staff(ref: Reference, month: str) -> pd.DataFrame:
    """The managers paid in `month` (the roster as it stood then), with their county's name."""
    managers = paid_managers(ref.managers_active_in(month))
    return managers.assign(county_name=managers.county.map(ref.county_display))


def counties_then(ref: Reference, months: list[str]) -> dict[str, dict[str, str]]:
    """Month → manager id → the name of the county the manager worked in that month (the
    roster as it stood then: a manager who moved is judged by each month's own county)."""
    out = {}
    for m in months:
        active = ref.managers_active_in(m)
        out[m] = dict(zip(active.manager_id, active.county.map(ref.county_display), strict=True))
    return out


def held_counties(ref: Reference, submissions: pd.DataFrame) -> dict[str, str]:
    """County code → why its workbook was not accepted this month (its managers' pay is held)."""
    codes = {name: code for code, name in ref.county_names.items()}
    refused = submissions[~submissions.status.isin(ACCEPTED)]
    return {codes[r.county]: STATUS_LABELS.get(r.status, r.status) for r in refused.itertuples()}


UNUSED_ROW_COLUMNS = ["manager_id", "customer_id", "file", "row", "reason", "values"]


def unused_rows(rejected_rows: pd.DataFrame, archive: pd.DataFrame) -> pd.DataFrame:
    """The 用邮情况 rows not used this month, by the manager the archive gives their customer: the
    statement lists them, so a manager sees which revenue (and reward) waits for the county's
    correction instead of finding it missing."""
    if "customer_id" not in rejected_rows or rejected_rows.empty:
        return pd.DataFrame(columns=UNUSED_ROW_COLUMNS)
    rows = rejected_rows[rejected_rows.customer_id.fillna("") != ""]
    managers = archive.drop_duplicates("customer_id", keep="last").set_index("customer_id").manager_id
    return pd.DataFrame(
        {
            "manager_id": rows.customer_id.map(managers).fillna("").to_numpy(),
            "customer_id": rows.customer_id.to_numpy(),
            "file": rows.file.to_numpy(),
            "row": rows.row.to_numpy(),
            "reason": rows.code.map(label).to_numpy(),
            "values": rows["values"].to_numpy(),
        },
        columns=UNUSED_ROW_COLUMNS,
    )


def month_pay(
    month: str,
    ref: Reference,
    scorecards: pd.DataFrame,
    usage_by_month: dict[str, pd.DataFrame],
    assessment: pd.DataFrame,
    names: pd.Series,
    held: dict[str, str],
    unaccepted: dict[str, set[str]] | None = None,
    assessment_found: bool = True,
) -> MonthPay:
    """`usage_by_month`: the month's usage and that of the months before it (the 新揽收 window);
    `names`: customer id → name; `held`: `held_counties`; `unaccepted`: `unaccepted_counties` of
    the window's months; `assessment_found`: whether the month's 考核评分 sheet came (without it,
    or without a manager's row, that manager's 突出贡献奖 is held)."""
    rules = ref.rules.for_month(month)
    usage = usage_by_month[month]
    earlier = {m: u for m, u in usage_by_month.items() if m < month}
    active = ref.managers_active_in(month)
    staff = paid_staff(ref, month)
    outside = set(active.manager_id) - set(staff.manager_id)
    claims = new_business_claims(month, usage, earlier, rules, set(active.manager_id), outside, unaccepted)
    on_sheet = set(assessment.manager_id)
    unknown = {m: why for m in staff.manager_id if (why := entry_missing(m, on_sheet, assessment_found))}
    lines = pay_lines(month, rules, staff, scorecards, usage, assessment, names, claims, held, unknown)
    return MonthPay(claims, lines, pay_summary(lines, staff))
