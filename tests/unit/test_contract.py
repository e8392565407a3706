"""The data contract's checker on real CSV files, written as the pipeline writes them and read
back: a table that keeps the contract passes, each way of breaking it is named."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.core.contract import (
    DATE,
    DECIMAL,
    FEN,
    INTEGER,
    MONTH,
    PROBLEMS,
    TABLES,
    TEXT,
    USAGE,
    Column,
    Table,
    check_csv,
    read_csv,
)
from pipeline.core.layout import Layout
from pipeline.core.problems import Problem
from pipeline.core.tables import write_table

# SPEC §9: the columns other tools rely on, in order (each table may declare more)
SPEC_COLUMNS = {
    "submissions": ["county", "status", "file", "sha256", "rows", "errors", "warnings"],
    "problems": ["severity", "code", "county", "file", "sheet", "cell", "value", "message"],
    "usage": [
        *("month", "county", "customer_id", "business_type", "volume", "revenue", "manager_id"),
        *("collection", "source_file", "source_sheet", "source_row"),
    ],
    "volumes": [
        *("county", "business_type", "volume", "revenue"),
        *("volume_mom", "revenue_mom", "volume_yoy", "revenue_yoy"),
    ],
    "tiers": ["customer_id", "county", "tier", "reasons", "previous_tier", "change"],
    "alerts": ["customer_id", "county", "manager_id", "kind", "this_month", "reference", "ratio"],
    "scorecards": ["manager_id", "total"],
    "pay": ["manager_id", "performance_pay", "marketing_reward", "award", "allowance", "total", "version"],
    "satisfaction": [
        *("wave", "county", "dimension", "n", "mean", "csat", "csat_low", "csat_high", "suppressed"),
    ],
}
SAMPLE = {TEXT: "西昌市", FEN: 123450, INTEGER: 7, DECIMAL: 0.25, DATE: "2025-03-18", MONTH: "2025-03"}


def usage_rows(n: int = 3) -> pd.DataFrame:
    """Usage facts as the pipeline holds them: amounts in integer fen, a column beyond the contract."""
    return pd.DataFrame(
        {
            "month": ["2025-03"] * n,
            "county": ["西昌市"] * n,
            "customer_id": [f"C51340100{i:02d}" for i in range(1, n + 1)],
            "customer_name": ["西昌市疾病预防控制中心"] * n,
            "business_type": ["函件"] * n,
            "volume": [56 + i for i in range(n)],
            "revenue_fen": [6343 + i for i in range(n)],
            "manager_id": ["M007"] * n,
            "collection": ["存量"] * n,
            "source_file": ["西昌市_2025年3月_大客户用邮情况.xlsx"] * n,
            "source_sheet": ["用邮情况"] * n,
            "source_row": [4 + i for i in range(n)],
        }
    )


def written(tmp_path, frame: pd.DataFrame, table: Table | str = USAGE):
    return write_table(frame, tmp_path, table)


def test_a_table_that_keeps_the_contract_passes(tmp_path):
    path = written(tmp_path, usage_rows())
    assert pd.read_csv(path, dtype=str).columns[5] == "revenue"  # 元 in the CSV, fen inside
    assert check_csv(USAGE, path) == []


@pytest.mark.parametrize("table", TABLES.values(), ids=TABLES)
def test_every_table_declared_can_be_written_and_passes(tmp_path, table):
    """One row of valid values of each kind, in shuffled order: write_table puts the contract's
    columns first, in order, and the written file passes its check."""
    row = {c.frame_name: SAMPLE[c.kind] for c in reversed(table.columns)}
    path = write_table(pd.DataFrame([row]), tmp_path, table)
    header = list(pd.read_csv(path, dtype=str).columns)
    assert header == table.names
    assert check_csv(table, path) == []


def test_a_missing_column_fails(tmp_path):
    path = written(tmp_path, usage_rows().drop(columns="manager_id"), "usage")
    assert check_csv(USAGE, path) == ["missing column(s): manager_id"]


def test_columns_out_of_order_fail(tmp_path):
    frame = usage_rows()
    path = written(tmp_path, frame[["county", "month", *frame.columns[2:]]], "usage")
    (found,) = check_csv(USAGE, path)
    assert found.startswith("columns not in the contract's order: expected month, county, customer_id")
    assert "found county, month, customer_id" in found


def test_a_blank_in_a_required_column_fails(tmp_path):
    frame = usage_rows()
    frame.loc[1, "customer_id"] = ""
    assert check_csv(USAGE, written(tmp_path, frame)) == ["customer_id: blank in a required column at row 3"]


def test_a_blank_where_the_contract_allows_one_passes(tmp_path):
    row = {c.frame_name: SAMPLE[c.kind] for c in PROBLEMS.columns} | {"cell": "", "county": ""}
    assert check_csv(PROBLEMS, write_table(pd.DataFrame([row]), tmp_path, PROBLEMS)) == []


def test_a_repeated_key_fails(tmp_path):
    frame = usage_rows(4)
    frame.loc[3, "customer_id"] = frame.loc[1, "customer_id"]
    assert check_csv(USAGE, written(tmp_path, frame)) == [
        "key (customer_id, business_type) not unique: 2 rows share a key, e.g. C5134010002 / 函件 at row 3, 5"
    ]


def test_a_fraction_of_a_fen_fails(tmp_path):
    """An amount written as 元 from a float, not from integer fen: 12.345 元 is not whole fen."""
    frame = usage_rows().drop(columns="revenue_fen").assign(revenue=[12.34, 12.345, 0.5])
    path = written(tmp_path, frame)
    assert check_csv(USAGE, path) == [
        "revenue: 1 value(s) not an amount in 元 of whole fen: '12.345' at row 3"
    ]


def test_values_not_of_their_kind_fail(tmp_path):
    frame = usage_rows().astype({"volume": str, "source_row": str})  # as a text column shows them
    frame.loc[0, "volume"] = "12.5"
    frame.loc[1, "month"] = "2025-3"
    frame.loc[2, "source_row"] = "第5行"
    assert check_csv(USAGE, written(tmp_path, frame)) == [
        "month: 1 value(s) not a month YYYY-MM: '2025-3' at row 3",
        "volume: 1 value(s) not an integer: '12.5' at row 2",
        "source_row: 1 value(s) not an integer: '第5行' at row 4",
    ]


def test_dates_and_numbers(tmp_path):
    table = Table(
        "t", Layout.tables, (Column("day", DATE), Column("share", DECIMAL), Column("pay", FEN, True))
    )
    frame = pd.DataFrame(
        {"day": ["2025-02-30", "2025-03-01", ""], "share": ["0.5", "n/a", "1e-05"], "pay": ["1", "2.10", "—"]}
    )
    assert check_csv(table, written(tmp_path, frame, "t")) == [
        "day: 1 value(s) not a date YYYY-MM-DD: '2025-02-30' at row 2",
        "share: 1 value(s) not a number: 'n/a' at row 3",
        "pay: 1 value(s) not an amount in 元 of whole fen: '—' at row 4",
    ]


def test_many_failures_are_counted_and_the_first_rows_named(tmp_path):
    frame = usage_rows(8).assign(manager_id="")
    assert check_csv(USAGE, written(tmp_path, frame)) == [
        "manager_id: blank in a required column at row 2, 3, 4, 5, 6 and 3 more"
    ]


def test_an_empty_table_with_its_header_passes_and_a_missing_file_fails(tmp_path):
    path = written(tmp_path, usage_rows(0))
    assert check_csv(USAGE, path) == []
    assert check_csv(USAGE, tmp_path / "absent.csv") == ["absent.csv is missing"]


@pytest.mark.parametrize("name", SPEC_COLUMNS)
def test_the_contract_declares_the_spec_columns_in_order(name):
    declared = TABLES[name].names
    assert [c for c in declared if c in SPEC_COLUMNS[name]] == SPEC_COLUMNS[name]


def test_a_problem_is_a_row_of_problems_csv():
    assert list(Problem.__dataclass_fields__) == PROBLEMS.names


def test_a_key_must_be_declared_and_a_kind_known():
    with pytest.raises(ValueError, match="kind 'money'"):
        Column("x", "money")
    with pytest.raises(ValueError, match="key column not declared"):
        Table("t", Layout.tables, (Column("a"),), key=("b",))


def test_text_a_spreadsheet_would_run_as_a_formula_stays_text_and_reads_back_as_sent(tmp_path):
    """A county's raw value in problems.csv (OWASP CSV injection): Excel opens it as text; a tool
    reading the contract gets the value the county sent. Money and numbers are not touched."""
    row = {c.frame_name: SAMPLE[c.kind] for c in PROBLEMS.columns}
    sent = [
        '=HYPERLINK("http://x","点此")',
        "-300",
        "+86 0834",
        "@SUM(A1)",
        "正常文字",
        "'已有引号",
        "'=已引",
        "\t=1+1",  # a tab first: some spreadsheets still read a formula
    ]
    path = write_table(pd.DataFrame([row | {"value": v} for v in sent]), tmp_path, PROBLEMS)
    text = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",'-300," in text and ",'@SUM(A1)," in text and ",正常文字," in text
    assert ",'\t=1+1," in text
    assert list(read_csv(path).value) == sent
    assert check_csv(PROBLEMS, path) == []

    deltas = pd.DataFrame(
        {"manager_id": ["M022"], "delta_fen": [-12345], "volume": pd.Series([-3], dtype=object)}
    )
    assert (
        write_table(deltas, tmp_path, "deltas").read_text(encoding="utf-8").splitlines()[1]
        == "M022,-3,-123.45"
    )
