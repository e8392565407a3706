"""Loss and decline alerts by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.analytics.alerts import find_alerts
from pipeline.core.rules import RuleBook

RULES = RuleBook(
    [{"from": "2025-01", "alerts": {"decline_ratio": 0.8, "decline_fallback_months": 3, "loss_months": 3}}]
).for_month("2025-01")


def month_of(month: str, revenue_yuan: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": list(revenue_yuan),
            "revenue_fen": [round(v * 100) for v in revenue_yuan.values()],
            "county": "西昌市",
            "business_type": "特快",
            "volume": 1,
            "month": month,
        }
    )


def tiers_of(*customers: str, county: str = "西昌市") -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": list(customers), "county": county, "tier": "prefecture", "manager_id": "M008"}
    )


def alerts_for(history: dict[str, dict[str, float]], month: str, tiers: pd.DataFrame, accepted=("西昌市",)):
    usage = {m: month_of(m, r) for m, r in history.items()}
    return find_alerts(usage, month, tiers, set(accepted), RULES).set_index("customer_id")


def test_loss_after_three_months_of_usage():
    history = {
        "2026-01": {"A": 100, "B": 100},
        "2026-02": {"A": 200, "B": 100},
        "2026-03": {"A": 300, "B": 0.01},
        "2026-04": {"B": 100},
    }
    out = alerts_for(history, "2026-04", tiers_of("A", "B"))
    assert list(out.index) == ["A"]
    assert (out.loc["A", "kind"], out.loc["A", "this_month_fen"], out.loc["A", "reference_fen"]) == (
        "loss",
        0,
        20000,
    )
    assert out.loc["A", "ratio"] == 0


def test_no_loss_when_one_of_the_previous_months_had_no_usage():
    history = {"2026-01": {"A": 100}, "2026-02": {"B": 1}, "2026-03": {"A": 300}, "2026-04": {"B": 1}}
    out = alerts_for(history, "2026-04", tiers_of("A"))
    assert "loss" not in set(out.kind)


def test_decline_against_the_same_month_last_year():
    history = {
        "2025-04": {"A": 1000, "B": 1000},
        "2026-01": {"A": 700, "B": 700},
        "2026-02": {"A": 700, "B": 700},
        "2026-03": {"A": 700, "B": 700},
        "2026-04": {"A": 799.99, "B": 800},
    }
    out = alerts_for(history, "2026-04", tiers_of("A", "B"))
    assert list(out.index) == ["A"]  # 800 of 1000 is exactly the limit: no alert
    assert (out.loc["A", "kind"], out.loc["A", "basis"], out.loc["A", "reference_fen"]) == (
        "decline",
        "上年同月",
        100000,
    )
    assert out.loc["A", "ratio"] == pytest.approx(0.79999)


def test_decline_against_the_trailing_three_month_mean_without_a_last_year():
    history = {
        "2026-01": {"A": 100, "B": 100},
        "2026-02": {"A": 200, "B": 200},
        "2026-03": {"A": 300, "B": 300},
        "2026-04": {"A": 150, "B": 170},
    }
    out = alerts_for(history, "2026-04", tiers_of("A", "B"))
    assert list(out.index) == ["A"]  # mean 200: 150 is 75 %, 170 is 85 %
    assert (out.loc["A", "basis"], out.loc["A", "reference_fen"]) == ("前3个月均值", 20000)


def test_ordinary_customers_and_counties_not_accepted_get_no_alerts():
    history = {
        "2026-01": {"A": 100, "C": 100},
        "2026-02": {"A": 100, "C": 100},
        "2026-03": {"A": 100, "C": 100},
        "2026-04": {"D": 1},
    }
    tiers = pd.concat([tiers_of("A"), tiers_of("C").assign(tier="ordinary")])
    assert alerts_for(history, "2026-04", tiers, accepted=()).empty  # 西昌市's workbook was rejected
    out = alerts_for(history, "2026-04", tiers)
    assert list(out.index) == ["A"]


def test_a_customer_whose_row_was_rejected_this_month_is_not_alerted_as_lost_or_declining(
    tmp_path, reference
):
    """A's 用邮情况 row of April has 用邮量 "830件": rejected at its cell, so April's usage of A is
    not known; it did not stop mailing. B, with nothing reported, is lost."""
    from pipeline.ingest.county import ingest_county
    from pipeline.ingest.month import combine, rejected_customers
    from tests.workbooks import county_workbook

    rows = [["A", "甲", "特快", "830件", 100.0, "陆浩", "存量"], ["C", "丙", "特快", 2, 50.0, "陆浩", "存量"]]
    path = county_workbook(tmp_path / "西昌市.xlsx", month="2026-04", rows=rows, total=False)
    rejected = combine([ingest_county("xichang", "2026-04", [path], reference)]).quarantine
    assert list(zip(rejected.row, rejected.customer_id, strict=True)) == [("4", "A")]
    history = {m: {"A": 100, "B": 100, "C": 100} for m in ("2026-01", "2026-02", "2026-03")}
    usage = {m: month_of(m, r) for m, r in {**history, "2026-04": {"C": 50}}.items()}
    alerts = find_alerts(
        usage, "2026-04", tiers_of("A", "B", "C"), {"西昌市"}, RULES, rejected_customers(rejected)
    )
    assert dict(zip(alerts.customer_id, alerts.kind, strict=True)) == {"B": "loss", "C": "decline"}


def test_no_decline_from_too_little_history_and_the_account_is_listed_as_such():
    from pipeline.analytics.alerts import short_history

    # the second month after go-live: one month before it, no same month last year
    history = {"2025-01": {"A": 300, "B": 300}, "2025-02": {"A": 100, "B": 290}}
    assert alerts_for(history, "2025-02", tiers_of("A", "B")).empty
    usage = {m: month_of(m, r) for m, r in history.items()}
    listed = short_history(usage, "2025-02", tiers_of("A", "B"), RULES)
    assert list(listed.customer_id) == ["A", "B"] and set(listed.months_of_data) == {1}
    # three full months before it: the trailing mean is a fair reference again
    history |= {"2025-03": {"A": 300, "B": 300}, "2025-04": {"A": 100, "B": 290}}
    assert list(alerts_for(history, "2025-04", tiers_of("A", "B")).index) == ["A"]
    usage = {m: month_of(m, r) for m, r in history.items()}
    assert short_history(usage, "2025-04", tiers_of("A", "B"), RULES).empty


def test_a_month_without_usage_before_go_live_is_not_a_month_of_the_window():
    """A month computed with no usage (before go-live) is left out, not read as zeros: two months
    of data before 2025-04 are too few for a decline against the trailing mean."""
    from pipeline.analytics.alerts import short_history
    from pipeline.analytics.trailing import months_with_data

    history = {
        "2025-02": {"A": 900, "B": 300},
        "2025-03": {"A": 900, "B": 300},
        "2025-04": {"A": 500, "B": 300},
    }
    usage = {"2025-01": month_of("2025-01", {}), **{m: month_of(m, r) for m, r in history.items()}}
    window = months_with_data(usage, "2025-04")
    assert list(window) == ["2025-02", "2025-03", "2025-04"]
    assert find_alerts(window, "2025-04", tiers_of("A", "B"), {"西昌市"}, RULES).empty
    listed = short_history(window, "2025-04", tiers_of("A", "B"), RULES)
    assert list(listed.customer_id) == ["A", "B"] and set(listed.months_of_data) == {2}
