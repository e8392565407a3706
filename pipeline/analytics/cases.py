"""Complaints, inquiries and claims (投诉、查询、理赔): the case register as of each month.

The plan: 协助各级客户中心及时解决大客户的投诉、查询和理赔. A county lists in its 投诉查询理赔
sheet the cases received in the month and, in a later month, an earlier case again with its
办结日期 once it is closed. The register is last month's cases with this month's rows laid
over them (a blank cell keeps the earlier value), so a case stays open across months until a
workbook gives its 办结日期.

A case is identified by its key: county, 客户编号, 受理日期, 类型 and 邮件号码 (blank when the
case names no item). A county repeats these five to update a case; a row that changes one of
them is a new case. Measures, in calendar days, as of the month's last day:
- age_days: from 受理日期 to 办结日期, or to the month's last day while the case is open;
- days_to_close: from 受理日期 to 办结日期 (blank while open);
- status: open, overdue (open and older than its limit), closed, closed_late (closed after
  its limit). The limit of a type is the rules' `cases.limit_days` in force in the month the
  case was received (受理), also when it is measured later.
A closure is counted in the month whose workbook first gives its 办结日期 (`closed_month`): a
case closed on 20 September and reported closed only in October's workbook is one of October's
closures, not of no month's.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pipeline.core.contract import CASES, REJECTED_ROWS
from pipeline.core.money import format_yuan
from pipeline.core.months import last_day, shift
from pipeline.core.problems import Problem, problem
from pipeline.core.rules import RuleBook
from pipeline.ingest.county import CASE_COLUMNS, CASE_TYPES
from pipeline.ingest.grid import customer_code

TYPE_LABELS = {english: chinese for chinese, english in CASE_TYPES.items()}  # complaint → 投诉
STATUS_LABELS = {"open": "未办结", "overdue": "超时未办结", "closed": "已办结", "closed_late": "超时办结"}
OPEN = ("open", "overdue")
# fields a county's row gives; a blank one keeps the register's earlier value
_RECORD_FIELDS = [
    c
    for c in CASE_COLUMNS
    if c not in ("case_id", "source_file", "source_row", "source_sheet", "opened_cell")
]
_MEASURES = ("status", "limit_days", "age_days", "days_to_close")
SUMMARY_COLUMNS = [
    "opened",
    "closed",
    "open",
    "overdue",
    "closed_late",
    "mean_days_to_close",
    "claim_amount_fen",
    "open_claim_amount_fen",
]


def limit_days(rules: RuleBook, opened: str, case_type: str) -> int:
    """The limit of `case_type` in force in the month the case was received (the first period's
    for a case received before the rules file begins)."""
    month = max(opened[:7], rules.periods[0]["from"])
    return int(rules.for_month(month).get("cases.limit_days")[TYPE_LABELS[case_type]])


# a case received this many months back, in a month its county's workbook was not accepted, is
# taken when the county reports it (it could not be reported then)
CASE_LATE_MONTHS = 12


def unmatched(
    previous: pd.DataFrame | None,
    updates: pd.DataFrame,
    month: str,
    unaccepted: dict[str, set[str]] | None = None,
) -> pd.Series:
    """Rows of a case received before this month that match no case reported before: a typo in
    its key, or a case never reported in its month. Taken as a new case, it would leave the
    earlier one open for ever; it is rejected instead (`case_problems`). While no case has been
    registered (`previous` None or empty: the first month of the centre's data, after the empty
    months `kac run` builds before it) every earlier case is listed for the first time. So is a
    case received in a month whose workbook from its county was not accepted (`unaccepted`:
    month → county names, `ingest.submissions.unaccepted_counties`): it could not be reported."""
    if previous is None or previous.empty:
        return pd.Series(False, index=updates.index)
    earlier = (updates.opened < f"{month}-01") & ~updates.case_id.isin(set(previous.case_id.map(case_key)))
    unaccepted = {m: c for m, c in (unaccepted or {}).items() if m >= shift(month, -CASE_LATE_MONTHS)}
    could_not = [
        county in unaccepted.get(str(opened)[:7], ())
        for county, opened in zip(updates.county, updates.opened, strict=True)
    ]
    return earlier & ~pd.Series(could_not, index=updates.index, dtype=bool)


def case_key(case_id: str) -> str:
    """A case id with its 邮件号码 as read today (ingest.grid.customer_code): a register kept
    before the number was normalised still matches this month's rows."""
    *head, mail_no = case_id.split("|")
    return "|".join([*head, customer_code(mail_no)])


def case_problems(
    previous: pd.DataFrame | None,
    updates: pd.DataFrame,
    month: str,
    unaccepted: dict[str, set[str]] | None = None,
) -> list[Problem]:
    """The unmatched rows, each at its 受理日期 cell, naming the customer's nearest case reported
    before (an open one first): most often the case the row meant, its key typed differently."""
    rows = updates[unmatched(previous, updates, month, unaccepted)]
    return [
        problem(
            "case_unmatched",
            county=r.county,
            file=r.source_file,
            sheet=r.source_sheet,
            cell=r.opened_cell,
            value=r.opened,
            nearest=_nearest_case(previous, r.customer_id, str(r.opened)),
        )
        for r in rows.itertuples()
    ]


def _nearest_case(previous: pd.DataFrame, customer_id: str, opened: str) -> str:
    mine = previous[previous.customer_id == customer_id]
    if mine.empty:
        return "该客户此前没有报送过案件"
    day = pd.Timestamp(opened) if opened else pd.Timestamp.max
    distance = (pd.to_datetime(mine.opened) - day).abs()
    closest = mine.assign(_closed=~mine.status.isin(OPEN), _distance=distance)
    r = closest.sort_values(["_closed", "_distance"], kind="mergesort").iloc[0]
    mail = f"、邮件号码 {r.mail_no}" if isinstance(r.mail_no, str) and r.mail_no else ""
    state = STATUS_LABELS.get(r.status, r.status)
    return f"该客户此前最相近的案件为:受理日期 {r.opened}、{TYPE_LABELS.get(r.type, r.type)}{mail}({state})"


# a rejected row's values in the order of the sheet's columns (受理日期 first)
_SHOWN_FIELDS = ["opened", *(f for f in _RECORD_FIELDS if f not in ("county", "opened"))]


def _yuan_or_blank(fen) -> str:
    return "" if pd.isna(fen) or str(fen) == "" else format_yuan(int(fen))


def unmatched_rows(
    previous: pd.DataFrame | None,
    updates: pd.DataFrame,
    month: str,
    unaccepted: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """The unmatched rows as they were read (contract.REJECTED_ROWS columns), kept with the
    month's tables as `case_rejected_rows`: rejected after the intake, they are not in its
    quarantine."""
    rows = updates[unmatched(previous, updates, month, unaccepted)]
    labels = rows.type.map(TYPE_LABELS).fillna(rows.type)
    amounts = [_yuan_or_blank(a) for a in rows.claim_amount_fen]
    shown = rows[_SHOWN_FIELDS].assign(type=labels, claim_amount_fen=amounts).fillna("").astype(str)
    values = [" | ".join(r) for r in shown.itertuples(index=False)]
    return pd.DataFrame(
        {
            "county": rows.county,
            "file": rows.source_file,
            "sheet": rows.source_sheet,
            "row": rows.source_row,
            "code": "case_unmatched",
            "values": values,
        },
        columns=REJECTED_ROWS.names,
    )


def case_register(
    previous: pd.DataFrame | None,
    updates: pd.DataFrame,
    month: str,
    rules: RuleBook,
    archive: pd.DataFrame | None = None,
    unaccepted: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """Every case as of `month`: `previous` (last month's register) with `updates` (this month's
    rows, ingest.county.CASE_COLUMNS) laid over it, and each case's measures at the month's end.
    A case without a 客户经理 is given the customer's manager in `archive`."""
    columns = CASES.frame_columns
    first = previous is None or previous.empty  # the first month: every case is listed anew
    base = with_closed_month(previous) if not first else pd.DataFrame(columns=columns)
    base = base[columns].assign(case_id=base.case_id.map(case_key)).set_index("case_id")
    updates = updates[~unmatched(previous, updates, month, unaccepted)]
    rows = updates.sort_values("source_row", kind="mergesort").drop_duplicates("case_id", keep="last")
    rows = rows.set_index("case_id")
    changed = rows.index
    earlier = base.reindex(changed)
    merged = rows[_RECORD_FIELDS].astype(object).replace("", None)
    merged = merged.combine_first(earlier[_RECORD_FIELDS].astype(object).replace("", None))
    merged = merged.astype(object).where(merged.notna(), "")
    merged["first_month"] = earlier.first_month.fillna(month)
    merged["changed_month"] = month
    merged["source_file"] = rows.source_file
    merged["source_row"] = rows.source_row
    reported = earlier.closed_month.fillna("").where(earlier.closed.fillna("") != "", "")
    now = month if not first else merged.closed.astype(str).str[:7]  # before the data: its own month
    merged["closed_month"] = reported.where(reported != "", now).where(merged.closed != "", "")
    out = pd.concat([base.drop(index=changed, errors="ignore"), merged]).reset_index(names="case_id")
    amounts = out.claim_amount_fen.replace("", None)
    out["claim_amount_fen"] = pd.array([None if pd.isna(v) else int(v) for v in amounts], dtype="Int64")
    if archive is not None and len(archive) and len(out):
        managers = archive.set_index("customer_id").manager_id
        blank = out.manager_id.astype(str) == ""
        out.loc[blank, "manager_id"] = out.customer_id[blank].map(managers).fillna("")
    out = _measured(out, month, rules)
    return out[columns].sort_values(["county", "opened", "case_id"], kind="mergesort").reset_index(drop=True)


def with_closed_month(previous: pd.DataFrame) -> pd.DataFrame:
    """A register written before `closed_month` existed: each closure in its 办结日期's month."""
    if "closed_month" in previous:
        return previous
    return previous.assign(closed_month=previous.closed.fillna("").astype(str).str[:7])


def _measured(cases: pd.DataFrame, month: str, rules: RuleBook) -> pd.DataFrame:
    if cases.empty:
        for column in _MEASURES:
            cases[column] = pd.Series(dtype=object)
        return cases
    end = date.fromisoformat(last_day(month))
    opened = cases.opened.map(date.fromisoformat)
    closed = cases.closed.map(lambda d: date.fromisoformat(d) if d else None)
    age = [((c or end) - o).days for o, c in zip(opened, closed, strict=True)]
    limits = [limit_days(rules, o, t) for o, t in zip(cases.opened, cases.type, strict=True)]
    is_closed = closed.notna().to_numpy()
    late = np.array(age) > np.array(limits)
    cases["limit_days"] = np.array(limits, dtype=np.int64)
    cases["age_days"] = np.array(age, dtype=np.int64)
    cases["days_to_close"] = pd.array(
        [a if c else None for a, c in zip(age, is_closed, strict=True)], dtype="Int64"
    )
    cases["status"] = np.select(
        [is_closed & late, is_closed, late], ["closed_late", "closed", "overdue"], default="open"
    )
    return cases


def case_summary(cases: pd.DataFrame, month: str, by: str) -> pd.DataFrame:
    """Per `by` (county or manager_id): cases received and closed (reported closed) in the month,
    open and overdue at its end, closed after the limit in the month, the mean days to close of
    those closed in the month, and claim amounts (received in the month; still open), in fen."""
    if cases.empty:
        return pd.DataFrame(columns=[by, *SUMMARY_COLUMNS])
    cases = with_closed_month(cases)  # a register stored by a version before the column
    flags = pd.DataFrame(
        {
            by: cases[by].astype(str),
            "opened": cases.opened.str.startswith(month),
            "closed": cases.closed_month.astype(str) == month,
            "open": cases.status.isin(OPEN),
            "overdue": cases.status == "overdue",
        }
    )
    flags["closed_late"] = flags.closed & (cases.status == "closed_late")
    claims = cases.claim_amount_fen.fillna(0).astype("int64")
    flags["claim_amount_fen"] = np.where(flags.opened & (cases.type == "claim"), claims, 0)
    flags["open_claim_amount_fen"] = np.where(flags.open & (cases.type == "claim"), claims, 0)
    flags["days_closed"] = cases.days_to_close.where(flags.closed).astype("Float64")
    grouped = flags.groupby(by, sort=True)
    out = grouped[["opened", "closed", "open", "overdue", "closed_late"]].sum().astype("int64")
    out["mean_days_to_close"] = grouped.days_closed.mean().astype(float).round(2)
    out["claim_amount_fen"] = grouped.claim_amount_fen.sum().astype("int64")
    out["open_claim_amount_fen"] = grouped.open_claim_amount_fen.sum().astype("int64")
    active = (out[["opened", "closed", "open"]] > 0).any(axis=1)
    return out[active].reset_index()[[by, *SUMMARY_COLUMNS]]


def overdue_complaints(cases: pd.DataFrame) -> pd.DataFrame:
    """The complaints still open past their limit."""
    return cases[(cases.type == "complaint") & (cases.status == "overdue")]
