"""The archive as of a month, visit coverage and the quarterly table, by hand."""

from __future__ import annotations

import pandas as pd

from pipeline.analytics.archive import archive_as_of
from pipeline.analytics.quarterly import quarterly_usage
from pipeline.analytics.visits import visit_coverage
from pipeline.core.contract import VISITS
from pipeline.ingest.county import ARCHIVE_COLUMNS, USAGE_COLUMNS


def updates(rows: list[dict]) -> pd.DataFrame:
    base = dict.fromkeys(ARCHIVE_COLUMNS, "")
    return pd.DataFrame([{**base, "source_row": 2, **r} for r in rows], columns=ARCHIVE_COLUMNS)


def usage(rows: list[tuple]) -> pd.DataFrame:
    """(month, customer_id, name, business_type, volume, revenue_fen)"""
    frame = pd.DataFrame(
        rows, columns=["month", "customer_id", "customer_name", "business_type", "volume", "revenue_fen"]
    )
    return frame.assign(county="西昌市", manager_id="M008", source_row=4).reindex(columns=USAGE_COLUMNS)


def test_archive_keeps_history_and_blank_fields_keep_their_value():
    january = archive_as_of(
        None,
        updates(
            [
                {
                    "customer_id": "A",
                    "name": "甲公司",
                    "phone": "13800000000",
                    "nature": "民营企业",
                    "county": "西昌市",
                    "source_file": "x.xlsx",
                }
            ]
        ),
        usage([("2025-01", "B", "乙公司", "特快", 1, 100)]),
        "2025-01",
    )
    assert list(january.customer_id) == ["A", "B"]
    assert january.set_index("customer_id").loc["B", "source"] == "用邮情况(无档案记录)"
    march = archive_as_of(
        january,
        updates(
            [
                {
                    "customer_id": "A",
                    "name": "甲公司",
                    "phone": "",
                    "nature": "国有企业",
                    "county": "西昌市",
                    "source_file": "y.xlsx",
                }
            ]
        ),
        usage([]),
        "2025-03",
    )
    a_in_march, a_in_january = (
        march.set_index("customer_id").loc["A"],
        january.set_index("customer_id").loc["A"],
    )
    assert (a_in_march.nature, a_in_march.phone, a_in_march.changed_month) == (
        "国有企业",
        "13800000000",
        "2025-03",
    )
    assert (a_in_january.nature, a_in_march.first_month) == ("民营企业", "2025-01")
    # April: the county pastes its whole archive again, A as it stood (a blank phone keeps it):
    # not an update, A keeps March as the month it changed; B's first record is one
    april = archive_as_of(
        march,
        updates(
            [
                {
                    "customer_id": "A",
                    "name": "甲公司",
                    "nature": "国有企业",
                    "county": "西昌市",
                    "source_file": "z.xlsx",
                },
                {
                    "customer_id": "B",
                    "name": "乙公司",
                    "nature": "民营企业",
                    "county": "西昌市",
                    "source_file": "z.xlsx",
                },
            ]
        ),
        usage([]),
        "2025-04",
    ).set_index("customer_id")
    assert (april.loc["A", "changed_month"], april.loc["A", "source"]) == ("2025-03", "y.xlsx")
    assert (april.loc["B", "changed_month"], april.loc["B", "nature"]) == ("2025-04", "民营企业")


def tiers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "county": "西昌市",
            "tier": ["prefecture", "county", "prefecture", "ordinary"],
            "manager_id": ["M008", "M008", "M009", "M008"],
        }
    )


def test_visit_coverage_per_manager_and_the_accounts_not_visited():
    visits = pd.DataFrame(
        [{"customer_id": "A"}, {"customer_id": "A"}, {"customer_id": "D"}], columns=VISITS.names
    )
    coverage, missing = visit_coverage(tiers(), visits)
    assert coverage.set_index("manager_id").to_dict("index") == {
        "M008": {"key_accounts": 2, "visited": 1, "coverage": 0.5},
        "M009": {"key_accounts": 1, "visited": 0, "coverage": 0.0},
    }
    assert list(missing.customer_id) == ["B", "C"]


def test_quarterly_table_sums_the_quarter_for_key_accounts_only():
    months = {
        m: usage([(m, c, "", "特快", 10, 1000) for c in ("A", "D")])
        for m in ("2026-07", "2026-08", "2026-09")
    }
    archive = pd.DataFrame({"customer_id": ["A"], "name": ["甲公司"]})
    table = quarterly_usage(months, "2026-09", tiers(), archive)
    assert table.to_dict("records") == [
        {
            "quarter": "2026年第3季度",
            "county": "西昌市",
            "customer_id": "A",
            "customer_name": "甲公司",
            "tier": "prefecture",
            "business_type": "特快",
            "volume": 30,
            "revenue_fen": 3000,
        }
    ]
    assert quarterly_usage(months, "2026-08", tiers(), archive).empty
