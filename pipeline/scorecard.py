"""Manager scorecards (客户经理考核指标): the eight items of the plan with their weights from the
rules file; each item shows its measured value, its points and how the points were derived.

Data items are measured over the manager's key accounts (the archive names their manager):
- archive (档案更新): share whose archive record changed in the last three months (每季更新);
- contact (联系): share visited this month;
- retention (稳定): share with neither a loss nor a decline alert;
- new_accounts (发展新大客户): customers of the manager that became key accounts this year,
  against the annual target pro rata to the month;
- annual_target (全年目标): revenue this year of the rows the manager collected, against the
  annual revenue target pro rata to the month.
Manual items (市场调查, 项目策划, 其他) come from the centre's 考核评分 sheet; missing → 0.
Points = weight × min(1, share), rounded half-up to 0.01 once per item.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pipeline.months import shift
from pipeline.rules import Rules
from pipeline.tiers import key_accounts

ITEMS = [
    "archive",
    "contact",
    "market_survey",
    "retention",
    "other",
    "project_plan",
    "new_accounts",
    "annual_target",
]
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
PAID_ROLE = "客户经理"  # 主任/副主任 are not paid by this scheme (plan: 除主任副主任外)
POINT = Decimal("0.01")


def points(weight: int | float, share: Decimal) -> Decimal:
    """weight × min(1, share), half-up to 0.01: the one rounding of scorecard points."""
    return (Decimal(str(weight)) * min(Decimal(1), max(share, Decimal(0)))).quantize(
        POINT, rounding=ROUND_HALF_UP
    )


def _share(part: int | float | Decimal, whole: int | float | Decimal) -> Decimal:
    return Decimal(str(part)) / Decimal(str(whole)) if whole else Decimal(0)


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
) -> pd.DataFrame:
    """One row per paid manager employed in the month: per item value, points and note; total."""
    weights = rules.get("scorecard.weights")
    keys = key_accounts(tiers)
    recent = {month, shift(month, -1), shift(month, -2)}
    updated = set(archive.customer_id[archive.changed_month.isin(recent)])
    visited = set(visits.customer_id)
    alerted = set(alerts.customer_id)
    new_this_year = pd.concat(
        [t.loc[t.change == "new", ["customer_id"]] for t in tiers_this_year]
        or [pd.DataFrame(columns=["customer_id"])]
    )
    new_by_manager = (
        archive.set_index("customer_id").manager_id.reindex(new_this_year.customer_id.unique()).value_counts()
    )
    revenue_ytd = usage_this_year.groupby("manager_id").revenue_fen.sum()
    year_targets = targets[targets.year == month[:4]].set_index("manager_id")
    elapsed = Decimal(int(month[5:])) / Decimal(12)
    manual = assessment.set_index("manager_id")
    rows = []
    for manager in managers.itertuples():
        mine = set(keys.customer_id[keys.manager_id == manager.manager_id])
        n = len(mine)
        county = getattr(manager, "county_name", manager.county)
        row: dict = {"manager_id": manager.manager_id, "name": manager.name, "county": county}

        def item(key: str, value: str, share: Decimal, note: str, row: dict = row) -> None:
            row[key] = points(weights[key], share)
            row[f"{key}_value"] = value
            row[f"{key}_note"] = note

        none = "无名下大客户,不计分"
        item(
            "archive",
            f"{len(mine & updated)}/{n}",
            _share(len(mine & updated), n),
            f"近三个月更新档案 {len(mine & updated)} 户 / 名下大客户 {n} 户 × {weights['archive']} 分"
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
        target = year_targets.new_key_accounts.get(manager.manager_id, "0") if not year_targets.empty else "0"
        due = Decimal(str(target or 0)) * elapsed
        got = int(new_by_manager.get(manager.manager_id, 0))
        item(
            "new_accounts",
            f"{got}/{due:.2f}",
            _share(got, due) if due else Decimal(1 if got else 0),
            f"今年新增大客户 {got} 户 / 年度目标 {target} 户 × {int(month[5:])}/12"
            f" × {weights['new_accounts']} 分",
        )
        revenue_target = Decimal(
            str(year_targets.revenue_target.get(manager.manager_id, "0") if not year_targets.empty else "0")
        )
        due_revenue = revenue_target * elapsed
        got_revenue = Decimal(int(revenue_ytd.get(manager.manager_id, 0))) / 100
        item(
            "annual_target",
            f"{got_revenue:.2f}/{due_revenue:.2f}",
            _share(got_revenue, due_revenue),
            f"今年累计收入 {got_revenue:,.2f} 元 / 年度目标 {revenue_target:,.2f} 元 × {int(month[5:])}/12 × "
            f"{weights['annual_target']} 分"
            if due_revenue
            else "无年度收入目标,不计分",
        )
        for key in ("market_survey", "project_plan", "other"):
            if manager.manager_id in manual.index:
                score = Decimal(str(manual.loc[manager.manager_id, key]))
                row[key], row[f"{key}_value"] = min(score, Decimal(weights[key])).quantize(POINT), f"{score}"
                row[f"{key}_note"] = f"考核评分表 第{manual.loc[manager.manager_id, 'source_row']}行"
            else:
                row[key], row[f"{key}_value"] = Decimal(0).quantize(POINT), ""
                row[f"{key}_note"] = (
                    "考核评分表中无此人,按 0 分计" if assessment_found else "本月无考核评分表,按 0 分计"
                )
        row["total"] = sum((row[k] for k in ITEMS), Decimal(0))
        rows.append(row)
    columns = ["manager_id", "name", "county", *ITEMS, "total"] + [
        f"{k}_{s}" for k in ITEMS for s in ("value", "note")
    ]
    return pd.DataFrame(rows, columns=columns)


def paid_managers(managers_active: pd.DataFrame) -> pd.DataFrame:
    return managers_active[managers_active.role == PAID_ROLE]
