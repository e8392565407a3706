"""Manager pay (业绩工资 + 营销奖励 + 突出贡献奖 + 外勤津贴), traceable to the yuan.

Every line is computed in Decimal from its inputs and the rules in force that month, rounded
half-up to the fen once (pipeline.money.round_yuan), and the total is the sum of the rounded
lines. A manager who joins or leaves during the month gets the performance pay and the field
allowance for the calendar days employed.

A line whose basis is not known yet is held (暂缓): amount 0.00 now, the reason in its text, and
the amount follows in the correction that brings the data (a new statement version with its
delta). The performance pay is held when the scorecard is (its county's workbook was not
accepted, or the 考核评分 sheet does not give the manager); the marketing reward when the
county's workbook was not accepted.
"""

from __future__ import annotations

import calendar
import json
from collections import Counter
from datetime import date
from decimal import Decimal

import pandas as pd

from pipeline.core.contract import FEN, PAY
from pipeline.core.money import fen_to_yuan, round_yuan
from pipeline.core.rules import Rules

LINE_COLUMNS = ["manager_id", "line", "kind", "description", "amount", "rule", "source", "source_file"]
HELD = "暂缓"
MONEY_COLUMNS = PAY.of_kind(FEN)  # Decimal 元 of whole fen in the summary, as pay.csv shows them
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
    active_from, active_to = getattr(manager, "active_from", ""), getattr(manager, "active_to", "")
    start = max(first, date.fromisoformat(active_from)) if active_from else first
    end = min(last, date.fromisoformat(active_to)) if active_to else last
    return max((end - start).days + 1, 0), days


def pay_lines(
    month: str,
    rules: Rules,
    managers: pd.DataFrame,
    scorecards: pd.DataFrame,
    usage: pd.DataFrame,
    assessment: pd.DataFrame,
    customer_names: pd.Series,
    claims: pd.DataFrame | None = None,
    county_held: dict[str, str] | None = None,
    award_unknown: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Every statement line of every paid manager of the month (amounts are Decimal 元).

    `claims`: the 新揽收 verdicts (pipeline.claims); only rewarded claims are paid. None: every
    新揽收 row of `usage` is a verified claim. `county_held`: county code → why its workbook was
    not accepted this month. `award_unknown`: manager id → why the 考核评分 sheet, which gives the
    突出贡献奖, gives nothing for the manager (its award is held, not left out).
    """
    county_held = county_held or {}
    award_unknown = award_unknown or {}
    version = f"规则版本 {rules.version}"
    scores = scorecards.set_index("manager_id")
    rewarded = usage[usage.collection == "新揽收"] if claims is None else claims[claims.rewarded]
    rewarded = rewarded.sort_values(["manager_id", "source_file", "source_row"])
    awards = assessment.set_index("manager_id")
    lines = []
    for manager in managers.itertuples():
        worked, days = days_employed(manager, month)
        share = Decimal(worked) / Decimal(days)
        part = "" if worked == days else f" × 在岗 {worked}/{days} 天"
        card = scores.loc[manager.manager_id] if manager.manager_id in scores.index else None
        mine = [_performance_line(rules, card, share, part, version)]
        county_reason = county_held.get(manager.county)
        data_reason = "" if card is None else str(card.get("data_held", "") or "")
        if county_reason or data_reason:
            why = data_reason or f"本县(市)本月报表未被采用({county_reason})"
            mine.append(_held_line("marketing", why, "县局报表"))
        else:
            mine += _marketing_lines(
                rules, rewarded[rewarded.manager_id == manager.manager_id], customer_names
            )
        if manager.manager_id in award_unknown:
            mine.append(_held_line("award", award_unknown[manager.manager_id], "考核评分表"))
        elif manager.manager_id in awards.index:
            mine += _award_lines(awards.loc[manager.manager_id])
        mine.append(_allowance_line(rules, manager.county_name, share, part, version))
        lines += [{"manager_id": manager.manager_id, "line": i + 1, **line} for i, line in enumerate(mine)]
    return pd.DataFrame(lines, columns=LINE_COLUMNS)


def _line(kind: str, description: str, amount: Decimal, rule: str, source: str, file: str = "") -> dict:
    return {
        "kind": kind,
        "description": description,
        "amount": amount,
        "rule": rule,
        "source": source,
        "source_file": file,
    }


def _held_line(kind: str, reason: str, source: str) -> dict:
    text = f"{KIND_LABELS[kind]}:{HELD}({reason}),待资料齐全后在更正版中核发"
    return _line(kind, text, Decimal("0.00"), HELD, source)


def _performance_line(rules: Rules, card, share: Decimal, part: str, version: str) -> dict:
    held = "" if card is None else str(card.get("held", "") or "")
    if held:
        return _held_line("performance", held, "考核评分卡")
    base = rules.money("pay.performance_base")
    total = Decimal(str(card.total)) if card is not None else Decimal(0)
    factor, how = quality_factor(total, rules)
    return _line(
        "performance",
        f"业绩工资 = 基数 {base} × 质量系数 {factor:.4f}({how}){part}",
        round_yuan(base * factor * share),
        f"pay.performance_base, pay.quality_factor({version})",
        "考核评分卡",
    )


def _marketing_lines(rules: Rules, rows: pd.DataFrame, customer_names: pd.Series) -> list[dict]:
    rates = {k: Decimal(str(v)) for k, v in rules.get("pay.marketing_rates").items()}
    version = f"规则版本 {rules.version}"
    out = []
    for r in rows.itertuples():
        rate = rates.get(r.business_type, Decimal(0))
        revenue = fen_to_yuan(r.revenue_fen)
        name = customer_names.get(r.customer_id, "")
        out.append(
            _line(
                "marketing",
                f"营销奖励:{r.customer_id} {name} {r.business_type} 新揽收 {revenue:,.2f} 元 × {rate:%}",
                round_yuan(revenue * rate),
                f"pay.marketing_rates.{r.business_type}({version})",
                f"{r.source_sheet} 第{r.source_row}行",
                r.source_file,
            )
        )
    return out


def _award_lines(award) -> list[dict]:
    # a value stored before awards were told apart from the manual items holds on `conflict`
    conflict = str(award.get("award_conflict", award.get("conflict", "")) or "")
    if conflict:
        return [_held_line("award", conflict, f"考核评分表 第{award.source_row}行")]
    if pd.isna(award.award):
        why = f"考核评分表第{award.source_row}行突出贡献奖金额无效"
        return [_held_line("award", why, f"考核评分表 第{award.source_row}行")]
    if not award.award > 0:
        return []
    return [
        _line(
            "award",
            f"突出贡献奖:{award.award_reason or '(未注明事由)'}",
            round_yuan(Decimal(str(award.award))),
            "中心核定",
            f"考核评分表 第{award.source_row}行",
        )
    ]


def _allowance_line(rules: Rules, county: str, share: Decimal, part: str, version: str) -> dict:
    overrides = rules.get("pay").get("allowance_by_county", {})
    allowance = Decimal(str(overrides.get(county, rules.get("pay.field_allowance"))))
    source = f"pay.allowance_by_county.{county}" if county in overrides else "pay.field_allowance"
    return _line(
        "allowance",
        f"外勤津贴 {allowance} 元{part}",
        round_yuan(allowance * share),
        f"{source}({version})",
        "客户经理名册",
    )


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
                "held": "、".join(KIND_LABELS[k] for k in dict.fromkeys(mine.kind[mine.rule == HELD])),
            }
        )
    # pay.csv's columns; the version is each statement's, added when the statements are issued
    return pd.DataFrame(rows, columns=[c for c in PAY.names if c != "version"])


def pay_deltas(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Per manager and kind of line: old, new and new − old (the correction section)."""

    def by_kind(summary: pd.DataFrame) -> pd.DataFrame:
        columns = ["performance_pay", "marketing_reward", "award", "allowance", "total"]
        return summary.set_index("manager_id")[columns].stack().rename("amount")

    both = pd.concat([by_kind(old).rename("old"), by_kind(new).rename("new")], axis=1).fillna(Decimal("0.00"))
    both["delta"] = both.new - both.old
    both = both[both.delta != 0].reset_index()
    return both.rename(columns={"level_1": "item"})


LINE_CHANGE_COLUMNS = ["manager_id", "change", "kind", "description", "amount"]
WAS, NOW = "原", "现"


def line_changes(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """The lines behind a correction's deltas: each manager's lines of the version compared with
    that are not in the new one (原) and the new lines not in it (现), compared by kind, wording
    and amount (元 with two decimals; not by source file or position: a renamed file is no
    change). A line given twice counts twice."""

    def keyed(lines: pd.DataFrame) -> Counter:
        amounts = [f"{Decimal(str(a)):.2f}" for a in lines.amount]
        return Counter(zip(lines.manager_id, lines.kind, lines.description, amounts, strict=True))

    before, after = keyed(old), keyed(new)
    rows = [(m, WAS, k, d, a) for (m, k, d, a), n in (before - after).items() for _ in range(n)]
    rows += [(m, NOW, k, d, a) for (m, k, d, a), n in (after - before).items() for _ in range(n)]
    kinds = list(KIND_LABELS)
    rows.sort(key=lambda r: (r[0], kinds.index(r[2]) if r[2] in kinds else len(kinds), r[1] != WAS, r[3]))
    return pd.DataFrame(rows, columns=LINE_CHANGE_COLUMNS)


def pay_digest_lines(pay_lines: list[dict]) -> list[dict]:
    """Pay lines as the edition hash sees them: amounts, rules and descriptions, in a fixed order,
    without `source`/`source_file` (they cite the county's file name and row) and `line` (its
    position, ordered by file name): a renamed file changes neither a figure nor a rule."""
    kept = [
        {k: v for k, v in line.items() if k not in ("source", "source_file", "line")} for line in pay_lines
    ]
    return sorted(kept, key=lambda line: json.dumps(line, ensure_ascii=False, sort_keys=True))
