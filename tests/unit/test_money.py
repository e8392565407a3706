"""Amounts shown to readers: one rounding, half-up."""

from __future__ import annotations


def test_wan_yuan_are_rounded_half_up_like_every_amount():
    from pipeline.core.money import format_wan

    assert format_wan(155000) == "0.16"  # 0.155 万元: a float division showed 0.15
    assert format_wan(123_456_789_00) == "12,345.68"
    assert format_wan(-5000, sign=True) == "-0.01" and format_wan(15000, sign=True) == "+0.02"
    assert format_wan(None) == "—"


def test_shares_are_shown_rounded_once_half_up():
    """A share is kept exact and rounded once, when shown: 326 of 650 key accounts is 50.15…%,
    shown 50.2%; 顺丰's 29.254…% is 29.3%; 16.645% (a share rounded to 0.1665 first would show
    16.7%) is 16.6%. A share that is exactly half a point up rounds up, as money does."""
    from decimal import Decimal

    from pipeline.core.money import percent
    from pipeline.render.pdf import format_change, format_pct

    assert format_pct(326 / 650) == "50.2%"
    assert format_pct(26_588_210.90 / 90_888_602.45) == "29.3%"
    assert format_pct(0.16645) == "16.6%"
    assert percent(0.5015) == Decimal("50.2") and percent(0.0005, 1) == Decimal("0.1")
    assert format_pct(1 / 3, 2) == "33.33%" and format_pct(None) == "—"
    assert (format_change(0.1235), format_change(-0.00049), format_change(float("nan"))) == (
        "+12.4%",
        "0.0%",
        "—",
    )


def test_a_share_shown_from_its_counts_is_rounded_once():
    from pipeline.render.pdf import format_pct_of

    assert format_pct_of(326, 650) == "50.2%"  # 0.5015 kept in the content would say the same
    assert format_pct_of(3329, 20000) == "16.6%"  # 16.645 %: 0.1665 first would have said 16.7 %
    assert format_pct_of(0, 0) == "—" and format_pct_of(None, 5) == "—"
