"""Manager pay (业绩工资 + 营销奖励 + 突出贡献奖 + 外勤津贴), traceable to the yuan.

Every line is computed in Decimal from its inputs and the rules in force that month, rounded
half-up to the fen once (pipeline.money.round_yuan), and the total is the sum of the rounded
lines. A manager who joins or leaves during the month gets the performance pay and the field
allowance for the calendar days employed.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import pandas as pd

from pipeline.money import fen_to_yuan, round_yuan
from pipeline.rules import Rules

LINE_COLUMNS = ["manager_id", "line", "kind", "description", "amount", "rule", "source"]
PAY_COLUMNS = [
    "manager_id",
    "name",
    "county",
    "performance_pay",
    "marketing_reward",
    "award",
    "allowance",
    "total",
]
KIND_LABELS = {
    "performance": "业绩工资",
    "marketing": "营销奖励",
    "award": "突出贡献奖",
    "allowance": "外勤津贴",
}


def quality_factor(total: Decimal, rules: Rules) -> tuple[Decimal, str]:
    """Scorecard total → factor of the performance pay, as the rules say.

    `pay.quality_factor` is "total/100" (linear) or a list of [minimum total, factor] bands.
    """
    mapping = rules.get("pay.quality_factor")
    if mapping == "total/100":
        return total / 100, f"考核得分 {total} / 100"
    for minimum, factor in sorted(mapping, key=lambda band: -Decimal(str(band[0]))):
        if total >= Decimal(str(minimum)):
            return Decimal(str(factor)), f"考核得分 {total} ≥ {minimum},系数 {factor}"
    return Decimal(0), f"考核得分 {total} 低于最低档,系数 0"


def days_employed(manager, month: str) -> tuple[int, int]:
    """(days employed in the month, days in the month) from active_from / active_to."""
    year, mon = map(int, month.split("-"))
    days = calendar.monthrange(year, mon)[1]
    first, last = date(year, mon, 1), date(year, mon, days)
    start = max(first, date.fromisoformat(manager.active_from)) if manager.active_from else first
    end = min(last, date.fromisoformat(manager.active_to)) if manager.active_to else last
    return max((end - start).days + 1, 0), days


def pay_lines(
    month: str,
    rules: Rules,
    managers: pd.DataFrame,
    scorecards: pd.DataFrame,
    usage: pd.DataFrame,
    assessment: pd.DataFrame,
    customer_names: pd.Series,
) -> pd.DataFrame:
    """Every statement line of every paid manager of the month (amounts are Decimal 元)."""
    base = rules.money("pay.performance_base")
    rates = {k: Decimal(str(v)) for k, v in rules.get("pay.marketing_rates").items()}
    overrides = rules.get("pay.allowance_by_county") if "allowance_by_county" in rules.get("pay") else {}
    version = f"规则版本 {rules.version}"
    scores = scorecards.set_index("manager_id").total
    awards = assessment.set_index("manager_id")
    collected = usage[usage.collection == "新揽收"].sort_values(["manager_id", "source_file", "source_row"])
    lines = []
    for manager in managers.itertuples():
        worked, days = days_employed(manager, month)
        share = Decimal(worked) / Decimal(days)
        part = "" if worked == days else f" × 在岗 {worked}/{days} 天"
        factor, how = quality_factor(Decimal(str(scores.get(manager.manager_id, 0))), rules)
        mine = [
            (
                "performance",
                f"业绩工资 = 基数 {base} × 质量系数 {factor:.4f}({how}){part}",
                round_yuan(base * factor * share),
                f"pay.performance_base, pay.quality_factor({version})",
                "考核评分卡",
            ),
        ]
        for r in collected[collected.manager_id == manager.manager_id].itertuples():
            rate = rates.get(r.business_type, Decimal(0))
            revenue = fen_to_yuan(r.revenue_fen)
            name = customer_names.get(r.customer_id, "")
            mine.append(
                (
                    "marketing",
                    f"营销奖励:{r.customer_id} {name} {r.business_type} 新揽收 {revenue:,.2f} 元 × {rate:%}",
                    round_yuan(revenue * rate),
                    f"pay.marketing_rates.{r.business_type}({version})",
                    f"{r.source_file} {r.source_sheet} 第{r.source_row}行",
                )
            )
        if manager.manager_id in awards.index and awards.loc[manager.manager_id, "award"] > 0:
            award = awards.loc[manager.manager_id]
            mine.append(
                (
                    "award",
                    f"突出贡献奖:{award.award_reason or '(未注明事由)'}",
                    round_yuan(Decimal(str(award.award))),
                    "中心核定",
                    f"考核评分表 第{award.source_row}行",
                )
            )
        county = manager.county_name
        allowance = Decimal(str(overrides.get(county, rules.get("pay.field_allowance"))))
        source = f"pay.allowance_by_county.{county}" if county in overrides else "pay.field_allowance"
        mine.append(
            (
                "allowance",
                f"外勤津贴 {allowance} 元{part}",
                round_yuan(allowance * share),
                f"{source}({version})",
                "客户经理名册",
            )
        )
        lines += [
            {
                "manager_id": manager.manager_id,
                "line": i + 1,
                "kind": kind,
                "description": text,
                "amount": amount,
                "rule": rule,
                "source": source,
            }
            for i, (kind, text, amount, rule, source) in enumerate(mine)
        ]
    return pd.DataFrame(lines, columns=LINE_COLUMNS)


def pay_summary(lines: pd.DataFrame, managers: pd.DataFrame) -> pd.DataFrame:
    """One row per manager: the sum of each kind of line, and the total (Σ of the rounded lines)."""
    rows = []
    for manager in managers.itertuples():
        mine = lines[lines.manager_id == manager.manager_id]
        by_kind = {kind: sum(mine.amount[mine.kind == kind], Decimal("0.00")) for kind in KIND_LABELS}
        rows.append(
            {
                "manager_id": manager.manager_id,
                "name": manager.name,
                "county": manager.county_name,
                "performance_pay": by_kind["performance"],
                "marketing_reward": by_kind["marketing"],
                "award": by_kind["award"],
                "allowance": by_kind["allowance"],
                "total": sum(mine.amount, Decimal("0.00")),
            }
        )
    return pd.DataFrame(rows, columns=PAY_COLUMNS)


def pay_deltas(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Per manager and kind of line: old, new and new − old (the correction section)."""

    def by_kind(summary: pd.DataFrame) -> pd.DataFrame:
        columns = ["performance_pay", "marketing_reward", "award", "allowance", "total"]
        return summary.set_index("manager_id")[columns].stack().rename("amount")

    both = pd.concat([by_kind(old).rename("old"), by_kind(new).rename("new")], axis=1).fillna(Decimal("0.00"))
    both["delta"] = both.new - both.old
    both = both[both.delta != 0].reset_index()
    return both.rename(columns={"level_1": "item"})
