"""Pay by hand: every line exact to the fen, with the rules in force that month."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from pipeline.core.money import round_yuan
from pipeline.core.rules import RuleBook
from pipeline.pay.lines import days_employed, pay_deltas, pay_lines, pay_summary, quality_factor
from pipeline.pay.scorecard import entry_missing

BOOK = RuleBook(
    [
        {
            "from": "2025-01",
            "pay": {
                "performance_base": "800.00",
                "quality_factor": "total/100",
                "field_allowance": "150.00",
                "allowance_by_county": {"木里藏族自治县": "200.00"},
                "marketing_rates": {"特快": "0.05", "快包": "0.03"},
            },
        },
        {"from": "2026-07", "pay": {"field_allowance": "180.00", "marketing_rates": {"快包": "0.04"}}},
    ]
)


def managers(*rows: tuple) -> pd.DataFrame:
    """(manager_id, name, county_name, active_from, active_to)"""
    frame = pd.DataFrame(rows, columns=["manager_id", "name", "county_name", "active_from", "active_to"])
    return frame.assign(county=frame.county_name, role="客户经理")


def cards(scores: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"manager_id": list(scores), "total": [Decimal(v) for v in scores.values()]})


def collected(rows: list[tuple]) -> pd.DataFrame:
    """(manager_id, customer_id, business_type, revenue_fen, collection)"""
    frame = pd.DataFrame(
        rows, columns=["manager_id", "customer_id", "business_type", "revenue_fen", "collection"]
    )
    return frame.assign(
        source_file="西昌市.xlsx", source_sheet="用邮情况", source_row=range(4, 4 + len(frame))
    )


NO_AWARDS = pd.DataFrame(columns=["manager_id", "award", "award_reason", "source_row"])


def statement(month: str, staff: pd.DataFrame, scores: dict, usage: pd.DataFrame, awards=NO_AWARDS):
    rules = BOOK.for_month(month)
    lines = pay_lines(month, rules, staff, cards(scores), usage, awards, pd.Series(dtype=str))
    return lines, pay_summary(lines, staff).set_index("manager_id")


def test_manager_without_new_collections_gets_performance_pay_and_allowance():
    staff = managers(("M1", "甲", "西昌市", "2024-01-01", ""))
    lines, summary = statement(
        "2026-06", staff, {"M1": "86.55"}, collected([("M1", "C1", "特快", 100000, "存量")])
    )
    assert list(lines.kind) == ["performance", "allowance"]
    assert summary.loc["M1", "performance_pay"] == Decimal("692.40")  # 800 × 0.8655
    assert summary.loc["M1", "allowance"] == Decimal("150.00")
    assert summary.loc["M1", "total"] == Decimal("842.40")


def test_marketing_reward_line_per_collection_and_the_rule_change_in_july():
    staff = managers(("M1", "甲", "木里藏族自治县", "2024-01-01", ""))
    rows = [
        ("M1", "C1", "特快", 1000000, "新揽收"),
        ("M1", "C2", "快包", 12345, "新揽收"),
        ("M1", "C3", "快包", 999, "存量"),
    ]
    june_lines, june = statement("2026-06", staff, {"M1": "100"}, collected(rows))
    july_lines, july = statement("2026-07", staff, {"M1": "100"}, collected(rows))
    assert list(june_lines[june_lines.kind == "marketing"].amount) == [
        Decimal("500.00"),
        Decimal("3.70"),
    ]  # 123.45 × 3 %
    assert list(july_lines[july_lines.kind == "marketing"].amount) == [
        Decimal("500.00"),
        Decimal("4.94"),
    ]  # × 4 %
    assert june.loc["M1", "allowance"] == Decimal("200.00")  # 木里's override wins over 150 and 180
    assert july.loc["M1", "allowance"] == Decimal("200.00")
    assert "规则版本 2026-07" in july_lines.rule.iloc[1]
    assert july.loc["M1", "total"] == Decimal("800.00") + Decimal("504.94") + Decimal("200.00")


def test_joiner_in_the_middle_of_the_month_is_paid_for_the_days_employed():
    staff = managers(
        ("M48", "乙", "西昌市", "2026-06-15", ""), ("M10", "丙", "西昌市", "2024-01-01", "2026-06-20")
    )
    assert days_employed(next(staff.itertuples()), "2026-06") == (16, 30)
    _, summary = statement("2026-06", staff, {"M48": "75", "M10": "80"}, collected([]))
    assert summary.loc["M48", "performance_pay"] == round_yuan(
        Decimal(800) * Decimal("0.75") * 16 / 30
    )  # 320.00
    assert summary.loc["M48", "allowance"] == Decimal("80.00")  # 150 × 16/30
    assert summary.loc["M10", "allowance"] == Decimal("100.00")  # 150 × 20/30
    assert summary.loc["M10", "performance_pay"] == Decimal("426.67")  # 800 × 0.8 × 20/30 = 426.666…


def test_award_with_its_reason_and_totals_are_sums_of_rounded_lines():
    staff = managers(("M1", "甲", "西昌市", "2024-01-01", ""))
    awards = pd.DataFrame(
        [{"manager_id": "M1", "award": Decimal("1000"), "award_reason": "揽收账单项目", "source_row": 7}]
    )
    rows = [("M1", f"C{i}", "特快", 333, "新揽收") for i in range(3)]  # 3.33 × 5 % = 0.1665 → 0.17 each
    lines, summary = statement("2026-06", staff, {"M1": "90"}, collected(rows), awards)
    assert list(lines[lines.kind == "marketing"].amount) == [Decimal("0.17")] * 3
    assert summary.loc["M1", "marketing_reward"] == Decimal("0.51")  # not round(0.4995) = 0.50
    assert lines[lines.kind == "award"].description.iloc[0] == "突出贡献奖:揽收账单项目"
    assert summary.loc["M1", "total"] == sum(lines.amount)


def test_award_of_a_manager_the_assessment_sheet_does_not_give_is_held_not_left_out():
    staff = managers(("M1", "甲", "西昌市", "2024-01-01", ""), ("M2", "乙", "西昌市", "2024-01-01", ""))
    awards = pd.DataFrame(
        [{"manager_id": "M1", "award": Decimal("500"), "award_reason": "揽收账单项目", "source_row": 5}]
    )
    unknown = {"M2": "考核评分表中无此人"}
    lines = pay_lines(
        "2026-06", BOOK.for_month("2026-06"), staff, cards({"M1": "90", "M2": "90"}),
        collected([]), awards, pd.Series(dtype=str), award_unknown=unknown,
    )  # fmt: skip
    summary = pay_summary(lines, staff).set_index("manager_id")
    award = lines[lines.kind == "award"].set_index("manager_id")
    assert award.loc["M1", "amount"] == Decimal("500.00")
    assert award.loc["M2", "description"].startswith("突出贡献奖:暂缓(考核评分表中无此人)")
    assert award.loc["M2", "amount"] == Decimal("0.00")
    assert summary.loc["M2", "held"] == "突出贡献奖" and summary.loc["M1", "held"] == ""
    assert entry_missing("M2", {"M1"}, found=True) == "考核评分表中无此人"
    assert entry_missing("M1", {"M1"}, found=False) == "本月无考核评分表"
    assert entry_missing("M1", {"M1"}, found=True) == ""


def test_quality_factor_bands_from_the_rules():
    banded = RuleBook(
        [{"from": "2025-01", "pay": {"quality_factor": [[90, "1.2"], [60, "1.0"], [0, "0.6"]]}}]
    )
    rules = banded.for_month("2025-01")
    assert quality_factor(Decimal("95"), rules)[0] == Decimal("1.2")
    assert quality_factor(Decimal("60"), rules)[0] == Decimal("1.0")
    assert quality_factor(Decimal("59.99"), rules)[0] == Decimal("0.6")


def test_correction_deltas_are_new_minus_old_per_item():
    staff = managers(("M1", "甲", "西昌市", "2024-01-01", ""), ("M2", "乙", "西昌市", "2024-01-01", ""))
    _, old = statement(
        "2026-06", staff, {"M1": "90", "M2": "90"}, collected([("M1", "C1", "特快", 100000, "新揽收")])
    )
    _, new = statement(
        "2026-06", staff, {"M1": "90", "M2": "90"}, collected([("M1", "C1", "特快", 120000, "新揽收")])
    )
    deltas = pay_deltas(new.reset_index(), old.reset_index())
    assert deltas.to_dict("records") == [
        {
            "manager_id": "M1",
            "item": "marketing_reward",
            "old": Decimal("50.00"),
            "new": Decimal("60.00"),
            "delta": Decimal("10.00"),
        },
        {
            "manager_id": "M1",
            "item": "total",
            "old": Decimal("920.00"),
            "new": Decimal("930.00"),
            "delta": Decimal("10.00"),
        },
    ]


@pytest.mark.parametrize("total", ["0", "100"])
def test_linear_factor_ends(total):
    assert quality_factor(Decimal(total), BOOK.for_month("2025-01"))[0] == Decimal(total) / 100
