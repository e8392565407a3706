"""A month's pay as the pay step computes it, in one place: the roster in force that month, the
verified 新揽收 claims (the 主任 and 副主任 outside the reward scheme), the counties whose pay is
held, then the lines and the summary. The Dagster asset and the whole-history test call the same
function, so the test checks what is paid."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.ingest.reference import Reference
from pipeline.ingest.submissions import ACCEPTED, STATUS_LABELS
from pipeline.pay.claims import new_business_claims
from pipeline.pay.lines import pay_lines, pay_summary
from pipeline.pay.scorecard import paid_managers


@dataclass(frozen=True)
class MonthPay:
    claims: pd.DataFrame  # every 新揽收 row and its verdict
    lines: pd.DataFrame
    summary: pd.DataFrame


def paid_staff(ref: Reference, month: str) -> pd.DataFrame:
    """The managers paid in `month` (the roster as it stood then), with their county's name."""
    managers = paid_managers(ref.managers_active_in(month))
    return managers.assign(county_name=managers.county.map(ref.county_display))


def held_counties(ref: Reference, submissions: pd.DataFrame) -> dict[str, str]:
    """County code → why its workbook was not accepted this month (its managers' pay is held)."""
    codes = {name: code for code, name in ref.county_names.items()}
    refused = submissions[~submissions.status.isin(ACCEPTED)]
    return {codes[r.county]: STATUS_LABELS.get(r.status, r.status) for r in refused.itertuples()}


def accepted_counties(submissions_by_month: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Month → the counties whose workbook was accepted that month."""
    return {m: set(t.county[t.status.isin(ACCEPTED)]) for m, t in submissions_by_month.items()}


def month_pay(
    month: str,
    ref: Reference,
    scorecards: pd.DataFrame,
    usage_by_month: dict[str, pd.DataFrame],
    assessment: pd.DataFrame,
    names: pd.Series,
    held: dict[str, str],
    accepted: dict[str, set[str]] | None = None,
) -> MonthPay:
    """`usage_by_month`: the month's usage and that of the months before it (the 新揽收 window);
    `names`: customer id → name; `held`: `held_counties`; `accepted`: `accepted_counties` of the
    window's months."""
    rules = ref.rules.for_month(month)
    usage = usage_by_month[month]
    earlier = {m: u for m, u in usage_by_month.items() if m < month}
    active = ref.managers_active_in(month)
    staff = paid_staff(ref, month)
    outside = set(active.manager_id) - set(staff.manager_id)
    claims = new_business_claims(month, usage, earlier, rules, set(active.manager_id), outside, accepted)
    lines = pay_lines(month, rules, staff, scorecards, usage, assessment, names, claims, held)
    return MonthPay(claims, lines, pay_summary(lines, staff))
