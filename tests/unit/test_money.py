"""Amounts shown to readers: one rounding, half-up."""

from __future__ import annotations


def test_wan_yuan_are_rounded_half_up_like_every_amount():
    from pipeline.core.money import format_wan

    assert format_wan(155000) == "0.16"  # 0.155 万元: a float division showed 0.15
    assert format_wan(123_456_789_00) == "12,345.68"
    assert format_wan(-5000, sign=True) == "-0.01" and format_wan(15000, sign=True) == "+0.02"
    assert format_wan(None) == "—"
