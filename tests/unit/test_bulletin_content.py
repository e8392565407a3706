"""What the bulletins state of the counties' submissions, by hand."""

from __future__ import annotations

import pandas as pd

from pipeline.ingest.submissions import counted_over


def test_a_county_s_problems_are_counted_over_the_month_s_complete_problems():
    """西昌市's workbook read with no problem, but its 新揽收 claim and an 对账 difference were found
    when the month was computed: the 报送情况 says 2 warnings, as the problems page does."""
    submissions = pd.DataFrame(
        {
            "county": ["西昌市", "甘洛县"],
            "status": ["on_time", "rejected"],
            "errors": [0, 1],
            "warnings": [0, 0],
        }
    )
    problems = pd.DataFrame(
        {
            "county": ["西昌市", "西昌市", "甘洛县", "州局"],
            "severity": ["warning", "warning", "error", "warning"],
            "code": [
                "new_collection_not_new",
                "system_amount_differs",
                "month_mismatch",
                "assessment_missing",
            ],
        }
    )
    counted = counted_over(submissions, problems)
    assert counted[["county", "errors", "warnings"]].values.tolist() == [["西昌市", 0, 2], ["甘洛县", 1, 0]]


def test_the_alert_rules_are_worded_from_the_rules_in_force(reference):
    """The 信息参考 and the month's bulletin word the loss and decline rules as the rules file has
    them for the month (连续三个月, 80%), and a changed rule is worded as changed."""
    from pipeline.core.rules import Rules
    from pipeline.publish.bulletin import alert_wording

    rules = reference.rules.for_month("2026-10")
    assert alert_wording(rules) == {"loss_months": "三", "fallback_months": "三", "decline_pct": "80%"}
    values = {**rules.values, "alerts": {**rules.values["alerts"], "loss_months": 4, "decline_ratio": 0.755}}
    changed = Rules(rules.version, rules.title, values)
    assert alert_wording(changed)["loss_months"] == "四" and alert_wording(changed)["decline_pct"] == "76%"
