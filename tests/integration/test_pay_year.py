"""A whole sample year of pay from the committed inputs: every statement reconciles."""

from __future__ import annotations

import re
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from pipeline.analytics.alerts import find_alerts
from pipeline.analytics.archive import archive_as_of
from pipeline.analytics.tiers import classify
from pipeline.core.layout import REPO
from pipeline.core.months import month_range, shift
from pipeline.ingest.assessment import assessment_file, read_assessment
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine
from pipeline.ingest.submissions import ACCEPTED, unaccepted_counties
from pipeline.pay.month import counties_then, held_counties, month_pay, paid_staff
from pipeline.pay.scorecard import ITEMS, accepted_months, scorecards
from pipeline.pay.statements import write_summary_workbook

INPUTS = REPO / "inputs"


@pytest.fixture(scope="module")
def year_of_pay(reference) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Pay of every month 2025-01 … 2026-10, computed month by month with the plain functions,
    the pay itself by the pay step's own (`month_pay`: roster in force, directors outside the
    reward scheme, held counties)."""
    usage, tiers_by_month, sent, out = {}, {}, {}, {}
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
        sent[month] = pd.DataFrame(
            {
                "county": [reference.county_names[i.county] for i in intakes],
                "status": [i.status for i in intakes],
            }
        )
        accepted = set(sent[month].county[sent[month].status.isin(ACCEPTED)])
        alerts = find_alerts(usage, month, tiers, accepted, rules)
        table, _ = read_assessment(assessment_file(INPUTS / month, reference), reference, month)
        held = held_counties(reference, sent[month])
        this_year = [m for m in usage if m[:4] == month[:4]]
        cards = scorecards(
            month,
            rules,
            paid_staff(reference, month),
            tiers,
            [tiers_by_month[m] for m in this_year],
            archive,
            alerts,
            combined.visits,
            pd.concat([usage[m] for m in this_year]),
            table,
            True,
            reference.targets,
            county_held=held,
            county_names=reference.county_names,
            accepted_months=accepted_months(
                {m: sent[m] for m in this_year}, reference.county_names.values(), ACCEPTED
            ),
            counties_then=counties_then(reference, this_year),
        )
        window = {m: u for m, u in usage.items() if shift(month, -12) <= m}
        names = archive.set_index("customer_id").name
        paid = month_pay(month, reference, cards, window, table, names, held, unaccepted_counties(sent))
        out[month] = (paid.lines, paid.summary)
    out["usage"], out["sent"] = usage, sent
    return out


def months_of(year_of_pay: dict) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    return {m: v for m, v in year_of_pay.items() if m not in ("usage", "sent")}


REWARD = re.compile(r"营销奖励:(\S+) .* (\S+) 新揽收")


def test_every_reward_line_of_the_sample_history_is_new_business_paid_once(year_of_pay):
    """Checked against the counties' rows themselves, not against the claims the pay used; and
    never while a month of the window is unknown for the customer's county (its workbook not
    accepted: 布拖县's of 2026-03, say)."""
    usage, unaccepted, rewarded = year_of_pay["usage"], unaccepted_counties(year_of_pay["sent"]), set()
    for month, (lines, _) in months_of(year_of_pay).items():
        earlier = [m for m in usage if shift(month, -12) <= m < month]
        window = pd.concat([usage[m] for m in earlier] or [pd.DataFrame()])
        used = set(zip(window.customer_id, window.business_type, strict=True)) if len(window) else set()
        marketing = lines[lines.kind == "marketing"]
        if month == "2025-01":
            assert marketing.empty  # the go-live month: no earlier data to check a claim against
        county = usage[month].drop_duplicates("customer_id").set_index("customer_id").county
        for customer, business in rewards(marketing, month):
            assert all(county[customer] not in unaccepted.get(m, ()) for m in earlier), (
                month,
                customer,
                business,
            )
            assert (customer, business) not in used, (month, customer, business)
            assert (customer, business) not in rewarded, (month, customer, business)
            rewarded.add((customer, business))
    assert len(rewarded) > 20  # the sample does collect new business


def rewards(marketing: pd.DataFrame, month: str) -> list[tuple[str, str]]:
    """(customer, business) of each reward paid; a held one (its county's workbook not accepted,
    as 布拖县's of 2026-03) pays nothing and says so."""
    paid = []
    for line in marketing.itertuples():
        found = REWARD.search(line.description)
        if found is None:
            assert line.description.startswith("营销奖励:暂缓") and line.amount == 0, (
                month,
                line.description,
            )
            continue
        paid.append(found.groups())
    return paid


def test_the_sample_relabels_are_caught_and_not_paid(year_of_pay):
    """The sample labels a few existing rows 新揽收 (pipeline.sample.generate): found here from the
    counties' rows themselves (the pair had usage in the twelve months before), each one is left
    without a reward line, and there are such rows to catch."""
    usage, relabels = year_of_pay["usage"], []
    for month, (lines, _) in months_of(year_of_pay).items():
        window = pd.concat([usage[m] for m in usage if shift(month, -12) <= m < month] or [pd.DataFrame()])
        used = set(zip(window.customer_id, window.business_type, strict=True)) if len(window) else set()
        claimed = usage[month][usage[month].collection == "新揽收"]
        relabelled = set(zip(claimed.customer_id, claimed.business_type, strict=True)) & used
        paid = set(rewards(lines[lines.kind == "marketing"], month))
        assert not relabelled & paid, month
        relabels += [(month, *pair) for pair in sorted(relabelled)]
    assert len(relabels) >= 3, relabels


def test_the_summary_workbook_adds_up_to_the_statements(year_of_pay, tmp_path):
    lines, summary = year_of_pay["2026-10"]
    cards = pd.DataFrame({"manager_id": summary.manager_id, "name": summary.name, "total": Decimal(0)})
    for item in ITEMS:
        cards[item] = Decimal(0)
    path = write_summary_workbook(tmp_path / "汇总.xlsx", "2026-10", 1, summary, lines, cards)
    sheet = openpyxl.load_workbook(path)["汇总"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[-1][0] == "合计"
    assert Decimal(str(rows[-1][-1])) == sum(summary.total, Decimal(0)) == sum(lines.amount, Decimal(0))
    by_manager = {r[0]: Decimal(str(r[-1])).quantize(Decimal("0.01")) for r in rows[:-1]}
    assert by_manager == dict(zip(summary.manager_id, summary.total, strict=True))
    # a held item's 0.00 is named, in the figures finance reads and beside the scores
    held = dict(zip(summary.manager_id, summary.held, strict=True))
    assert any(held.values()) and {r[0]: r[3] or "" for r in rows[:-1]} == held
    book = openpyxl.load_workbook(path)
    notes = {r[0]: r[-1] for r in book["考核"].iter_rows(min_row=2, values_only=True)}
    assert {m for m, note in notes.items() if note} == {m for m, why in held.items() if why}
    # money shown with its fen (632.00, not 632), as on the statements
    assert {sheet["E2"].number_format, book["明细"]["E2"].number_format} == {"#,##0.00"}


def test_every_statement_is_the_sum_of_its_lines_for_a_year(year_of_pay):
    assert len(months_of(year_of_pay)) == 22
    for month, (lines, summary) in months_of(year_of_pay).items():
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
    lines = [lines for month, (lines, _) in months_of(year_of_pay).items() if month >= "2026-07"]
    parcel = pd.concat(lines).description
    parcel = parcel[parcel.str.contains("快包 新揽收")]
    assert len(parcel) and parcel.str.contains("× 4%").all()  # a rate that applies to some line


def test_joiner_and_leaver_in_june_2026(year_of_pay):
    june = year_of_pay["2026-06"][1].set_index("manager_id")
    assert june.loc["M048", "allowance"] == Decimal("80.00")  # joined on the 15th: 16 of 30 days
    assert june.loc["M010", "allowance"] == Decimal("100.00")  # left on the 20th: 20 of 30 days
    assert "M010" not in set(year_of_pay["2026-07"][1].manager_id)
