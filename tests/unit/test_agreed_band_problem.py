"""An unreadable 协议档次 in the county's 客户档案 is a warning at its cell (file, sheet, cell,
raw value, what to write), the row kept; the pricing bands read the cell with the same parser;
the county's feedback workbook marks the cell."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from pipeline.analytics.pricing import parse_agreed
from pipeline.feedback.workbook import feedback_workbook
from pipeline.ingest.bands import agreed_parts, band_scheme
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine
from tests.workbooks import archive_row, county_workbook

pytestmark = pytest.mark.unit

TAX, SHOP, SCHOOL = "C5134010001", "C5134010002", "C5134010003"
KNOWN = {TAX: "西昌市税务局", SHOP: "凉山州安宁商贸有限公司", SCHOOL: "西昌市第一中学"}


def _row(customer: str, agreed: object) -> list:
    return archive_row(客户编号=customer, 企业全称=KNOWN[customer], 更新日期="2026-07-05", 协议档次=agreed)


def test_an_unreadable_agreed_band_is_a_warning_at_its_cell_and_the_row_is_kept(tmp_path, reference):
    archive = [
        _row(TAX, "特快:一档;快包:基础档"),  # readable
        _row(SHOP, "EMS:九档;快包:二档"),  # 九档 is no band of 特快 (EMS is its alias)
        _row(SCHOOL, "按合同执行"),  # no business type, no band
    ]
    path = tmp_path / "西昌市.xlsx"
    county_workbook(path, month="2026-07", archive=archive, report_date="2026年8月2日")
    files, _ = county_files(tmp_path, reference)
    intake = ingest_county("xichang", "2026-07", files["xichang"], reference, KNOWN)

    found = [p for p in intake.problems if p.code == "agreed_band_unreadable"]
    assert [(p.severity, p.file, p.sheet, p.cell, p.value) for p in found] == [
        ("warning", "西昌市.xlsx", "客户档案", "O3", "EMS:九档;快包:二档"),
        ("warning", "西昌市.xlsx", "客户档案", "O4", "按合同执行"),
    ]
    assert "未能识别“EMS:九档”" in found[0].message
    assert "未能识别“按合同执行”" in found[1].message
    assert "请写成“特快:一档;快包:基础档”" in found[0].message  # the advice, from the rules' names
    assert "特快、快包、函件、物流" in found[0].message and "基础档、一档、二档、三档" in found[0].message

    # every row kept, the text as written (the pricing bands flag it 协议档次无法识别)
    month = combine([intake])
    assert month.archive.set_index("customer_id").agreed_band.to_dict() == {
        TAX: "特快:一档;快包:基础档",
        SHOP: "EMS:九档;快包:二档",
        SCHOOL: "按合同执行",
    }

    # the feedback workbook fills the two cells (amber: a warning) with the advice as comment
    feedback = feedback_workbook("西昌市", "2026-07", "on_time", intake.problems, path)
    out = tmp_path / "feedback.xlsx"
    feedback.workbook.save(out)
    ws = load_workbook(out)["客户档案"]
    assert ws["O3"].comment is not None and "协议档次无法识别" in ws["O3"].comment.text
    assert "EMS:九档" in ws["O3"].comment.text
    assert ws["O4"].comment is not None and ws["O2"].comment is None  # the readable one is not marked
    assert ws["O3"].fill.fill_type == "solid"


def test_the_parser_is_one_rule_for_ingest_and_pricing(reference):
    scheme = band_scheme(reference.rules.for_month("2026-07").values)
    business = reference.business_index
    assert agreed_parts("EMS : 一档 , 快包:三档", scheme, business) == ({"特快": 1, "快包": 3}, [])
    assert agreed_parts("特快:五档、杂项:一档", scheme, business) == ({}, ["特快:五档", "杂项:一档"])
    assert parse_agreed("特快:五档、快包:一档", scheme, business) == ({"快包": 1}, False)
