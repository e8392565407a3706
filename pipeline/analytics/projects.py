"""Results of the marketing projects (项目目标管理) from the usage data.

A project's **cycle** (周期) is its months from 开始月份 to 结束月份 (L months). In month M its
months to date are the first n of them (n = months from the start to min(M, end)). Over them:

- **revenue** (收入): revenue of the target customers in the target business types;
- **baseline** (基线): the same customers and business types in the L months just before the start,
  month k of the cycle set against month k of the baseline (so the baseline to date is its first n
  months, the same season a year shorter or longer never mixed in); a baseline month before the
  first month of data counts 0 and makes `baseline_complete` 否;
- **new business** (新增业务): a target customer × target business type with usage in the cycle
  and none in the whole baseline window; its cycle revenue is `new_business_revenue`. When no
  month of the baseline window has data (a cycle that starts with the data), the first month of
  data stands for it: what a customer already used then was not won by the project, as the
  first month is a baseline and no key account is new in it;
- **converted** (转化客户): target customers with at least one such new pair;
- **new key accounts** (新增大客户): target customers that became key accounts (`tiers` change
  `new`, so never the go-live baseline nor a returning account) in a month of the cycle to date;
- the revenue target due to date is 目标收入 × n / L (half-up to the fen).

The target customers are the ids the register lists, or those of the month's archive that meet
every condition of its rule (企业性质, 县, 客户经理).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from pipeline.analytics.trailing import stacked_usage
from pipeline.core.months import number_of, shift, year_of
from pipeline.core.problems import Problem, problem
from pipeline.ingest.projects import ALL_BUSINESS, NOT_COUNTED, months_between
from pipeline.ingest.reference import PREFECTURE_OFFICE_NAME

PHASES = {
    "not_started": "未开始",
    "running": "进行中",
    "ending": "本月结束",
    "ended": "已结束",
    "cancelled": "已取消",
    "draft": "草稿",
}
YES, NO = "是", "否"
SHORT, PENDING = "不足", "待报"  # the cadence's verdicts below the range: from its due month, before it


def cycle_months(start: str, end: str) -> list[str]:
    return [shift(start, k) for k in range(months_between(start, end))]


def phase_of(project, month: str) -> str:
    if project.status == "已取消":
        return "cancelled"
    if project.status == "草稿":
        return "draft"
    if project.start > month:
        return "not_started"
    if project.end == month:
        return "ending"
    return "ended" if project.end < month else "running"


def in_year(register: pd.DataFrame, year: int) -> pd.DataFrame:
    """Projects whose cycle overlaps the calendar year."""
    return register[(register.start <= f"{year:04d}-12") & (register.end >= f"{year:04d}-01")]


def target_customers(project, archive: pd.DataFrame) -> list[str]:
    """The project's customers: the ids it lists, or the archive's customers its rule selects."""
    if project.target_ids:
        return project.target_ids.split("、")
    chosen = archive
    for clause in project.target_rule.split(";"):
        key, _, values = clause.partition("=")
        wanted = set(values.split("、"))
        column = {"企业性质": "nature", "县": "county", "客户经理": "manager_id"}[key]
        chosen = chosen[chosen[column].isin(wanted)]
    return sorted(chosen.customer_id)


def _types(project, all_types: list[str]) -> list[str]:
    return all_types if project.business_types == ALL_BUSINESS else project.business_types.split("、")


class UsageByCustomer:
    """Every month's usage in one frame, with each customer's rows found once: a project takes
    its customers' rows by position instead of scanning every row (at province scale, 1.8 million
    rows for each of hundreds of projects)."""

    def __init__(self, stacked: pd.DataFrame):
        self.frame = stacked
        self._rows = stacked.groupby("customer_id", sort=False).indices

    @classmethod
    def of_months(cls, usage_by_month: dict[str, pd.DataFrame]) -> UsageByCustomer:
        return cls(stacked_usage(usage_by_month, ["customer_id", "business_type", "revenue_fen"]))

    def rows(self, customers: set[str]) -> pd.DataFrame:
        """The rows of `customers`, in the frame's order."""
        found = [self._rows[c] for c in customers if c in self._rows]
        return self.frame.iloc[np.sort(np.concatenate(found))] if found else self.frame.iloc[0:0]


def first_with_rows(usage_by_month: dict[str, pd.DataFrame | None]) -> str | None:
    """The first month whose usage holds a row: the first month of data."""
    return min((m for m, u in usage_by_month.items() if u is not None and len(u)), default=None)


def target_due(target: int, counted: int, length: int) -> Decimal:
    """A target due to date: target × counted months / cycle months (exact; the revenue target in
    `projects.csv` is this half-up to the fen)."""
    return Decimal(int(target)) * int(counted) / int(length)


def new_key_accounts_by_month(tiers_by_month: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Per month, the customers that became key accounts (`tiers` change `new`)."""
    return {m: set(t.customer_id[t.change == "new"]) for m, t in tiers_by_month.items()}


def project_result(
    project,
    month: str,
    usage_by_month: dict[str, pd.DataFrame],
    tiers_by_month: dict[str, pd.DataFrame],
    archive: pd.DataFrame,
    all_types: list[str],
    usage: UsageByCustomer | None = None,
    new_by_month: dict[str, set[str]] | None = None,
    unaccepted: dict[str, set[str]] | None = None,
    left_out: list[str] | None = None,
    first_month: str | None = None,
) -> dict:
    """The project's figures in `month` (see the module), with its month-by-month curve and the
    customers it won (for the evaluation). `usage` and `new_by_month` are drawn from
    `usage_by_month` and `tiers_by_month` when not given (given once for many projects).
    `unaccepted`: month → the counties whose workbook was not accepted then (months with data).
    A month of the cycle in which, or in whose paired baseline month, a target customer's county
    was not accepted is left out of the result and of the target due (`months_left_out`), as the
    scorecard's revenue target leaves out such months: it is unknown, not a month of nothing.
    `left_out` gives those months instead, as a published result states them (the site).
    `first_month`: the first month of data (default: the earliest of `usage_by_month` that holds
    rows; history months before a centre's data begins are empty)."""
    customers = set(target_customers(project, archive))
    types = set(_types(project, all_types))
    months = cycle_months(project.start, project.end)
    length = len(months)
    baseline_months = [shift(project.start, k - length) for k in range(length)]
    if left_out is None:
        counties = set(archive.county[archive.customer_id.isin(customers)]) if len(archive) else set()
        unknown = {m for m, out in (unaccepted or {}).items() if out & counties}
        pairs = zip(months, baseline_months, strict=True)
        left_out = [m for m, b in pairs if m <= month and {m, b} & unknown]
    to_date = [m for m in months if m <= month and m not in left_out]
    n = len(to_date)

    usage = UsageByCustomer.of_months(usage_by_month) if usage is None else usage
    new_by_month = new_key_accounts_by_month(tiers_by_month) if new_by_month is None else new_by_month
    mine = usage.rows(customers)
    mine = mine[mine.business_type.isin(types)]

    def revenue_by_pair(ms: list[str]) -> pd.DataFrame:
        return mine[mine.month.isin(ms)].reset_index(drop=True)

    cycle = revenue_by_pair(to_date)
    base = revenue_by_pair(baseline_months)
    revenue = int(cycle.revenue_fen.sum())
    paired = [baseline_months[months.index(m)] for m in to_date]
    baseline = int(base[base.month.isin(paired)].revenue_fen.sum())
    first = first_month or first_with_rows(usage_by_month)
    no_baseline_data = first is not None and baseline_months[-1] < first
    base_pairs = revenue_by_pair([first]) if no_baseline_data else base  # then the go-live month
    before = set(zip(base_pairs.customer_id, base_pairs.business_type, strict=True))
    is_new = [p not in before for p in zip(cycle.customer_id, cycle.business_type, strict=True)]
    new_pairs = cycle[pd.Series(is_new, index=cycle.index, dtype=bool)]
    won = (
        pd.DataFrame(columns=["customer_id", "business_types", "revenue_fen"])
        if new_pairs.empty  # most projects in a month (not started, nothing new yet): no grouping
        else new_pairs.groupby("customer_id")
        .agg(
            business_types=("business_type", lambda s: "、".join(sorted(set(s), key=all_types.index))),
            revenue_fen=("revenue_fen", "sum"),
        )
        .reset_index()
        .sort_values(["revenue_fen", "customer_id"], ascending=[False, True], kind="mergesort")
    )
    became = set().union(*(new_by_month.get(m, set()) & customers for m in to_date))
    by_month = cycle.groupby("month").revenue_fen.sum()
    base_by_month = base.groupby("month").revenue_fen.sum()
    curve = [
        {
            "k": k + 1,
            "month": m,
            "revenue_fen": int(by_month.get(m, 0)) if m <= month and m not in left_out else None,
            "baseline_month": b,
            "baseline_fen": int(base_by_month.get(b, 0)),
        }
        for k, (m, b) in enumerate(zip(months, baseline_months, strict=True))
    ]
    target = int(project.target_revenue_fen)
    due = (2 * target * n + length) // (2 * length)  # half-up to the fen
    return {
        "project_id": project.project_id,
        "name": project.name,
        "lead": project.lead_name,
        "manager_id": project.manager_id,
        "business_types": project.business_types,
        "targets": project.targets,
        "start": project.start,
        "end": project.end,
        "cycle_months": length,
        "elapsed_months": len([m for m in months if m <= month]),
        "counted_months": n,  # elapsed, less those left out
        "months_left_out": "、".join(left_out),
        "phase": phase_of(project, month),
        "target_customers": len(customers),
        "target_revenue_fen": target,
        "target_revenue_due_fen": due,
        "revenue_fen": revenue,
        "baseline_revenue_fen": baseline,
        "revenue_change_fen": revenue - baseline,
        "new_business_revenue_fen": int(new_pairs.revenue_fen.sum()),
        "converted": int(won.customer_id.nunique()),
        "target_converted": int(project.target_converted),
        "new_key_accounts": len(became),
        "target_new_accounts": int(project.target_new_accounts),
        # the data begins with the earliest month handed over (the window reaches further back)
        "baseline_complete": YES if first is not None and baseline_months[0] >= first else NO,
        "status": project.status,
        "source_file": project.source_file,
        "source_row": int(project.source_row),
        "_curve": curve,
        "_won": won,
        "_new_key_accounts": sorted(became),
    }


def project_results(
    register: pd.DataFrame,
    month: str,
    usage_by_month: dict[str, pd.DataFrame],
    tiers_by_month: dict[str, pd.DataFrame],
    archive: pd.DataFrame,
    all_types: list[str],
    unaccepted: dict[str, set[str]] | None = None,
    earlier: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, dict], list[Problem]]:
    """(projects.csv's rows for the projects of `month`'s year, each project's full result by id,
    the warnings about target customers the archive does not know). A project that ended before
    `month` keeps its row of last month's table (`earlier`) while its register row is the same:
    its result is the one at its end, which this month's window (its baseline may lie further
    back than the months handed over) could no longer compute whole."""
    known = set(archive.customer_id)
    problems = []
    details = {}
    usage = UsageByCustomer.of_months(usage_by_month)
    new_by_month = new_key_accounts_by_month(tiers_by_month)
    for project in in_year(register, year_of(month)).itertuples():
        if project.target_ids:
            unknown = [c for c in project.target_ids.split("、") if c not in known]
            if unknown:
                problems.append(
                    problem(
                        "project_customer_unknown",
                        county=PREFECTURE_OFFICE_NAME,
                        file=project.source_file,
                        sheet=project.source_sheet,
                        cell=project.targets_cell,
                        value=project.targets,
                        detail="、".join(unknown),
                    )
                )
        details[project.project_id] = _ended_before(project, month, earlier) or project_result(
            project,
            month,
            usage_by_month,
            tiers_by_month,
            archive,
            all_types,
            usage,
            new_by_month,
            unaccepted,
        )
    columns = [c for c in RESULT_COLUMNS]
    frame = pd.DataFrame([{k: v for k, v in d.items() if not k.startswith("_")} for d in details.values()])
    frame = frame.reindex(columns=columns)
    if not frame.empty:
        frame["phase"] = frame.phase.map(PHASES)
    return frame, details, problems


# what a register row says of a project: its result carries over only while these stay the same
_REGISTERED = ("manager_id", "business_types", "targets", "start", "end")
_REGISTERED_TARGETS = ("target_revenue_fen", "target_converted", "target_new_accounts")


def _ended_before(project, month: str, earlier: pd.DataFrame | None) -> dict | None:
    """Last month's result of a project that had ended by then, as this month's (None to compute)."""
    if earlier is None or earlier.empty or phase_of(project, month) != "ended":
        return None
    rows = earlier[earlier.project_id == project.project_id]
    if len(rows) != 1:
        return None
    row = rows.iloc[0].to_dict()
    if any(c not in row for c in RESULT_COLUMNS):  # kept by a release before a column was added
        return None
    same = all(str(row[k]) == str(getattr(project, k)) for k in _REGISTERED) and all(
        int(row[k]) == int(getattr(project, k)) for k in _REGISTERED_TARGETS
    )
    if not same:
        return None
    # what names it follows the register (a project renamed after its end shows its new name);
    # its figures are those at its end
    named = {"name": project.name, "lead": project.lead_name, "phase": "ended", "status": project.status}
    return {**row, **named, "source_file": project.source_file, "source_row": int(project.source_row)}


RESULT_COLUMNS = [
    "project_id",
    "name",
    "lead",
    "manager_id",
    "business_types",
    "targets",
    "start",
    "end",
    "cycle_months",
    "elapsed_months",
    "counted_months",
    "months_left_out",
    "phase",
    "target_customers",
    "target_revenue_fen",
    "target_revenue_due_fen",
    "revenue_fen",
    "baseline_revenue_fen",
    "revenue_change_fen",
    "new_business_revenue_fen",
    "converted",
    "target_converted",
    "new_key_accounts",
    "target_new_accounts",
    "baseline_complete",
    "status",
    "source_file",
    "source_row",
]


def cadence(
    register: pd.DataFrame,
    month: str,
    county_names: dict[str, str],
    rules: dict[str, tuple[int, int]],
    due_month: int = 1,
) -> list[dict]:
    """Plans of `month`'s year against the plan's cadence (`rules`: "centre" and "county" → (low,
    high); the plan: centre 2–4, each county 1–2): one row per lead unit, counting the projects
    that start in the year (not 已取消 or 草稿). Below the range is 不足 from the `due_month` of
    the year on, 待报 before it (in January every unit has none yet); above it 超出 (the plan asks
    for at least the range: more is not a fault)."""
    year = year_of(month)
    short = SHORT if number_of(month) >= due_month else PENDING
    counted = register[(register.start.str[:4] == f"{year:04d}") & ~register.status.isin(NOT_COUNTED)]
    counts = counted.groupby("lead_name").project_id.nunique()
    units = [
        (PREFECTURE_OFFICE_NAME, rules["centre"]),
        *((name, rules["county"]) for name in county_names.values()),
    ]
    rows = []
    for unit, (low, high) in units:
        n = int(counts.get(unit, 0))
        verdict = short if n < low else "超出" if n > high else "符合"
        rows.append({"unit": unit, "plans": n, "low": low, "high": high, "verdict": verdict})
    return rows
