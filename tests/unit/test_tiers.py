"""Tiers by hand: the boundary customer, ties, overrides, county tier and demotion grace."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipeline.analytics.tiers import classify, pareto_members
from pipeline.core.rules import RuleBook

RULES = RuleBook(
    [
        {
            "from": "2025-01",
            "tier": {
                "measure": "volume",
                "prefecture_share": 0.8,
                "window_months": 2,
                "demotion_grace_months": 2,
                "prefecture_natures": ["党政军机关", "行政职能单位"],
            },
        }
    ]
).for_month("2025-01")
ARCHIVE_COLUMNS = ["customer_id", "county", "nature", "partner", "county_designated", "manager_id", "name"]


def totals(values: dict[str, int], business: str = "特快", county: str = "西昌市") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": list(values),
            "business_type": business,
            "county": county,
            "value": list(values.values()),
        }
    )


def members(values: dict[str, int]) -> list[str]:
    return sorted(pareto_members(totals(values), ["business_type"], 0.8).customer_id)


def test_customer_that_reaches_the_threshold_exactly_is_in_and_the_next_is_out():
    assert members({"A": 50, "B": 30, "C": 15, "D": 5}) == ["A", "B"]


def test_customer_that_carries_the_share_past_the_threshold_is_in():
    assert members({"A": 50, "B": 25, "C": 20, "D": 5}) == ["A", "B", "C"]


def test_ties_are_broken_by_customer_id():
    assert members({"A": 40, "C03": 20, "C01": 20, "C02": 20}) == ["A", "C01", "C02"]


def test_customers_without_volume_are_never_in_the_set():
    assert members({"A": 10, "B": 0}) == ["A"]


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=60))
def test_pareto_set_reaches_the_threshold_and_is_minimal(volumes):
    values = {f"C{i:03d}": v for i, v in enumerate(volumes)}
    chosen = set(pareto_members(totals(values), ["business_type"], 0.8).customer_id)
    total = sum(volumes)
    picked = sorted((values[c] for c in chosen), reverse=True)
    if total == 0:
        assert chosen == set()
        return
    assert sum(picked) >= 0.8 * total  # reaches the threshold
    assert sum(picked[:-1]) < 0.8 * total  # without its smallest member it would not
    outside = [v for c, v in values.items() if c not in chosen]
    assert not outside or max(outside) <= min(picked)  # the largest customers, first


def usage(month: str, rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    """rows: (customer_id, county, business_type, volume)."""
    frame = pd.DataFrame(rows, columns=["customer_id", "county", "business_type", "volume"])
    return frame.assign(month=month, revenue_fen=frame.volume * 100, customer_name="")


def archive(rows: list[tuple] | None = None) -> pd.DataFrame:
    return pd.DataFrame(rows or [], columns=ARCHIVE_COLUMNS)


def test_overrides_by_nature_partner_and_county_designation():
    months = {
        "2025-01": usage(
            "2025-01",
            [
                ("A", "西昌市", "特快", 100),
                ("B", "西昌市", "特快", 1),
                ("G", "西昌市", "函件", 1),
                ("P", "西昌市", "函件", 1),
            ],
        )
    }
    records = archive(
        [
            ("G", "西昌市", "行政职能单位", "否", "否", "M008", "西昌市财政局"),
            ("P", "西昌市", "民营企业", "是", "否", "M008", "某合作伙伴"),
            ("B", "西昌市", "民营企业", "否", "是", "M008", "某公司"),
        ]
    )
    tiers = classify(months, "2025-01", records, None, RULES).set_index("customer_id")
    assert tiers.loc["A", "tier"] == "prefecture" and tiers.loc["A", "reasons"] == "特快 前80%"
    assert (tiers.loc["G", "tier"], tiers.loc["G", "reasons"]) == ("prefecture", "函件 前80%、行政职能单位")
    assert (tiers.loc["P", "tier"], tiers.loc["P", "reasons"]) == ("prefecture", "函件 前80%、行业合作伙伴")
    assert (tiers.loc["B", "tier"], tiers.loc["B", "reasons"]) == ("county", "县级自定")
    assert set(tiers.change) == {"baseline"}  # the first month computed is the go-live baseline


def test_county_tier_from_the_county_own_pareto_set():
    rows = [
        ("X1", "西昌市", "特快", 500),
        ("X2", "西昌市", "特快", 400),
        ("M1", "木里藏族自治县", "特快", 60),
        ("M2", "木里藏族自治县", "特快", 30),
        ("M3", "木里藏族自治县", "特快", 10),
    ]
    tiers = classify({"2025-01": usage("2025-01", rows)}, "2025-01", archive(), None, RULES).set_index(
        "customer_id"
    )
    # 全州 特快 1000: X1 500 + X2 400 reach 80 %. 木里 100: M1 60, then M2 30 carries it past 80 %.
    assert list(tiers.tier) == ["county", "county", "ordinary", "prefecture", "prefecture"]  # M1 M2 M3 X1 X2
    assert tiers.loc["M1", "reasons"] == "特快 县内前80%"
    assert tiers.loc["X1", "reasons"] == "特快 前80%"


def test_demotion_only_after_two_months_in_a_row_below_the_tier():
    big = [("A", "西昌市", "特快", 100), ("B", "西昌市", "特快", 100), ("C", "西昌市", "特快", 100)]
    months = {"2025-01": usage("2025-01", big)}
    first = classify(months, "2025-01", archive(), None, RULES)
    assert set(first[first.tier == "prefecture"].customer_id) == {"A", "B", "C"}
    # C drops to almost nothing: over the two-month window it falls out of the 80 % set
    low = [("A", "西昌市", "特快", 3000), ("B", "西昌市", "特快", 3000), ("C", "西昌市", "特快", 1)]
    months["2025-02"] = usage("2025-02", low)
    second = classify(months, "2025-02", archive(), first, RULES).set_index("customer_id")
    assert (second.loc["C", "tier"], second.loc["C", "months_below"], second.loc["C", "change"]) == (
        "prefecture",
        1,
        "unchanged",
    )
    assert second.loc["C", "reasons"] == "保级(连续1个月未达标准)"
    months["2025-03"] = usage("2025-03", low)
    third = classify(months, "2025-03", archive(), second.reset_index(), RULES).set_index("customer_id")
    assert (third.loc["C", "tier"], third.loc["C", "previous_tier"], third.loc["C", "change"]) == (
        "ordinary",
        "prefecture",
        "demoted",
    )


def test_back_above_the_line_resets_the_count_and_a_silent_key_account_is_lost():
    months = {"2025-01": usage("2025-01", [("A", "西昌市", "特快", 100), ("B", "西昌市", "特快", 100)])}
    first = classify(months, "2025-01", archive(), None, RULES)
    months["2025-02"] = usage("2025-02", [("A", "西昌市", "特快", 5000), ("B", "西昌市", "特快", 1)])
    second = classify(months, "2025-02", archive(), first, RULES).set_index("customer_id")
    assert second.loc["B", "months_below"] == 1
    months["2025-03"] = usage("2025-03", [("A", "西昌市", "特快", 10), ("B", "西昌市", "特快", 5000)])
    third = classify(months, "2025-03", archive(), second.reset_index(), RULES).set_index("customer_id")
    assert (third.loc["B", "tier"], third.loc["B", "months_below"]) == ("prefecture", 0)
    months["2025-04"] = usage("2025-04", [("B", "西昌市", "特快", 10)])  # A sends nothing at all
    months["2025-05"] = usage("2025-05", [("B", "西昌市", "特快", 10)])
    fourth = classify(months, "2025-04", archive(), third.reset_index(), RULES)
    fifth = classify(months, "2025-05", archive(), fourth, RULES).set_index("customer_id")
    assert (fifth.loc["A", "tier"], fifth.loc["A", "change"]) == ("ordinary", "lost")


def test_promotion_from_county_to_prefecture():
    rows1 = [
        ("X", "西昌市", "特快", 1000),
        ("M1", "木里藏族自治县", "特快", 50),
        ("M2", "木里藏族自治县", "特快", 5),
    ]
    months = {"2025-01": usage("2025-01", rows1)}
    first = classify(months, "2025-01", archive(), None, RULES).set_index("customer_id")
    assert first.loc["M1", "tier"] == "county"
    months["2025-02"] = usage(
        "2025-02", [("X", "西昌市", "特快", 10), ("M1", "木里藏族自治县", "特快", 5000)]
    )
    second = classify(months, "2025-02", archive(), first.reset_index(), RULES).set_index("customer_id")
    assert (second.loc["M1", "tier"], second.loc["M1", "change"]) == ("prefecture", "promoted")


def test_go_live_month_is_the_baseline_then_new_and_returning_accounts():
    months = {"2025-01": usage("2025-01", [("A", "西昌市", "特快", 100), ("B", "西昌市", "特快", 100)])}
    first = classify(months, "2025-01", archive(), None, RULES)
    # the first month computed: its key accounts were there before the product, not won by anyone
    assert set(first.change) == {"baseline"}
    # C's data begins in February, and it is big enough at once: a new key account
    months["2025-02"] = usage(
        "2025-02", [("A", "西昌市", "特快", 100), ("B", "西昌市", "特快", 100), ("C", "西昌市", "特快", 2000)]
    )
    second = classify(months, "2025-02", archive(), first, RULES).set_index("customer_id")
    assert second.loc["C", "change"] == "new"
    assert (second.loc["A", "change"], second.loc["A", "last_key_month"]) == ("unchanged", "2025-02")
    # A is below the line from February (held one month by the grace rule), out in March
    low = [("A", "西昌市", "特快", 1), ("B", "西昌市", "特快", 100), ("C", "西昌市", "特快", 2000)]
    months["2025-03"], months["2025-04"] = usage("2025-03", low), usage("2025-04", low)
    third = classify(months, "2025-03", archive(), second.reset_index(), RULES)
    fourth = classify(months, "2025-04", archive(), third, RULES).set_index("customer_id")
    assert third.set_index("customer_id").loc["A", "change"] == "demoted"
    assert (fourth.loc["A", "tier"], fourth.loc["A", "last_key_month"]) == ("ordinary", "2025-02")
    # back in May, within twelve months of its last month as a key account: returning, not new
    months["2025-05"] = usage("2025-05", [("A", "西昌市", "特快", 9000), ("C", "西昌市", "特快", 10)])
    fifth = classify(months, "2025-05", archive(), fourth.reset_index(), RULES).set_index("customer_id")
    assert (fifth.loc["A", "tier"], fifth.loc["A", "change"]) == ("prefecture", "returning")


def test_a_key_account_back_after_more_than_the_return_window_is_new_again():
    rules = RuleBook(
        [{**RULES.values, "from": "2025-01", "tier": {**RULES.get("tier"), "returning_months": 2}}]
    )
    months = {"2025-01": usage("2025-01", [("A", "西昌市", "特快", 100)])}
    previous = classify(months, "2025-01", archive(), None, rules.for_month("2025-01"))
    gone = previous.assign(tier="ordinary", previous_tier="prefecture", last_key_month="2025-01")
    months["2025-04"] = usage("2025-04", [("A", "西昌市", "特快", 100)])
    back = classify(months, "2025-04", archive(), gone, rules.for_month("2025-04")).set_index("customer_id")
    assert back.loc["A", "change"] == "new"  # last a key account in January: older than 2 months


def test_a_month_without_data_has_no_key_accounts_and_the_next_with_data_is_the_baseline():
    """Before a centre's go-live (or with every county refused) a month has no usage at all."""
    empty = usage("2025-01", [])
    months = {"2025-01": empty}
    before = classify(months, "2025-01", archive(), None, RULES)
    assert before.empty
    months["2025-02"] = usage("2025-02", [("A", "西昌市", "特快", 100), ("B", "西昌市", "特快", 100)])
    first = classify(months, "2025-02", archive(), before, RULES)
    assert set(first.change) == {"baseline"}
