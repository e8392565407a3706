"""Manager scorecards (客户经理考核指标): the eight items of the plan with their weights from the
rules file; each item shows its measured value, its points and how the points were derived.

Data items are measured over the manager's key accounts (the archive names their manager):
- archive (档案更新): share whose archive record changed in the last three months (每季更新);
- contact (联系): share visited this month;
- retention (稳定): share with neither a loss nor a decline alert;
- new_accounts (发展新大客户): customers that became key accounts this year (not the go-live
  baseline, not a returning one), credited to the manager named in the month it became one,
  against the annual target pro rata to the months employed this year;
- annual_target (全年目标): revenue this year of the rows the manager collected, against the
  annual revenue target pro rata to the month.
Manual items (市场调查, 项目策划, 其他) come from the centre's 考核评分 sheet; where the sheet
does not give them they are held (暂缓), as are the data items of a county whose workbook was
not accepted: a held scorecard is not a basis for pay (pipeline.pay).

Where a manager leads projects of the register (项目登记; `projects`: the month's projects.csv
rows, pipeline.analytics.projects), two items come from it instead (`project_scoring`):
- project_plan (项目策划): the full weight when the manager leads at least one project of this
  year (cycle overlapping it, not 已取消 or 草稿); otherwise the 考核评分 score, as before;
- annual_target (完成全年项目发展目标): over the manager's projects of this year that have started,
  per target set (revenue, new key accounts, customers converted) the sum of results to date
  against the sum of targets due to date (target × months elapsed ÷ cycle months); the share is
  the mean of those set, each capped at 1. With no started project, the annual revenue target of
  targets.csv, as before. `<item>_source` says which was used.
Points = weight × min(1, share), rounded half-up to 0.01 once per item.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pipeline.analytics.alerts import REVENUE_ALERTS
from pipeline.analytics.projects import target_due
from pipeline.analytics.tiers import key_accounts
from pipeline.analytics.visits import visits_in_month
from pipeline.core.contract import SCORECARDS
from pipeline.core.layout import Layout
from pipeline.core.months import CHINESE_NUMBERS, month_range, number_of, shift, year_of
from pipeline.core.rules import Rules
from pipeline.ingest.projects import NOT_COUNTED
from pipeline.pay.lines import days_employed

ITEMS = [c for c in SCORECARDS.names if c not in ("manager_id", "total")]  # the plan's eight, in order
ITEM_LABELS = {
    "archive": "大客户档案建立和更新",
    "contact": "大客户联系",
    "market_survey": "市场调查",
    "retention": "稳定现有大客户",
    "other": "其他",
    "project_plan": "项目策划",
    "new_accounts": "发展新大客户",
    "annual_target": "完成全年项目发展目标",
}
DATA_ITEMS = ("archive", "contact", "retention", "new_accounts", "annual_target")
MANUAL_ITEMS = ("market_survey", "project_plan", "other")
PAID_ROLE = "客户经理"  # 主任/副主任 are not paid by this scheme (plan: 除主任副主任外)
POINT = Decimal("0.01")
NO_TARGETS = "目标表(inputs/reference/targets.csv)中没有本人 {year} 年的目标"


def points(weight: int | float, share: Decimal) -> Decimal:
    """weight × min(1, share), half-up to 0.01: the one rounding of scorecard points."""
    return (Decimal(str(weight)) * min(Decimal(1), max(share, Decimal(0)))).quantize(
        POINT, rounding=ROUND_HALF_UP
    )


def _share(part: int | float | Decimal, whole: int | float | Decimal) -> Decimal | None:
    """part ÷ whole; None (not scored) when there is nothing to measure against."""
    return Decimal(str(part)) / Decimal(str(whole)) if whole else None


def scaled_total(earned: Decimal, possible: Decimal, full: Decimal) -> Decimal:
    """The total on the full scale when items with nothing to measure (a manager without key
    accounts yet, no target set) are left out of the possible points, as the county centres'
    scorecard does: 40 earned of 50 possible is 80 of 100. Half-up to 0.01 (the points' rounding);
    exactly the sum when every item was scored."""
    if possible == full:
        return earned
    return (earned * full / possible).quantize(POINT, rounding=ROUND_HALF_UP) if possible else Decimal(0)


def scorecards(
    month: str,
    rules: Rules,
    managers: pd.DataFrame,
    tiers: pd.DataFrame,
    tiers_this_year: list[pd.DataFrame],
    archive: pd.DataFrame,
    alerts: pd.DataFrame,
    visits: pd.DataFrame,
    usage_this_year: pd.DataFrame,
    assessment: pd.DataFrame,
    assessment_found: bool,
    targets: pd.DataFrame,
    county_held: dict[str, str] | None = None,
    projects: pd.DataFrame | None = None,
    county_names: dict[str, str] | None = None,
    accepted_months: dict[str, set[str]] | None = None,
    counties_then: dict[str, dict[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per paid manager employed in the month: per item value, points and note; total.

    `county_held`: county code → why its data was not accepted this month. The data items of its
    managers, and of any manager keeping key accounts there (`county_names`: code → the name
    the tiers use), are held (暂缓), not scored 0; so are the manual items of a manager the 考核评分
    sheet does not give (missing sheet, no row, conflicting rows). A held scorecard has `held`
    set with the reasons; its total is not a basis for pay until the data arrives.
    """
    county_held = county_held or {}
    weights = rules.get("scorecard.weights")
    keys = key_accounts(tiers)
    # the archive kept up to date: changed in the refresh period (rules, as the 工作清单 lists it)
    refresh = int(rules.get("archive.refresh_months"))
    recent = {shift(month, -k) for k in range(refresh)}
    updated = set(archive.customer_id[archive.changed_month.isin(recent)])
    visited = set(visits_in_month(visits, month).customer_id)
    revenue_alerts = alerts[alerts.kind.isin(REVENUE_ALERTS)] if "kind" in alerts else alerts
    alerted = set(revenue_alerts.customer_id)  # a complaint alert does not count against retention
    new_by_manager = new_key_accounts_by_manager(tiers_this_year)
    revenue_ytd = usage_this_year.groupby("manager_id").revenue_fen.sum()
    year_targets = targets_in_force(targets, month).set_index("manager_id")
    manual = assessment.set_index("manager_id")
    led = _projects_led(projects)
    rows = []
    for manager in managers.itertuples():
        mine = set(keys.customer_id[keys.manager_id == manager.manager_id])
        n = len(mine)
        county = getattr(manager, "county_name", manager.county)
        row: dict = {"manager_id": manager.manager_id, "name": manager.name, "county": county}
        elapsed, elapsed_text = months_employed_this_year(manager, month)

        not_scored: set[str] = set()

        def item(
            key: str,
            value: str,
            share: Decimal | None,
            note: str,
            row: dict = row,
            not_scored: set = not_scored,
        ) -> None:
            """An item's points; `share` None: nothing to measure, left out of the possible."""
            row[key] = points(weights[key], share or Decimal(0))
            row[f"{key}_value"] = value if share is not None else "—"
            row[f"{key}_note"] = note
            if share is None:
                not_scored.add(key)

        none = "无名下大客户,不计分(不计入满分)"
        item(
            "archive",
            f"{len(mine & updated)}/{n}",
            _share(len(mine & updated), n),
            f"近{CHINESE_NUMBERS[refresh]}个月更新档案 {len(mine & updated)} 户 / 名下大客户 {n} 户"
            f" × {weights['archive']} 分"
            if n
            else none,
        )
        item(
            "contact",
            f"{len(mine & visited)}/{n}",
            _share(len(mine & visited), n),
            f"本月走访 {len(mine & visited)} 户 / 名下大客户 {n} 户 × {weights['contact']} 分" if n else none,
        )
        kept = n - len(mine & alerted)
        item(
            "retention",
            f"{kept}/{n}",
            _share(kept, n),
            f"无流失、下降预警 {kept} 户 / 名下大客户 {n} 户 × {weights['retention']} 分" if n else none,
        )
        # no row for the manager this year (January, before the year's targets are entered) is
        # data not yet given, not a target of 0: the target items wait, as a missing sheet's do
        known = manager.manager_id in year_targets.index
        no_targets = not known  # an empty or absent targets.csv too: the scheme has targets
        target = year_targets.new_key_accounts[manager.manager_id] if known else "0"
        due = Decimal(str(target or 0)) * elapsed / 12
        got = int(new_by_manager.get(manager.manager_id, 0))
        item(
            "new_accounts",
            f"{got}/{due:.2f}",
            _share(got, due) if due or not got else Decimal(1),
            f"今年新增大客户 {got} 户 / 年度目标 {target} 户 × {elapsed_text}/12"
            f" × {weights['new_accounts']} 分" + ("" if due or got else ";无新增目标,不计分(不计入满分)"),
        )
        revenue_target = Decimal(
            str(year_targets.revenue_target[manager.manager_id] or "0") if known else "0"
        )
        got_revenue = Decimal(int(revenue_ytd.get(manager.manager_id, 0))) / 100
        mine_projects = led.get(manager.manager_id)
        from_register = project_scoring(mine_projects, weights) if mine_projects is not None else {}
        if "annual_target" in from_register:
            item("annual_target", *from_register["annual_target"])
            row["annual_target_source"] = "项目登记"
        else:
            # a month the county's workbook never came is left out of the target, not counted as
            # a month of no revenue (the year-to-date would stay short for the rest of the year)
            then = {m: c.get(manager.manager_id, county) for m, c in (counties_then or {}).items()}
            gaps = _months_without_workbook(accepted_months, county, month, then)
            counted, counted_text = months_employed_this_year(manager, month, gaps)
            due_revenue = revenue_target * counted / 12
            whose = "本县(市)报表未采用" if county in (accepted_months or {}) else "尚无县(市)报表"
            left_out = f"(不含{whose}的 {'、'.join(sorted(gaps))})" if gaps else ""
            item(
                "annual_target",
                f"{got_revenue:.2f}/{due_revenue:.2f}",
                _share(got_revenue, due_revenue),
                f"今年累计收入 {got_revenue:,.2f} 元 / 年度目标 {revenue_target:,.2f} 元"
                f" × {counted_text}/12 × {weights['annual_target']} 分{left_out}"
                if due_revenue
                else "无年度收入目标,不计分(不计入满分)",
            )
            row["annual_target_source"] = "年度目标"
        held = []
        if no_targets:
            why = NO_TARGETS.format(year=month[:4])
            held.append(why)
            for key in ["new_accounts"] + ([] if "annual_target" in from_register else ["annual_target"]):
                _hold(row, key, f"暂缓:{why},补充后重新运行本月即计分")
                not_scored.discard(key)
        why, which = data_held(manager, keys, county_held, county_names or {})
        row["data_held"] = f"{why}({which})" if why else ""
        if why:
            held.append(row["data_held"])
            for key in DATA_ITEMS:
                _hold(row, key, f"暂缓:{why},待报表采用后计分")
                not_scored.discard(key)
        register_items = {k: v for k, v in from_register.items() if k in MANUAL_ITEMS}
        why = _manual_items(row, manual, manager.manager_id, weights, assessment_found, set(register_items))
        for key, (value, share, note) in register_items.items():
            item(key, value, share, note)
        row["project_plan_source"] = "项目登记" if "project_plan" in register_items else "考核评分表"
        if why:
            held.append(why)
        row["held"] = ";".join(held)
        full = sum((Decimal(str(weights[k])) for k in ITEMS), Decimal(0))
        row["possible"] = full - sum((Decimal(str(weights[k])) for k in not_scored), Decimal(0))
        row["total"] = scaled_total(sum((row[k] for k in ITEMS), Decimal(0)), row["possible"], full)
        rows.append(row)
    columns = (
        ["manager_id", "name", "county", *ITEMS, "total", "possible", "held", "data_held"]
        + [f"{k}_{s}" for k in ITEMS for s in ("value", "note")]
        + ["project_plan_source", "annual_target_source"]
    )
    return pd.DataFrame(rows, columns=columns)


def _months_without_workbook(
    accepted_months: dict[str, set[str]] | None,
    county: str,
    month: str,
    county_then: dict[str, str] | None = None,
) -> frozenset[str]:
    """The months of the year before `month` in which the manager's county had no workbook
    accepted (`accepted_months`: county name → those months; missing or rejected and never
    corrected, or before the centre's data begins). The county is the one of that month
    (`county_then`: month → county name, for a manager who moved; else today's). A 州局 manager
    has no workbook of its own: for them, the months in which no county's workbook was accepted
    (before the data begins). None left out when the months are not given."""
    if accepted_months is None:
        return frozenset()
    any_county = set().union(*accepted_months.values())
    earlier = month_range(f"{month[:4]}-01", shift(month, -1))
    return frozenset(
        m for m in earlier if m not in accepted_months.get((county_then or {}).get(m, county), any_county)
    )


OWN_COUNTY_HELD = "本县(市)本月报表未被采用"
KEPT_COUNTY_HELD = "名下大客户所在县(市)本月报表未被采用"


def data_held(
    manager, keys: pd.DataFrame, county_held: dict[str, str], county_names: dict[str, str]
) -> tuple[str, str]:
    """(why the manager's data items and reward wait, which workbooks) — ("", "") when they do
    not: their own county's workbook, or that of a county where they keep key accounts (a 州局
    manager, one who moved), was not accepted this month; scored without it, the items would be
    cut in silence."""
    own = county_held.get(manager.county)
    if own:
        return OWN_COUNTY_HELD, own
    where = set(keys.county[keys.manager_id == manager.manager_id])
    others = [f"{county_names[c]}:{why}" for c, why in county_held.items() if county_names.get(c) in where]
    return (KEPT_COUNTY_HELD, "、".join(others)) if others else ("", "")


def accepted_months(
    submissions: dict[str, pd.DataFrame], counties, accepted: tuple[str, ...]
) -> dict[str, set[str]]:
    """County name → the months of `submissions` (month → that month's table) in which its
    workbook was accepted (`accepted`: the statuses that count)."""
    out: dict[str, set[str]] = {name: set() for name in counties}
    for month, table in submissions.items():
        for county in table.county[table.status.isin(accepted)]:
            out.setdefault(county, set()).add(month)
    return out


def _hold(row: dict, key: str, note: str) -> None:
    row[key], row[f"{key}_value"], row[f"{key}_note"] = Decimal(0).quantize(POINT), "暂缓", note


NO_ASSESSMENT_SHEET = "本月无考核评分表"
NOT_ON_ASSESSMENT_SHEET = "考核评分表中无此人"


def entry_missing(manager_id: str, on_sheet: pd.Index | set[str], found: bool) -> str:
    """Why the 考核评分 sheet gives nothing for the manager ("" when it has the manager's row): its
    manual items and its 突出贡献奖 are then held, not taken as 0."""
    if not found:
        return NO_ASSESSMENT_SHEET
    return "" if manager_id in on_sheet else NOT_ON_ASSESSMENT_SHEET


def _manual_items(
    row: dict, manual: pd.DataFrame, manager_id: str, weights: dict, found: bool, skip: set[str] = frozenset()
) -> str:
    """The 考核评分 items of a manager (but `skip`, scored from the register); the reason they are
    held when the sheet does not give them ("" when every item it should give is skipped)."""
    items = [k for k in MANUAL_ITEMS if k not in skip]
    reason = entry_missing(manager_id, manual.index, found)
    if not reason:
        entry = manual.loc[manager_id]
        reason = str(entry.get("conflict", "") or "") or _unscored(entry, items)
    if reason:
        for key in items:
            _hold(row, key, f"暂缓:{reason},待中心补报后计分")
        return reason if items else ""
    for key in items:
        score = Decimal(str(entry[key]))
        row[key], row[f"{key}_value"] = points(weights[key], score / Decimal(str(weights[key]))), f"{score}"
        row[f"{key}_note"] = f"考核评分表 第{entry.source_row}行"
    return ""


def _unscored(entry: pd.Series, items: list[str]) -> str:
    """Why the manager's manual items are held when a score it needs is blank or unreadable."""
    blank = [ITEM_LABELS[k] for k in items if pd.isna(entry[k])]
    return f"考核评分表第{entry.source_row}行“{'、'.join(blank)}”未填或无效" if blank else ""


def _projects_led(projects: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Manager id → the projects of the year it leads that count (not 已取消 or 草稿)."""
    if projects is None or projects.empty:
        return {}
    counted = projects[~projects.status.isin(NOT_COUNTED)]
    return {m: group for m, group in counted.groupby("manager_id", sort=True)}


# target column, result column, label, unit of the 完成全年项目发展目标 item from the register
PROJECT_TARGETS = (
    ("target_revenue_fen", "revenue_fen", "收入", "元"),
    ("target_new_accounts", "new_key_accounts", "新增大客户", "户"),
    ("target_converted", "converted", "转化客户", "户"),
)


def project_scoring(mine: pd.DataFrame, weights: dict) -> dict[str, tuple[str, Decimal, str]]:
    """item → (value, share, note) of the items the manager's projects of the year decide
    (module docstring); an item they cannot decide is absent."""
    out: dict[str, tuple[str, Decimal, str]] = {}
    if mine.empty:
        return out
    ids = "、".join(mine.project_id)
    out["project_plan"] = (
        f"{len(mine)} 个项目",
        Decimal(1),
        f"项目登记:本年度牵头项目 {ids} → {weights['project_plan']} 分",
    )
    started = mine[mine.elapsed_months.astype(int) > 0]
    shares, parts = [], []
    for target_col, got_col, label, unit in PROJECT_TARGETS:
        due = sum(
            (
                target_due(r[target_col], r.get("counted_months", r["elapsed_months"]), r["cycle_months"])
                for _, r in started.iterrows()
            ),
            Decimal(0),
        )
        if not due:
            continue
        got = Decimal(int(started[got_col].astype(int).sum()))
        if unit == "元":
            due, got = due / 100, got / 100
        share = min(Decimal(1), got / due)
        shares.append(share)
        parts.append(
            f"{label} {got:,.2f}/{due:,.2f} {unit}" if unit == "元" else f"{label} {got}/{due:.2f} {unit}"
        )
    if shares:
        mean = sum(shares, Decimal(0)) / len(shares)
        gaps = sorted(
            {
                m
                for v in started.get("months_left_out", pd.Series(dtype=str)).fillna("")
                for m in str(v).split("、")
                if m
            }
        )
        left_out = f"(不含目标客户所在县(市)报表未采用的 {'、'.join(gaps)})" if gaps else ""
        out["annual_target"] = (
            f"{mean:.4f}",
            mean,
            f"项目登记:{'、'.join(started.project_id)} 至今结果/至今目标:{';'.join(parts)};"
            f"平均完成率 {mean * 100:.2f}% × {weights['annual_target']} 分{left_out}",
        )
    return out


def months_employed_this_year(
    manager, month: str, without: frozenset[str] = frozenset()
) -> tuple[Decimal, str]:
    """Months of this year up to the end of `month` the manager was employed, the first and last
    months by their share of days: a full year so far is exactly the month number. Months in
    `without` are left out."""
    year, last = year_of(month), number_of(month)
    total = Decimal(0)
    for m in range(1, last + 1):
        if f"{year:04d}-{m:02d}" in without:
            continue
        worked, days = days_employed(manager, f"{year:04d}-{m:02d}")
        total += Decimal(worked) / Decimal(days)
    whole = total == total.to_integral_value()
    return total, f"{int(total)}" if whole else f"{total:.2f}"


def targets_in_force(targets: pd.DataFrame, month: str) -> pd.DataFrame:
    """The year's targets as in force in `month`: of several rows for a manager, the one with the
    latest `effective_from` (YYYY-MM, blank = from January) not after the month."""
    year = targets[targets.year == month[:4]]
    if "effective_from" not in year:
        return year
    start = year.effective_from.where(year.effective_from != "", f"{month[:4]}-01")
    year = year[start <= month].assign(_start=start)
    return (
        year.sort_values(["manager_id", "_start"], kind="mergesort")
        .drop_duplicates("manager_id", keep="last")
        .drop(columns="_start")
    )


def new_key_accounts_by_manager(tiers_this_year: list[pd.DataFrame]) -> pd.Series:
    """Customers that became key accounts (`new`) this year, counted once each, credited to the
    manager named in the month it became one; the go-live `baseline` and `returning` accounts
    are not new business."""
    frames = [t.loc[t.change == "new", ["customer_id", "manager_id"]] for t in tiers_this_year]
    became = pd.concat(frames or [pd.DataFrame(columns=["customer_id", "manager_id"])], ignore_index=True)
    return became.drop_duplicates("customer_id").manager_id.value_counts()


def paid_managers(managers_active: pd.DataFrame) -> pd.DataFrame:
    return managers_active[managers_active.role == PAID_ROLE]


def restrict_scorecards(layout: Layout) -> None:
    """Exact scorecards reveal pay: those that earlier versions wrote among every month's tables
    move under outputs/restricted/ (where the month's own is kept, the old copy goes)."""
    for path in sorted(layout.outputs.glob(f"tables/*/{SCORECARDS.name}.*")):
        target = layout.restricted_pay(path.parent.name) / path.name
        if target.exists():
            path.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
