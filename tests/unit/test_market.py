"""Cross-selling, pricing bands and market research, each on a handful of customers whose figures
are counted by hand: one key account's cross-sell list, band moves (up, down, above the agreed
band), competitor aliases merging into one, and the tables written and checked against the
contract."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.analytics.cross_sell import best_by_manager, breadth, cross_sell, partial_window
from pipeline.analytics.market import MarketAliases, market_tables, need_table, split_parts
from pipeline.analytics.pricing import band_of, parse_agreed, pricing_bands, pricing_section
from pipeline.core.contract import (
    COMPETITOR_MENTIONS,
    COMPETITORS,
    CROSS_SELL,
    CROSS_SELL_BY_MANAGER,
    NEEDS,
    PRICING_BANDS,
    check_csv,
)
from pipeline.core.layout import REPO
from pipeline.core.rules import RuleBook
from pipeline.core.tables import write_table

ORDER = ["特快", "快包", "函件", "商函", "账单", "报刊发行", "集邮", "邮资门票", "物流", "代理金融"]
RULES = RuleBook(
    [
        {
            "from": "2025-01",
            "title": "test",
            "cross_sell": {"window_months": 2, "min_peers": 3, "min_users": 2, "top_per_manager": 2},
            "pricing": {
                "window_months": 2,
                "bands": {
                    "特快": {
                        "measure": "revenue",
                        "thresholds": ["1000.00", "5000.00"],
                        "names": ["基础档", "一档", "二档"],
                    },
                    "快包": {"measure": "volume", "thresholds": [100], "names": ["基础档", "一档"]},
                },
            },
        }
    ]
)


def usage(rows: list[tuple]) -> dict[str, pd.DataFrame]:
    """(month, customer, county, business, volume, 元) → usage by month as the reader gives it."""
    frame = pd.DataFrame(rows, columns=["month", "customer_id", "county", "business_type", "volume", "yuan"])
    frame["revenue_fen"] = (frame.pop("yuan") * 100).round().astype("int64")
    return {m: f.drop(columns="month").reset_index(drop=True) for m, f in frame.groupby("month")}


def archive(rows: list[tuple]) -> pd.DataFrame:
    """(customer, county, nature, name, competitors, potential, agreed_band)."""
    return pd.DataFrame(
        rows, columns=["customer_id", "county", "nature", "name", "competitors", "potential", "agreed_band"]
    )


def tiers(keys: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """key account → (county, manager)."""
    return pd.DataFrame(
        [
            {"customer_id": c, "county": county, "tier": "county", "manager_id": m}
            for c, (county, m) in keys.items()
        ]
    )


# -- cross-selling ------------------------------------------------------------------------

CROSS_USAGE = usage(
    [
        # K, the key account, uses 特快 only
        ("2025-02", "K", "西昌市", "特快", 10, 200.0),
        ("2025-03", "K", "西昌市", "特快", 10, 200.0),
        # three comparable customers (民营企业, 西昌市); 快包 summed over the two-month window
        ("2025-02", "P1", "西昌市", "快包", 5, 100.0),
        ("2025-03", "P1", "西昌市", "快包", 5, 200.0),  # P1 快包 = 300 元
        ("2025-03", "P1", "西昌市", "特快", 1, 18.0),
        ("2025-03", "P2", "西昌市", "快包", 9, 500.0),
        ("2025-03", "P2", "西昌市", "函件", 40, 50.0),
        ("2025-02", "P3", "西昌市", "函件", 40, 70.0),
        ("2025-03", "P3", "西昌市", "快包", 2, 100.0),
        ("2025-01", "P3", "西昌市", "集邮", 1, 999.0),  # before the window: not used
        # another county's 民营企业: not comparable while 西昌市 has enough
        ("2025-03", "Q", "会理市", "账单", 100, 80.0),
        ("2025-03", "Q2", "会理市", "账单", 100, 90.0),
        # K2, 国有企业 alone in 会理市: compared with the prefecture's 国有企业 (two in 西昌市)
        ("2025-03", "K2", "会理市", "特快", 3, 60.0),
        ("2025-03", "R1", "西昌市", "账单", 100, 100.0),
        ("2025-03", "R2", "西昌市", "账单", 100, 200.01),
        ("2025-03", "R2", "西昌市", "特快", 1, 20.0),
    ]
)
CROSS_ARCHIVE = archive(
    [
        ("K", "西昌市", "民营企业", "凉山州甲公司", "", "", ""),
        ("P1", "西昌市", "民营企业", "乙", "", "", ""),
        ("P2", "西昌市", "民营企业", "丙", "", "", ""),
        ("P3", "西昌市", "民营企业", "丁", "", "", ""),
        ("Q", "会理市", "民营企业", "戊", "", "", ""),
        ("Q2", "会理市", "民营企业", "己", "", "", ""),
        ("K2", "会理市", "国有企业", "会理庚公司", "", "", ""),
        ("R1", "西昌市", "国有企业", "辛", "", "", ""),
        ("R2", "西昌市", "国有企业", "壬", "", "", ""),
    ]
)
CROSS_TIERS = tiers({"K": ("西昌市", "M005"), "K2": ("会理市", "M005")})


def test_one_key_accounts_cross_sell_list_by_hand(tmp_path):
    out = cross_sell(CROSS_USAGE, "2025-03", CROSS_TIERS, CROSS_ARCHIVE, RULES.for_month("2025-03"), ORDER)
    k = out[out.customer_id == "K"].set_index("business_type")
    # peers P1, P2, P3 (3 = min_peers: the county suffices); K lacks 快包 and 函件
    assert list(k.index) == ["快包", "函件"] and list(k["rank"]) == [1, 2]
    assert set(k.scope) == {"county"} and set(k.peers) == {3}
    # 快包: P1 300, P2 500, P3 100 元 → median 300 元, all three use it
    assert k.loc["快包", "users"] == 3 and k.loc["快包", "uptake"] == 1.0
    assert k.loc["快包", "median_revenue_fen"] == 30000 and k.loc["快包", "users_revenue_fen"] == 90000
    # 函件: P2 50, P3 70 → median 60 元; 集邮 (before the window) and 账单 (会理市) not proposed
    assert k.loc["函件", "median_revenue_fen"] == 6000 and k.loc["函件", "uptake"] == 2 / 3
    # K2: no other 国有企业 in 会理市 → the prefecture's R1, R2; 账单 100 and 200.01 → 150.005 → 150.01 元
    k2 = out[out.customer_id == "K2"].set_index("business_type")
    assert list(k2.index) == ["账单"] and k2.loc["账单", "scope"] == "prefecture"
    assert k2.loc["账单", "peers"] == 2 and k2.loc["账单", "median_revenue_fen"] == 15001
    top = best_by_manager(out, 2)  # M005: 快包 300 元, 账单 150.01 元
    assert list(zip(top.customer_id, top.business_type, top.manager_rank, strict=True)) == [
        ("K", "快包", 1),
        ("K2", "账单", 2),
    ]
    write_table(out, tmp_path, CROSS_SELL)
    write_table(top, tmp_path, CROSS_SELL_BY_MANAGER)
    assert check_csv(CROSS_SELL, tmp_path / "cross_sell.csv") == []
    assert check_csv(CROSS_SELL_BY_MANAGER, tmp_path / "cross_sell_by_manager.csv") == []
    assert (
        "K,西昌市,M005,民营企业,快包,1,county,3,3,1.0,300.00,900.00"
        in (tmp_path / "cross_sell.csv").read_text()
    )


def test_breadth_counts_key_accounts_by_business_types_used():
    by_month = {"2025-02": tiers({"K": ("西昌市", "M005")}), "2025-03": CROSS_TIERS}
    out = breadth(CROSS_USAGE, by_month, "2025-03", window=2).set_index("month")
    # 2025-02: K alone, 1 type; 2025-03: K 1 type (特快), K2 1 type (特快)
    assert out.loc["2025-02", ["key_accounts", "one", "two", "three_plus"]].tolist() == [1, 1, 0, 0]
    assert out.loc["2025-03", ["key_accounts", "one", "share_one"]].tolist() == [2, 2, 1.0]
    # the months of data in each window: 2025-01 … 03 hold data, nothing before
    wide = breadth(CROSS_USAGE, by_month, "2025-03", window=3).set_index("month")
    assert wide.window_months.to_dict() == {"2025-02": 2, "2025-03": 3}
    assert [partial_window(n, 3) for n in wide.window_months] == [True, False]
    assert out.window_months.tolist() == [2, 2] and not partial_window(2, 2)
    assert not partial_window(None, 12)  # a table written before the months were counted


# -- pricing bands ------------------------------------------------------------------------

BAND_USAGE = usage(
    [
        ("2025-01", "K", "西昌市", "特快", 20, 400.0),
        ("2025-02", "K", "西昌市", "特快", 25, 500.0),
        ("2025-03", "K", "西昌市", "特快", 35, 700.0),
        ("2025-01", "K", "西昌市", "快包", 50, 90.0),
        ("2025-02", "K", "西昌市", "快包", 80, 150.0),
        ("2025-03", "K", "西昌市", "快包", 10, 20.0),
        ("2025-03", "K", "西昌市", "函件", 900, 900.0),  # no bands for 函件
    ]
)


def test_band_change_and_agreed_band_by_hand(tmp_path, reference):
    agreed = archive([("K", "西昌市", "民营企业", "凉山州甲公司", "", "", "EMS:基础档;快包:一档")])
    out = pricing_bands(
        BAND_USAGE, "2025-03", tiers({"K": ("西昌市", "M005")}), agreed, RULES, reference.business_index
    )
    ems, parcel = out.set_index("business_type").loc["特快"], out.set_index("business_type").loc["快包"]
    assert list(out.business_type) == ["快包", "特快"]  # 函件 has no bands
    # 特快 revenue: 2025-02 window 400 + 500 = 900 元 (基础档) → 2025-03 500 + 700 = 1,200 元 (一档)
    assert ems.trailing_revenue_fen == 120000 and ems.band_label == "一档" and ems.previous_label == "基础档"
    assert ems.change == "up" and ems.next_label == "二档" and ems.to_next_revenue_fen == 380000
    assert pd.isna(ems.to_next_volume)
    assert ems.agreed_label == "基础档" and ems.agreement == "above_agreed"  # crossed the agreed ceiling
    # 快包 volume: 50 + 80 = 130 (一档) → 80 + 10 = 90 (基础档): down, below the agreed 一档
    assert parcel.trailing_volume == 90 and parcel.band_label == "基础档" and parcel.change == "down"
    assert parcel.to_next_volume == 10 and parcel.agreement == "below_agreed"
    section = pricing_section(out, agreed.set_index("customer_id").name)
    assert section["moved_count"] == 2 and section["above_count"] == 1
    assert section["above"][0]["name"] == "凉山州甲公司" and not section["partial"]
    write_table(out, tmp_path, PRICING_BANDS)
    assert check_csv(PRICING_BANDS, tmp_path / "pricing_bands.csv") == []
    assert (
        ",特快,revenue,60,1200.00,1,一档,二档,,3800.00,基础档,up,基础档,above_agreed"
        in (tmp_path / "pricing_bands.csv").read_text()
    )


def test_no_band_move_is_called_before_the_window_is_covered_by_data(reference):
    first_two = {m: f for m, f in BAND_USAGE.items() if m != "2025-01"}
    agreed = archive([("K", "西昌市", "民营企业", "甲", "", "", "")])
    out = pricing_bands(
        first_two, "2025-03", tiers({"K": ("西昌市", "M005")}), agreed, RULES, reference.business_index
    )
    assert set(out.change) == {"partial"}
    assert pricing_section(out, agreed.set_index("customer_id").name)["partial"]


def test_no_band_move_is_called_for_a_county_with_a_month_not_accepted_in_the_windows(reference):
    """西昌市's February workbook was rejected: K's trailing figures miss it, so its 快包 'down'
    is not called (the agreement is not to be signed again on a short figure); 会东县's
    rejection changes nothing for K."""
    agreed = archive([("K", "西昌市", "民营企业", "甲", "", "", "")])
    key = tiers({"K": ("西昌市", "M005")})
    out = pricing_bands(
        BAND_USAGE, "2025-03", key, agreed, RULES, reference.business_index, {"2025-02": {"西昌市"}}
    )
    assert set(out.change) == {"incomplete"}
    assert pricing_section(out, agreed.set_index("customer_id").name)["moved_count"] == 0
    other = pricing_bands(
        BAND_USAGE, "2025-03", key, agreed, RULES, reference.business_index, {"2025-02": {"会东县"}}
    )
    assert set(other.change) == {"up", "down"}


def test_band_edges_and_agreed_texts(reference):
    assert [band_of(x, [100, 500]) for x in (0, 99, 100, 499, 500, 10**9)] == [0, 0, 1, 1, 2, 2]
    scheme = {"特快": {"names": ["基础档", "一档"]}}
    assert parse_agreed("特快:一档", scheme, reference.business_index) == ({"特快": 1}, True)
    assert parse_agreed("EMS : 一档 , 快包:三档", scheme, reference.business_index) == ({"特快": 1}, False)
    assert parse_agreed("", scheme, reference.business_index) == ({}, True)


# -- market research: aliases -------------------------------------------------------------

MARKET_USAGE = usage(
    [
        ("2025-03", "A", "西昌市", "特快", 10, 1000.0),
        ("2025-03", "A", "西昌市", "快包", 10, 500.0),
        ("2025-03", "B", "西昌市", "特快", 10, 2000.0),
        ("2025-03", "C", "会理市", "快包", 10, 300.0),
        ("2025-03", "D", "会理市", "函件", 10, 4000.0),
        ("2025-03", "E", "会理市", "函件", 10, 9999.0),  # not a key account
    ]
)
MARKET_ARCHIVE = archive(
    [
        ("A", "西昌市", "民营企业", "甲", "顺丰速运", "冷链、电商发货", ""),
        ("B", "西昌市", "民营企业", "乙", "SF、京东物流", "无", ""),
        ("C", "会理市", "民营企业", "丙", "顺丰快递;无", "同城急送/上门揽收", ""),
        ("D", "会理市", "民营企业", "丁", "本地货运部 13512349335", "", ""),
        ("E", "会理市", "民营企业", "戊", "顺丰", "冷链", ""),
    ]
)


def test_competitor_aliases_merge_into_one(tmp_path, reference):
    aliases = MarketAliases.load(REPO / "inputs" / "reference", reference.business_index)
    assert [
        aliases.match("competitor", w) for w in ("顺丰速运", "SF", "顺丰快递", "ｓｆ", "顺丰速运有限公司")
    ] == ["顺丰"] * 5
    assert split_parts("顺丰快递;无") == ["顺丰快递"] and split_parts(None) == []
    spaced = aliases.spaced_apart("competitor", ["中通 圆通\u3000韵达", "本地货运部 13512349335"])
    assert spaced == ["中通", "圆通", "韵达", "本地货运部 13512349335"]  # apart only if all are known
    assert aliases.match("need", "冷链快递") == "冷链寄递"  # 快递 and 冷链 alike long: the first written
    keys = tiers(
        {
            c: (county, "M005")
            for c, county in [("A", "西昌市"), ("B", "西昌市"), ("C", "会理市"), ("D", "会理市")]
        }
    )
    out = market_tables(
        MARKET_USAGE, "2025-03", keys, MARKET_ARCHIVE, aliases, 12, ["西昌市", "会理市"], ORDER
    )
    comp = out["competitors"].set_index(["competitor", "county", "business_type"])
    sf = comp.loc[("顺丰", "全州", "全部")]
    # A, B, C name 顺丰 three ways; E is not a key account. Revenue 1,500 + 2,000 + 300 元 of 7,800
    assert sf.key_accounts == 3 and sf.revenue_fen == 380000 and sf.revenue_share == 3800 / 7800
    assert sf.written == "SF、顺丰快递、顺丰速运"
    assert comp.loc[("顺丰", "西昌市", "全部")].key_accounts == 2
    assert comp.loc[("顺丰", "会理市", "全部")].revenue_share == 300 / 4300
    # by business: 快包 users naming 顺丰 are A (500) and C (300) of 800 元
    assert (
        comp.loc[("顺丰", "全州", "快包")].revenue_fen == 80000
        and comp.loc[("顺丰", "全州", "快包")].revenue_share == 1.0
    )
    assert comp.loc[("京东", "全州", "全部")].key_accounts == 1
    local = comp.loc[("本地货运部 13512349335", "全州", "全部")]
    assert local.matched == "no"  # kept as written, not merged, not dropped
    assert out["competitors"].competitor.iloc[0] == "顺丰"  # named most often, first
    needs = out["needs"].set_index(["need", "county"])
    assert (
        needs.loc[("冷链寄递", "全州")].unserved == "yes"
        and needs.loc[("冷链寄递", "全州")].key_accounts == 1
    )
    assert (
        needs.loc[("电商包裹", "全州")].served_by == "快包"
        and needs.loc[("电商包裹", "全州")].unserved == "no"
    )
    assert needs.loc[("同城即时配送", "会理市")].unserved == "yes"
    assert needs.loc[("上门揽收", "全州")].unserved == "unknown"
    for name, table in (
        ("competitor_mentions", COMPETITOR_MENTIONS),
        ("competitors", COMPETITORS),
        ("needs", NEEDS),
    ):
        write_table(out[name], tmp_path, table)
        assert check_csv(table, tmp_path / f"{name}.csv") == [], name


def test_the_agreed_band_is_read_from_the_archive_sheet_and_kept(tmp_path, reference):
    from pipeline.analytics.archive import archive_as_of
    from pipeline.ingest.county import ingest_county
    from pipeline.ingest.files import county_files
    from tests.workbooks import county_workbook

    record = [
        "C5134010001",
        "西昌市税务局",
        "",
        "",
        "",
        "党政军机关",
        "否",
        "",
        "",
        "冷链",
        "顺丰速运",
        "陆浩",
        "否",
    ]
    county_workbook(tmp_path / "西昌市.xlsx", archive=[[*record, "2026-10-05", "特快:一档"]])
    files, _ = county_files(tmp_path, reference)
    intake = ingest_county("xichang", "2026-10", files["xichang"], reference)
    (row,) = intake.archive
    assert (row["agreed_band"], row["competitors"], row["potential"]) == ("特快:一档", "顺丰速运", "冷链")
    updates = pd.DataFrame(intake.archive)
    now = archive_as_of(None, updates, intake.usage.iloc[0:0], "2026-10")
    # a later update that leaves 协议档次 blank keeps it; an archive of before the column starts blank
    later = archive_as_of(now, updates.assign(agreed_band=""), intake.usage.iloc[0:0], "2026-11")
    assert later.set_index("customer_id").agreed_band["C5134010001"] == "特快:一档"
    older = archive_as_of(
        now.drop(columns="agreed_band"), updates.iloc[0:0], intake.usage.iloc[0:0], "2026-11"
    )
    assert older.agreed_band.tolist() == [""]


def test_a_need_is_served_by_a_business_type_named_by_any_of_its_aliases(tmp_path, reference):
    (tmp_path / "market.toml").write_text(
        '[needs."标准快递"]\nserved_by = "EMS"\naliases = ["快递"]\n'
        '[needs."冷链寄递"]\nserved_by = ""\naliases = ["冷链"]\n',
        encoding="utf-8",
    )
    aliases = MarketAliases.load(tmp_path, reference.business_index)
    assert aliases.served_by("标准快递") == "特快" and aliases.served_by("冷链寄递") == ""
    found = pd.DataFrame(
        [
            ("A", "西昌市", "need", "标准快递", "yes", "快递", 100),
            ("B", "西昌市", "need", "冷链寄递", "yes", "冷链", 200),
        ],
        columns=["customer_id", "county", "kind", "name", "matched", "written", "trailing_revenue_fen"],
    )
    needs = need_table(found, aliases, ["西昌市"], ORDER).set_index(["need", "county"])
    assert needs.loc[("标准快递", "全州"), "unserved"] == "no"  # not a 新业务开发需求
    assert needs.loc[("冷链寄递", "全州"), "unserved"] == "yes"
    (tmp_path / "market.toml").write_text('[needs."标准快递"]\nserved_by = "快速专送"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="served_by 为“快速专送”,应为业务种类之一"):
        MarketAliases.load(tmp_path, reference.business_index)


def test_the_breadth_caption_marks_short_windows_and_reads_older_editions():
    """An edition's content is kept as published: one made before the months of data were
    counted has no `partial`, and its pages are drawn again with today's templates."""
    from pipeline.render.pdf import render_html

    def section(trend: list[dict]) -> str:
        now = {"key_accounts": 2, "none": 0, "one": 2, "two": 0, "three_plus": 0}
        now |= {"share_one": 1.0, "share_two": 0.0, "share_three_plus": 0.0}
        cross_sell = {"now": now, "trend": trend, "proposed": [], "accounts": 0, "opportunities": 0}
        cross_sell |= {"table": "cross_sell.csv", "by_manager": "cross_sell_by_manager.csv"}
        charts = {"breadth": "<svg/>"}
        return render_html("_cross_sell.html", b={"market": {"cross_sell": cross_sell}}, charts=charts)

    note = "* 该月的滚动窗口内数据不足"
    assert note in section([{"month": "2025-03", "partial": True}, {"month": "2025-04", "partial": False}])
    assert note not in section([{"month": "2025-04", "partial": False}])
    assert note not in section([{"month": "2025-04"}])  # content written before the count
