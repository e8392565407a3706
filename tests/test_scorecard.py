"""Scorecards by hand: data items from the analytics, manual items from 考核评分, reasons shown."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from pipeline.rules import RuleBook
from pipeline.scorecard import ITEMS, scorecards

RULES = RuleBook(
    [
        {
            "from": "2025-01",
            "scorecard": {
                "weights": {
                    "archive": 10,
                    "contact": 5,
                    "market_survey": 10,
                    "retention": 10,
                    "other": 5,
                    "project_plan": 10,
                    "new_accounts": 25,
                    "annual_target": 25,
                }
            },
        }
    ]
).for_month("2025-01")


def test_items_points_and_a_missing_assessment_row():
    managers = pd.DataFrame(
        {"manager_id": ["M1", "M2"], "name": ["甲", "乙"], "county": ["xichang", "xichang"]}
    )
    tiers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "county": "西昌市",
            "tier": ["prefecture", "county", "prefecture", "prefecture", "ordinary"],
            "manager_id": ["M1", "M1", "M1", "M1", "M1"],
            "change": ["new", "unchanged", "unchanged", "new", "unchanged"],
        }
    )
    archive = pd.DataFrame(
        {
            "customer_id": list("ABCDE"),
            "manager_id": "M1",
            "changed_month": ["2026-06", "2026-04", "2025-12", "2026-05", "2026-06"],
        }
    )
    alerts = pd.DataFrame({"customer_id": ["C"]})
    visits = pd.DataFrame({"customer_id": ["A", "B", "B", "E"]})
    usage = pd.DataFrame({"manager_id": ["M1", "M1", "M2"], "revenue_fen": [30_000_00, 20_000_00, 5_00]})
    assessment = pd.DataFrame(
        [
            {
                "manager_id": "M1",
                "market_survey": Decimal("8"),
                "project_plan": Decimal("9.5"),
                "other": Decimal("4"),
                "award": Decimal(0),
                "award_reason": "",
                "source_row": 3,
            }
        ]
    )
    targets = pd.DataFrame(
        {
            "year": ["2026", "2026"],
            "manager_id": ["M1", "M2"],
            "new_key_accounts": ["4", "2"],
            "revenue_target": ["120000.00", "0"],
        }
    )
    cards = scorecards(
        "2026-06", RULES, managers, tiers, [tiers], archive, alerts, visits, usage, assessment, True, targets
    ).set_index("manager_id")
    m1 = cards.loc["M1"]
    assert m1.archive == Decimal("7.50")  # A, B, D of A–D changed since April: 3/4 × 10
    assert m1.contact == Decimal("2.50")  # A, B visited: 2/4 × 5
    assert m1.retention == Decimal("7.50")  # C alerted: 3/4 × 10
    assert m1.new_accounts == Decimal("25.00")  # 2 new against 4 × 6/12 = 2
    assert m1.annual_target == Decimal("20.83")  # 50,000 against 120,000 × 6/12 = 60,000: 25 × 5/6
    assert (m1.market_survey, m1.project_plan, m1.other) == (
        Decimal("8.00"),
        Decimal("9.50"),
        Decimal("4.00"),
    )
    assert m1.total == sum(m1[i] for i in ITEMS) == Decimal("84.83")
    assert m1.archive_note == "近三个月更新档案 3 户 / 名下大客户 4 户 × 10 分"
    m2 = cards.loc["M2"]
    assert m2.market_survey == Decimal("0.00") and m2.market_survey_note == "考核评分表中无此人,按 0 分计"
    assert m2.archive == Decimal("0.00") and m2.archive_note == "无名下大客户,不计分"
    assert m2.annual_target_note == "无年度收入目标,不计分"
