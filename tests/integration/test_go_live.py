"""A centre whose first workbooks are of a month after the system's first (2025-01): its go-live.
The months before it are computed as months without data, told in one line, and nothing later
reads them as months of zeros: the go-live month's key accounts are the baseline, and no
decline is judged on a window that reaches back before it."""

from __future__ import annotations

from contextlib import redirect_stdout
from io import StringIO

import pandas as pd
import pytest

from assets.cli import main as kac
from pipeline.core.layout import Layout
from pipeline.sample.generate import Scale, generate

MONTH = "2025-04"


def table(layout: Layout, name: str, month: str) -> pd.DataFrame:
    return pd.read_csv(layout.tables(month) / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def after_go_live(tmp_path_factory) -> tuple[Layout, list[str]]:
    """Three counties reporting from 2025-02, `kac run 2025-04` from empty outputs: its lines."""
    inputs = tmp_path_factory.mktemp("inputs")
    generate(inputs, scale=Scale(customers=120, counties=3, first="2025-02", last=MONTH))
    layout = Layout(inputs, tmp_path_factory.mktemp("outputs"))
    with redirect_stdout(StringIO()) as out:  # `kac` prints its progress to the stdout of its call
        code = kac(["run", MONTH, "--inputs", str(inputs), "--outputs", str(layout.outputs)])
    lines = out.getvalue().splitlines()
    assert code == 0, "\n".join(lines[-20:])
    return layout, lines


def test_the_months_before_go_live_are_one_line_and_no_county_is_chased_for_them(after_go_live):
    layout, lines = after_go_live
    start = lines.index("补齐历史月份 2025-01(本中心的报表自2025年2月起,此前的月份按无数据计,不催报)")
    assert lines[start + 1] == "补齐历史月份 2025-02(同比、趋势需要)"  # no line of its counties
    assert table(layout, "usage", "2025-01").empty
    assert (layout.site / "index.html").is_file()


def test_the_go_live_month_is_the_baseline(after_go_live):
    layout, _ = after_go_live
    tiers = table(layout, "tiers", "2025-02")
    key = tiers[tiers.tier.isin(["prefecture", "county"])]
    assert len(key) and set(key.change) == {"baseline"}


def test_no_decline_is_judged_on_months_before_go_live(after_go_live):
    """2025-04 has two months of data before it (the rules ask three for a decline without last
    year): every key account is listed as too short to judge, none is alerted as declining."""
    layout, _ = after_go_live
    short = table(layout, "alerts_short_history", MONTH)
    tiers = table(layout, "tiers", MONTH)
    key = set(tiers.customer_id[tiers.tier.isin(["prefecture", "county"])])
    assert set(short.customer_id) == key and set(short.months_of_data) == {"2"}
    for month in ("2025-03", MONTH):
        assert "decline" not in set(table(layout, "alerts", month).kind)


def test_status_of_a_month_before_go_live_asks_for_no_county(after_go_live):
    layout, _ = after_go_live
    with redirect_stdout(StringIO()) as out:
        code = kac(["status", "2025-01", "--inputs", str(layout.inputs), "--outputs", str(layout.outputs)])
    assert code == 0
    said = out.getvalue().splitlines()
    assert said[-1] == "2025年1月在本中心的第一个报表月份(2025年2月)之前:没有该月的报表,也不需要催报"
    assert not any("未报送" in line for line in said)
