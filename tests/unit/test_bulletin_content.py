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
