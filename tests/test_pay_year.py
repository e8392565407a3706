"""A whole sample year of pay from the committed inputs: every statement reconciles."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from pipeline.alerts import find_alerts
from pipeline.archive import archive_as_of
from pipeline.assessment import assessment_file, read_assessment
from pipeline.ingest import combine, county_files, ingest_county
from pipeline.layout import REPO
from pipeline.months import month_range
from pipeline.pay import pay_lines, pay_summary
from pipeline.scorecard import paid_managers, scorecards
from pipeline.tiers import classify

INPUTS = REPO / "inputs"


@pytest.fixture(scope="module")
def year_of_pay(reference) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Pay of 2025-11 … 2026-10, computed month by month from 2025-01 with the plain functions."""
    usage, tiers_by_month, out = {}, {}, {}
    archive = tiers = None
    for month in month_range("2025-01", "2026-10"):
        files, _ = county_files(INPUTS / month, reference)
        intakes = [
            ingest_county(code, month, files.get(code, []), reference) for code in reference.counties.code
        ]
        combined = combine(intakes)
        usage[month] = combined.usage
        rules = reference.rules.for_month(month)
        archive = archive_as_of(archive, combined.archive, combined.usage, month)
        tiers = classify(usage, month, archive, tiers, rules)
        tiers_by_month[month] = tiers
        if month < "2025-11":
            continue
        accepted = {
            reference.county_names[i.county] for i in intakes if i.status in ("on_time", "late", "received")
        }
        alerts = find_alerts(usage, month, tiers, accepted, rules)
        table, _ = read_assessment(assessment_file(INPUTS / month, reference), reference, month)
        staff = paid_managers(reference.managers_active_in(month))
        staff = staff.assign(county_name=staff.county.map(reference.county_display))
        year = [t for m, t in tiers_by_month.items() if m[:4] == month[:4]]
        ytd = pd.concat([u for m, u in usage.items() if m[:4] == month[:4]])
        cards = scorecards(
            month,
            rules,
            staff,
            tiers,
            year,
            archive,
            alerts,
            combined.visits,
            ytd,
            table,
            True,
            reference.targets,
        )
        lines = pay_lines(
            month, rules, staff, cards, combined.usage, table, archive.set_index("customer_id").name
        )
        out[month] = (lines, pay_summary(lines, staff))
    return out


def test_every_statement_is_the_sum_of_its_lines_for_a_year(year_of_pay):
    assert len(year_of_pay) == 12
    for month, (lines, summary) in year_of_pay.items():
        for row in summary.itertuples():
            mine = lines[lines.manager_id == row.manager_id]
            assert sum(mine.amount, Decimal(0)) == row.total, (month, row.manager_id)
            assert row.performance_pay + row.marketing_reward + row.award + row.allowance == row.total
            assert all(a == a.quantize(Decimal("0.01")) for a in mine.amount)
        assert sum(summary.total, Decimal(0)) == sum(lines.amount, Decimal(0))


def test_the_july_rule_change_reaches_the_statements(year_of_pay):
    june, july = (
        year_of_pay["2026-06"][1].set_index("manager_id"),
        year_of_pay["2026-07"][1].set_index("manager_id"),
    )
    assert june.loc["M011", "allowance"] == Decimal("150.00") and july.loc["M011", "allowance"] == Decimal(
        "180.00"
    )
    assert june.loc["M014", "allowance"] == Decimal("200.00")  # 木里's own allowance in both months
    parcel = year_of_pay["2026-07"][0]
    assert parcel[parcel.description.str.contains("快包 新揽收")].description.str.contains("× 4%").all()


def test_joiner_and_leaver_in_june_2026(year_of_pay):
    june = year_of_pay["2026-06"][1].set_index("manager_id")
    assert june.loc["M048", "allowance"] == Decimal("80.00")  # joined on the 15th: 16 of 30 days
    assert june.loc["M010", "allowance"] == Decimal("100.00")  # left on the 20th: 20 of 30 days
    assert "M010" not in set(year_of_pay["2026-07"][1].manager_id)
