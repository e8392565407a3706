"""Phone numbers masked wherever staff read free text (the site, the 信息参考), while the months,
dates and amounts that problems and notes carry stay as written."""

from __future__ import annotations

from pipeline.core.privacy import mask_phones_in


def test_phones_in_free_text_are_masked():
    assert mask_phones_in("客户张先生13800138000来电催件") == "客户张先生138****8000来电催件"
    assert mask_phones_in("联系人王主任 139 1234 5678 请回电") == "联系人王主任 139 **** 5678 请回电"
    assert (
        mask_phones_in("2025-03-08 | C9 | 投诉 | 张先生13800138000.")
        == "2025-03-08 | C9 | 投诉 | 张先生138****8000."
    )
    assert mask_phones_in("2025-03-08 13800138000") == "202*-**-** *******8000"  # a phone beside: all masked


def test_months_dates_and_amounts_are_not_taken_for_phones():
    for text in (
        "报送日期 2025-04-12 晚于截止日期(次月3日前)",
        "该客户的该业务种类在 2025-01 已有用邮",
        "受理 2025-03-08,办结 2025-3-1",
        "2025-03-08 2025-03-09",
        "合计 1234567.50,明细合计 12345678.00",
    ):
        assert mask_phones_in(text) == text
    assert mask_phones_in("0834-32-12345") == "083*-**-*2345"  # no month 32: a number, masked


def test_mobile_numbers_are_masked_with_letters_touching_them_or_any_usual_separator():
    for text, shown in (
        ("TEL13822223333", "TEL138****3333"),
        ("QQ13822223333 微信同号", "QQ138****3333 微信同号"),
        ("电话13822223333x", "电话138****3333x"),
        ("138.2222.3333", "138.****.3333"),
        ("138/2222/3333", "138/****/3333"),
        ("138—2222—3333", "138—****—3333"),
    ):
        assert mask_phones_in(text) == shown
    for text in ("客户 C5134020008", "收入 13812345678.00 元", "工号 M008 项目 XM2026-01"):
        assert mask_phones_in(text) == text  # ids and amounts are not phones


def test_a_column_of_names_is_masked_only_where_a_number_was_typed_into_one():
    import pandas as pd

    from pipeline.core.privacy import mask_phones_in_column

    names = pd.Series(
        ["西昌市税务局", "张三13812345678经营部", None, "第7号商行"], index=["A", "B", "C", "D"]
    )
    shown = mask_phones_in_column(names)
    assert shown[["A", "B", "D"]].tolist() == ["西昌市税务局", "张三138****5678经营部", "第7号商行"]
    assert pd.isna(shown["C"]) and list(shown.index) == ["A", "B", "C", "D"]
