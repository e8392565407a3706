"""The customer and manager pages' 叠加使用 and 浮动定价 rows (pipeline/site/market_sections.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.site.market_sections import bands_by_customer, cross_sell_by_customer, opportunities_by_manager

pytestmark = pytest.mark.unit


def test_a_customers_bands_say_the_distance_the_move_and_the_agreement():
    frame = pd.DataFrame(
        [
            [
                "C1",
                "特快",
                "revenue",
                742,
                1516859,
                "一档",
                "二档",
                None,
                3483141,
                "up",
                "二档",
                "below_agreed",
            ],
            ["C1", "快包", "volume", 26000, 90000, "三档", "", None, None, "same", "", ""],
            ["C1", "函件", "volume", 2500, 3000, "基础档", "一档", 500, None, "first", "x:y", "unreadable"],
            ["C2", "特快", "revenue", 1, 100, "基础档", "一档", None, 999900, "partial", "", ""],
        ],
        columns=[
            *("customer_id", "business_type", "measure", "trailing_volume", "trailing_revenue_fen"),
            *("band_label", "next_label", "to_next_volume", "to_next_revenue_fen", "change"),
            *("agreed_label", "agreement"),
        ],
    )
    rows = bands_by_customer(frame, {"快包": "件", "函件": "件"})
    c1 = {r["business_type"]: r for r in rows["C1"]}
    assert [r["business_type"] for r in rows["C1"]] == ["函件", "快包", "特快"]  # by business type
    assert c1["特快"]["to_next"] == "34,831.41 元" and c1["特快"]["moved"] and c1["特快"]["change"] == "升档"
    assert c1["特快"]["agreement"] == "低于协议档次" and c1["特快"]["measure"] == "收入"
    assert c1["快包"]["to_next"] == "已是最高档" and not c1["快包"]["moved"]
    assert c1["函件"]["to_next"] == "500 件" and c1["函件"]["agreement"] == "协议档次无法识别"
    assert rows["C2"][0]["change"] == "数据不足12个月" and not rows["C2"][0]["moved"]


def test_cross_sell_lists_by_rank_and_a_managers_opportunities_by_their_rank():
    offers = pd.DataFrame(
        [
            ["C1", "函件", 2, "county", 9, 5, 0.5556, 66146],
            ["C1", "特快", 1, "prefecture", 30, 4, 0.1333, 566628],
        ],
        columns=[
            "customer_id",
            "business_type",
            "rank",
            "scope",
            "peers",
            "users",
            "uptake",
            "median_revenue_fen",
        ],
    )
    (first, second) = cross_sell_by_customer(offers)["C1"]
    assert (first["rank"], first["business_type"], first["scope"]) == (1, "特快", "全州同类客户")
    assert (second["peers"], second["users"], second["median_revenue_fen"]) == (9, 5, 66146)
    top = pd.DataFrame(
        [
            ["M1", 2, "C2", "西昌市", "快包", 1, "county", 0.25, 100],
            ["M1", 1, "C1", "西昌市", "特快", 1, "prefecture", 0.1, 900],
        ],
        columns=[
            *("manager_id", "manager_rank", "customer_id", "county", "business_type", "customer_rank"),
            *("scope", "uptake", "median_revenue_fen"),
        ],
    )
    assert [o["customer_id"] for o in opportunities_by_manager(top)["M1"]] == ["C1", "C2"]
    assert opportunities_by_manager(top.iloc[0:0]) == {}


def test_the_bulletin_content_keeps_shares_to_four_places_as_before():
    """The edition's version is a hash of the content: the breadth's shares stay as the content
    has always held them (four places) though the table keeps them exact, so that an upgrade
    makes no new version; what is shown is rounded from the counts."""
    import pandas as pd

    from pipeline.publish.market import cross_sell_section

    trend = pd.DataFrame(
        [
            {
                "month": "2026-10",
                "key_accounts": 650,
                "none": 0,
                "one": 200,
                "two": 124,
                "three_plus": 326,
                "window_months": 12,
                "share_one": 200 / 650,
                "share_two": 124 / 650,
                "share_three_plus": 326 / 650,
            }
        ]
    )
    table = pd.DataFrame(columns=["customer_id", "business_type", "rank", "median_revenue_fen"])
    now = cross_sell_section(table, trend, 12)["now"]
    assert (now["share_one"], now["share_two"], now["share_three_plus"]) == (0.3077, 0.1908, 0.5015)
