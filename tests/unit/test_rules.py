from decimal import Decimal

import pytest

from pipeline.core.rules import RuleBook


def test_month_uses_the_period_in_force(reference):
    june, july = reference.rules.for_month("2026-06"), reference.rules.for_month("2026-07")
    assert june.version == "2025-01" and july.version == "2026-07"
    assert june.money("pay.field_allowance") == Decimal("150.00")
    assert july.money("pay.field_allowance") == Decimal("180.00")
    assert june.rate("pay.marketing_rates.快包") == Decimal("0.03")
    assert july.rate("pay.marketing_rates.快包") == Decimal("0.04")


def test_a_later_period_keeps_what_it_does_not_change(reference):
    july = reference.rules.for_month("2026-07")
    assert july.rate("pay.marketing_rates.特快") == Decimal("0.05")
    assert july.get("tier.prefecture_share") == 0.80
    assert july.get("pay.allowance_by_county.木里藏族自治县") == "200.00"


def test_old_month_rerun_uses_its_own_rules_whatever_the_file_order():
    book = RuleBook([{"from": "2026-01", "a": {"x": 2}}, {"from": "2025-01", "a": {"x": 1, "y": 5}}])
    assert book.for_month("2025-12").get("a.x") == 1
    assert book.for_month("2026-03").get("a.x") == 2
    assert book.for_month("2026-03").get("a.y") == 5


def test_no_rules_before_the_first_period(reference):
    with pytest.raises(LookupError):
        reference.rules.for_month("2024-12")


def test_every_threshold_of_the_plan_is_in_the_rules_file(reference):
    rules = reference.rules.for_month("2025-01")
    assert rules.money("pay.performance_base") == Decimal("800.00")
    assert rules.rate("pay.marketing_rates.特快") == Decimal("0.05")
    assert sum(rules.get("scorecard.weights").values()) == 100
    assert rules.get("tier.demotion_grace_months") == 2
    assert rules.get("alerts.decline_ratio") == 0.80
    assert rules.get("survey.min_group") == 5
    assert rules.get("submission.deadline_day") == 3
