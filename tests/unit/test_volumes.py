"""Volume tables by hand: MoM, YoY and key accounts' share."""

import pandas as pd
import pytest

from pipeline.analytics.volumes import volume_tables


def usage(month: str, rows: list[tuple]) -> pd.DataFrame:
    columns = ["customer_id", "county", "business_type", "volume", "revenue_fen"]
    return pd.DataFrame(rows, columns=columns).assign(month=month)


DATA = {
    "2025-03": usage("2025-03", [("A", "西昌市", "特快", 10, 1000), ("B", "西昌市", "特快", 30, 3000)]),
    "2026-02": usage("2026-02", [("A", "西昌市", "特快", 20, 2000), ("C", "会理市", "函件", 5, 50)]),
    "2026-03": usage(
        "2026-03",
        [
            ("A", "西昌市", "特快", 25, 2500),
            ("B", "西昌市", "特快", 15, 1500),
            ("C", "会理市", "函件", 8, 80),
        ],
    ),
}


def test_month_on_month_year_on_year_and_key_share():
    tables = volume_tables(DATA, "2026-03", pd.Index(["A", "C"]))
    row = tables["county_business"].set_index(["county", "business_type"]).loc[("西昌市", "特快")]
    assert (row.volume, row.revenue_fen) == (40, 4000)
    assert row.revenue_mom == pytest.approx(4000 / 2000 - 1)
    assert row.revenue_yoy == pytest.approx(4000 / 4000 - 1)
    assert row.key_revenue_share == pytest.approx(2500 / 4000)
    letters = tables["county_business"].set_index(["county", "business_type"]).loc[("会理市", "函件")]
    assert letters.volume_mom == pytest.approx(8 / 5 - 1)
    assert pd.isna(letters.volume_yoy)  # no 函件 in 会理市 last March: blank, not infinite
    total = tables["total"].iloc[0]
    assert total.revenue_fen == 4080 and total.key_revenue_share == pytest.approx(2580 / 4080)


def test_first_month_has_no_change():
    tables = volume_tables({"2025-01": DATA["2025-03"]}, "2025-01")
    assert tables["business"].revenue_mom.isna().all() and tables["business"].revenue_yoy.isna().all()
    assert "key_revenue_share" not in tables["business"]


def test_the_prefecture_s_change_compares_only_counties_with_data_in_both_months():
    """会理市 was rejected in February (no rows) and is back in March: the prefecture's and the
    business types' 环比 are 西昌市 against 西昌市, not March's two counties against one; a year
    ago only 西昌市 reported, so the 同比 is 西昌市's too. 会理市's own rows have no change."""
    data = {
        "2025-03": DATA["2025-03"],
        "2026-02": usage("2026-02", [("A", "西昌市", "特快", 20, 2000)]),
        "2026-03": DATA["2026-03"],
    }
    tables = volume_tables(data, "2026-03")
    total = tables["total"].iloc[0]
    assert total.revenue_fen == 4080  # the month's total is every county's
    assert total.revenue_mom == pytest.approx(4000 / 2000 - 1)
    assert total.revenue_yoy == pytest.approx(4000 / 4000 - 1)
    letters = tables["business"].set_index("business_type").loc["函件"]
    assert pd.isna(letters.revenue_mom) and pd.isna(letters.revenue_yoy)
    county = tables["county"].set_index("county").loc["会理市"]
    assert pd.isna(county.revenue_mom)
