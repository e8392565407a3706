import tomllib
from decimal import Decimal

import pytest

from pipeline.core.execution import max_processes
from pipeline.core.layout import REPO
from pipeline.core.rules import DEFAULTS_FOR_OLDER_FILES, RuleBook
from pipeline.ingest.grid import max_amount


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


def _keys(tree: dict, prefix: str = "") -> set[str]:
    return {
        k
        for key, value in tree.items()
        for k in (_keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}"})
    }


def test_defaults_serve_only_older_rules_files(reference):
    """The shipped rules file sets every key that has a default (the defaults are for a centre's
    own copy written before the key existed), and such a copy is read with them."""
    periods = tomllib.loads((REPO / "inputs" / "reference" / "rules.toml").read_text(encoding="utf-8"))[
        "period"
    ]
    shipped = set().union(
        *(_keys({k: v for k, v in p.items() if k not in ("from", "title")}) for p in periods)
    )
    assert _keys(DEFAULTS_FOR_OLDER_FILES) <= shipped
    older = RuleBook([{"from": "2025-01", "archive": {"stale_after": 1}, "tier": {"window_months": 12}}])
    rules = older.for_month("2026-10")
    assert rules.get("archive.refresh_months") == 3 and rules.get("archive.stale_after") == 1
    assert rules.get("tier.returning_months") == 12 and rules.get("tier.window_months") == 12
    assert max_processes(rules) >= 1 and max_amount(rules) == 1_000_000_000
