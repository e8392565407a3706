"""Complaints, inquiries and claims (投诉查询理赔) on real workbooks: the rows read, each rejection
at its cell, a case carried open across months and closed later (figures counted by hand), the
limits by the month a case was received, and an overdue complaint raising its alert."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from pipeline.analytics.alerts import complaint_alerts, with_complaints
from pipeline.analytics.cases import case_register, case_summary, limit_days
from pipeline.core.contract import ALERTS, CASES, check_csv
from pipeline.core.rules import RuleBook
from pipeline.core.tables import write_table
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine
from pipeline.ingest.template import template_workbook
from tests.workbooks import ROWS, county_workbook

KNOWN = {"C5134010001": "西昌市税务局", "C5134010002": "凉山州安宁商贸有限公司"}
TAX, SHOP = "C5134010001", "C5134010002"


def read(folder: Path, reference, month: str, cases: list[list] | None, name: str = "西昌市.xlsx"):
    report = f"{int(month[:4]) + (month[5:] == '12')}年{int(month[5:]) % 12 + 1}月2日"
    county_workbook(folder / name, month=month, cases=cases, report_date=report)
    files, _ = county_files(folder, reference)
    return ingest_county("xichang", month, files["xichang"], reference, KNOWN)


def problems(intake) -> list[tuple[str, str, str]]:
    return [(p.code, p.cell, p.value) for p in intake.problems]


def test_case_rows_are_read_with_their_key_and_amounts(tmp_path, reference):
    cases = [
        # 受理日期, 客户编号, 类型, 业务种类, 内容, 邮件号码, 理赔金额(元), 办结日期, 处理结果, 客户经理
        [
            "2026-10-08",
            TAX,
            "投诉",
            "特快",
            "投递延误,联系人 13512349335",
            "1178423695012",
            None,
            None,
            None,
            "陆浩",
        ],
        [
            datetime(2026, 10, 12),
            SHOP,
            "理赔",
            "快包",
            "包裹破损",
            "9812345678901",
            "1,250.50",
            "2026-10-20",
            "已赔付",
            "",
        ],
        ["2026年10月15日", TAX, "查单", "", "查询账单寄达", "", "", "", "", "陆浩"],
    ]
    intake = read(tmp_path, reference, "2026-10", cases)
    assert problems(intake) == []
    assert intake.status == "on_time"
    got = [
        (
            c["case_id"],
            c["type"],
            c["business_type"],
            c["claim_amount_fen"],
            c["opened"],
            c["closed"],
            c["manager_id"],
        )
        for c in intake.cases
    ]
    assert got == [
        (
            "西昌市|C5134010001|2026-10-08|complaint|1178423695012",
            "complaint",
            "特快",
            None,
            "2026-10-08",
            "",
            "M008",
        ),
        (
            "西昌市|C5134010002|2026-10-12|claim|9812345678901",
            "claim",
            "快包",
            125050,
            "2026-10-12",
            "2026-10-20",
            "",
        ),
        ("西昌市|C5134010001|2026-10-15|inquiry|", "inquiry", "", None, "2026-10-15", "", "M008"),
    ]
    assert [c["source_row"] for c in intake.cases] == [2, 3, 4]
    assert intake.case_rows_read == 3
    assert len(intake.usage_rows) == 3  # the usage sheet is untouched


def test_a_workbook_without_the_sheet_or_with_it_empty_has_no_cases_and_no_warning(tmp_path, reference):
    for name, cases in (("a", None), ("b", [])):
        folder = tmp_path / name
        folder.mkdir()
        intake = read(folder, reference, "2026-10", cases)
        assert intake.cases == [] and intake.case_rows_read == 0
        assert problems(intake) == []


def test_each_rejection_is_reported_at_its_cell_and_the_row_kept_with_its_values(tmp_path, reference):
    cases = [
        [
            "2026-10-08",
            TAX,
            "投诉",
            "特快",
            "投递延误",
            "",
            None,
            "2026-10-05",
            "",
            "陆浩",
        ],  # row 2: closed before
        ["2026-10-09", TAX, "表扬", "特快", "", "", None, None, "", "陆浩"],  # row 3: unknown type
        [
            "2026-10-10",
            SHOP,
            "理赔",
            "快包",
            "破损",
            "98123",
            None,
            None,
            "",
            "陆浩",
        ],  # row 4: claim, no amount
        ["10月某日", TAX, "查询", "", "", "", None, None, "", "陆浩"],  # row 5: unreadable 受理日期
        ["2026-10-11", "C9999999999", "投诉", "", "", "", None, None, "", "陆浩"],  # row 6: unknown customer
        ["2026-10-12", TAX, "查询", "", "", "", None, "下周", "", "陆浩"],  # row 7: unreadable 办结日期
        ["2026-11-02", TAX, "查询", "", "", "", None, None, "", "陆浩"],  # row 8: after the month
        ["2026-10-13", SHOP, "理赔", "快包", "", "", "-5", None, "", "陆浩"],  # row 9: negative amount
        ["", TAX, "投诉", "", "", "", None, None, "", "陆浩"],  # row 10: no 受理日期
        ["2026-10-14", TAX, "投诉", "", "a", "EMS1", None, None, "", "陆浩"],  # rows 11, 12: one case twice
        ["2026-10-14", TAX, "投诉", "", "b", "EMS1", None, None, "", "陆浩"],
        ["2026-10-16", TAX, "投诉", "特快", "", "", None, None, "", "王五"],  # row 13: kept, manager blank
        ["2026-10-17", SHOP, "投诉", "快包", "", "", "50", None, "", "陆浩"],  # row 14: kept, amount not
        ["2026-10-19", SHOP, "查询", "快包", "", "", None, "2026-11-15", "", "陆浩"],  # row 15: kept, open
    ]
    intake = read(tmp_path, reference, "2026-10", cases)
    assert problems(intake) == [
        ("case_closed_before_opened", "H2", "2026-10-05"),
        ("case_type_unknown", "C3", "表扬"),
        ("claim_amount_missing", "G4", ""),
        ("case_date_invalid", "A5", "10月某日"),
        ("case_customer_unknown", "B6", "C9999999999"),
        ("case_date_invalid", "H7", "下周"),
        ("case_date_future", "A8", "2026-11-02"),
        ("amount_negative", "G9", "-5"),
        ("required_missing", "A10", ""),
        ("case_manager_unknown", "J13", "王五"),  # a warning: the customer's manager follows it
        ("case_duplicate", "B11", TAX),
        ("case_duplicate", "B12", TAX),
        ("claim_amount_not_claim", "G14", "50"),  # a warning: a complaint has no 理赔金额
        ("case_closed_future", "H15", "2026-11-15"),  # a warning: the case kept, still open
    ]
    messages = {p.cell: p.message for p in intake.problems}
    assert "记在客户档案中该客户的客户经理名下" in messages["J13"]
    assert messages["G14"].startswith("理赔金额只用于理赔案件,本案类型为投诉,金额未采用")
    assert messages["H2"] == (
        "办结日期早于受理日期(受理 2026-10-08,办结 2026-10-05),本行未采用,请核对两个日期"
    )
    assert "请补填金额" in messages["G4"]
    assert messages["A5"] == "受理日期无法识别,本行未采用,请按 2026-10-08 的格式填写日期"
    assert messages["H7"].startswith("办结日期无法识别")
    assert messages["A8"] == "受理日期 2026-11-02 晚于本月末,本行未采用,请填写已经发生的日期"
    assert messages["H15"].startswith("办结日期 2026-11-15 晚于本月末,本案件按未办结登记")
    assert [c["source_row"] for c in intake.cases] == [13, 14, 15]
    assert intake.cases[2]["closed"] == ""
    assert intake.cases[0]["manager_id"] == ""
    assert intake.cases[1]["claim_amount_fen"] is None
    cases_quarantined = [q for q in intake.quarantine if q["sheet"] == "投诉查询理赔"]
    assert [(q["row"], q["code"]) for q in cases_quarantined] == [
        ("2", "case_closed_before_opened"),
        ("3", "case_type_unknown"),
        ("4", "claim_amount_missing"),
        ("5", "case_date_invalid"),
        ("6", "case_customer_unknown"),
        ("7", "case_date_invalid"),
        ("8", "case_date_future"),
        ("9", "amount_negative"),
        ("10", "required_missing"),
        ("11", "case_duplicate"),
        ("12", "case_duplicate"),
    ]
    assert cases_quarantined[1]["values"].startswith("2026-10-09 | C5134010001 | 表扬")
    # every row read is used or kept (the county asset's blocking check)
    assert intake.rows_read + intake.case_rows_read == (
        len(intake.usage_rows) + len(intake.cases) + intake.rows_quarantined
    )


def test_a_customer_known_only_from_this_file_is_not_unknown(tmp_path, reference):
    county_workbook(
        tmp_path / "西昌市.xlsx",
        cases=[["2026-10-08", SHOP, "投诉", "", "", "", None, None, "", "陆浩"]],
    )
    files, _ = county_files(tmp_path, reference)
    intake = ingest_county("xichang", "2026-10", files["xichang"], reference, {})  # no archive yet
    assert problems(intake) == []  # C5134010002 has usage rows in the same file
    assert len(intake.cases) == 1


def test_the_template_is_read_back_unchanged(tmp_path, reference):
    wb = template_workbook(reference, "2026-10", "西昌市")
    lists = [dv.formula1 for dv in wb["投诉查询理赔"].data_validations.dataValidation]
    assert '"投诉,查询,理赔"' in lists and any("特快" in f for f in lists)
    wb["用邮情况"]["E2"] = "填报日期:2026年11月2日"
    for row in ROWS:
        wb["用邮情况"].append(row)
    written = [
        [
            "2026-10-08",
            TAX,
            "投诉",
            "特快",
            "投递延误",
            "1178423695012",
            None,
            "2026-10-09",
            "已致歉",
            "陆浩",
        ],
        ["2026-10-12", SHOP, "理赔", "快包", "包裹破损", "9812345678901", 80, "", "", "陆浩"],
    ]
    for row in written:
        wb["投诉查询理赔"].append(row)
    wb.save(tmp_path / "西昌市.xlsx")
    files, _ = county_files(tmp_path, reference)
    intake = ingest_county("xichang", "2026-10", files["xichang"], reference, KNOWN)
    assert problems(intake) == []
    back = [
        [
            c["opened"],
            c["customer_id"],
            {"complaint": "投诉", "claim": "理赔"}[c["type"]],
            c["business_type"],
            c["content"],
            c["mail_no"],
            None if c["claim_amount_fen"] is None else c["claim_amount_fen"] / 100,
            c["closed"],
            c["result"],
            "陆浩" if c["manager_id"] == "M008" else c["manager_id"],
        ]
        for c in intake.cases
    ]
    assert back == [[*r[:7], r[7] or "", r[8] or "", r[9]] for r in written]
    assert len(intake.usage_rows) == len(ROWS)


# -- the register across months ----------------------------------------------------------


def month_of(tmp_path: Path, reference, month: str, cases: list[list]) -> pd.DataFrame:
    folder = tmp_path / month
    folder.mkdir()
    return combine([read(folder, reference, month, cases)]).cases


COMPLAINT = ["2026-09-25", TAX, "投诉", "特快", "投递延误", "1178423695012"]
INQUIRY = ["2026-09-29", SHOP, "查询", "快包", "查询寄达", ""]
CLAIM = ["2026-10-02", SHOP, "理赔", "快包", "包裹破损", "9812345678901"]


@pytest.fixture()
def registers(tmp_path, reference) -> dict[str, pd.DataFrame]:
    """September: a complaint and an inquiry received. October: the inquiry closed (given again
    with its 办结日期), a claim received and closed; the complaint not mentioned. November: the
    complaint closed."""
    rules = reference.rules
    updates = {
        "2026-09": [[*COMPLAINT, None, None, "", "陆浩"], [*INQUIRY, None, None, "", "陆浩"]],
        "2026-10": [
            [*INQUIRY, None, "2026-10-01", "已查复", "陆浩"],
            [*CLAIM, "350.50", "2026-10-20", "已赔付", ""],
        ],
        "2026-11": [[*COMPLAINT, None, "2026-11-03", "已致歉并改派", "陆浩"]],
    }
    archive = pd.DataFrame({"customer_id": [TAX, SHOP], "manager_id": ["M008", "M008"]})
    out, previous = {}, None
    for month, rows in updates.items():
        previous = case_register(previous, month_of(tmp_path, reference, month, rows), month, rules, archive)
        out[month] = previous
    return out


def by_type(register: pd.DataFrame) -> dict[str, dict]:
    return {r["type"]: r for r in register.to_dict("records")}


def test_a_case_stays_open_across_months_until_a_later_workbook_closes_it(registers):
    september = by_type(registers["2026-09"])
    # received 25 September, measured at 30 September: 5 days, within the complaint limit of 7
    assert september["complaint"]["status"] == "open"
    assert september["complaint"]["age_days"] == 5
    assert pd.isna(september["complaint"]["days_to_close"])
    assert september["inquiry"]["age_days"] == 1 and september["inquiry"]["status"] == "open"

    october = by_type(registers["2026-10"])
    # not in October's workbook, still open: 25 September → 31 October is 36 days, past 7
    assert october["complaint"]["status"] == "overdue"
    assert october["complaint"]["age_days"] == 36
    assert october["complaint"]["first_month"] == "2026-09"
    assert october["complaint"]["changed_month"] == "2026-09"
    # the inquiry closed on 1 October: 2 days, within the limit of 3
    assert october["inquiry"]["status"] == "closed"
    assert october["inquiry"]["days_to_close"] == 2
    assert october["inquiry"]["closed"] == "2026-10-01"
    assert october["inquiry"]["result"] == "已查复"
    assert october["inquiry"]["first_month"] == "2026-09"
    assert october["inquiry"]["changed_month"] == "2026-10"
    # a claim of 350.50 元 closed in 18 days, its manager taken from the archive
    assert october["claim"]["claim_amount_fen"] == 35050
    assert october["claim"]["days_to_close"] == 18
    assert october["claim"]["manager_id"] == "M008"

    november = by_type(registers["2026-11"])
    # closed on 3 November: 5 + 31 + 3 = 39 days, past the limit: closed late
    assert november["complaint"]["status"] == "closed_late"
    assert november["complaint"]["days_to_close"] == 39
    assert november["complaint"]["age_days"] == 39
    assert november["complaint"]["closed"] == "2026-11-03"
    assert november["complaint"]["content"] == "投递延误"  # a blank cell keeps the earlier value
    assert len(registers["2026-11"]) == 3


def test_the_summaries_per_county_and_manager(registers):
    october = case_summary(registers["2026-10"], "2026-10", "county").to_dict("records")
    assert october == [
        {
            "county": "西昌市",
            "opened": 1,
            "closed": 2,
            "open": 1,
            "overdue": 1,
            "closed_late": 0,
            "mean_days_to_close": 10.0,  # (2 + 18) / 2
            "claim_amount_fen": 35050,
            "open_claim_amount_fen": 0,
        }
    ]
    november = case_summary(registers["2026-11"], "2026-11", "manager_id").to_dict("records")
    assert november == [
        {
            "manager_id": "M008",
            "opened": 0,
            "closed": 1,
            "open": 0,
            "overdue": 0,
            "closed_late": 1,
            "mean_days_to_close": 39.0,
            "claim_amount_fen": 0,
            "open_claim_amount_fen": 0,
        }
    ]


def test_a_closure_reported_a_month_late_counts_once_in_the_month_that_reports_it(tmp_path, reference):
    """Received 25 September, closed 28 September, but September's workbook said nothing more and
    October's gives the 办结日期: one of October's closures (3 days to close), not of no month's.
    November's workbook repeats the row (a copied sheet): not counted again."""
    rules = reference.rules
    closing = [*COMPLAINT, None, "2026-09-28", "已致歉", "陆浩"]
    september = case_register(
        None,
        month_of(tmp_path, reference, "2026-09", [[*COMPLAINT, None, None, "", "陆浩"]]),
        "2026-09",
        rules,
    )
    october = case_register(september, month_of(tmp_path, reference, "2026-10", [closing]), "2026-10", rules)
    (case,) = october.to_dict("records")
    assert (case["status"], case["days_to_close"], case["closed_month"]) == ("closed", 3, "2026-10")
    summary = case_summary(october, "2026-10", "county").iloc[0]
    assert (summary.closed, summary.mean_days_to_close) == (1, 3.0)
    november = case_register(october, month_of(tmp_path, reference, "2026-11", [closing]), "2026-11", rules)
    assert november.closed_month.tolist() == ["2026-10"]
    assert case_summary(november, "2026-11", "county").empty  # nothing received, closed or open
    # a register kept before `closed_month` existed: each closure in its 办结日期's month
    older = case_register(
        october.drop(columns="closed_month"), month_of(tmp_path, reference, "2026-12", []), "2026-12", rules
    )
    assert older.closed_month.tolist() == ["2026-09"]
    # and a summary of such a register (a bulletin re-run on stored tables) counts by the date
    assert case_summary(october.drop(columns="closed_month"), "2026-09", "county").closed.tolist() == [1]


def test_cases_csv_keeps_the_contract(registers, tmp_path):
    path = write_table(registers["2026-10"], tmp_path / "tables", CASES)
    assert check_csv(CASES, path) == []
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("case_id,county,customer_id,type,business_type,content,mail_no,claim_amount,")
    claim = next(line for line in lines if "|claim|" in line)
    assert ",350.50,2026-10-02,2026-10-20," in claim
    complaint = next(line for line in lines if "|complaint|" in line)
    assert ",,2026-09-25,,,M008,overdue,7,36,,2026-09,2026-09," in complaint


def test_an_overdue_complaint_of_a_key_account_raises_its_own_alert(registers, tmp_path):
    tiers = pd.DataFrame(
        {
            "customer_id": [TAX, SHOP],
            "county": ["西昌市", "西昌市"],
            "tier": ["prefecture", "ordinary"],
            "manager_id": ["M008", "M008"],
        }
    )
    accepted = {"西昌市"}
    assert complaint_alerts(registers["2026-09"], tiers, accepted).empty  # 5 days: within the limit
    raised = complaint_alerts(registers["2026-10"], tiers, accepted)
    assert raised[["customer_id", "kind", "tier", "manager_id"]].to_dict("records") == [
        {"customer_id": TAX, "kind": "complaint", "tier": "prefecture", "manager_id": "M008"}
    ]
    assert raised.basis.iloc[0] == "投诉超过时限未办结 1 件，最久 36 天(时限 7 天)"
    assert complaint_alerts(registers["2026-10"], tiers, set()).empty  # county not accepted
    assert complaint_alerts(registers["2026-11"], tiers, accepted).empty  # closed

    loss = pd.DataFrame(
        {
            "customer_id": [TAX],
            "county": ["西昌市"],
            "manager_id": ["M008"],
            "kind": ["loss"],
            "this_month_fen": [0],
            "reference_fen": [120000],
            "basis": ["前3个月均值"],
            "tier": ["prefecture"],
            "ratio": [0.0],
        }
    )
    both = with_complaints(loss, raised)
    path = write_table(both, tmp_path, ALERTS)
    assert check_csv(ALERTS, path) == []  # one key account, two kinds: the key holds
    assert path.read_text(encoding="utf-8").splitlines()[1:] == [
        "C5134010001,西昌市,M008,loss,0.00,1200.00,0.0,前3个月均值,prefecture",
        "C5134010001,西昌市,M008,complaint,,,,投诉超过时限未办结 1 件，最久 36 天(时限 7 天),prefecture",
    ]


def test_a_case_keeps_the_limits_in_force_when_it_was_received(registers, reference):
    book = RuleBook(
        [
            *reference.rules.periods,
            {"from": "2026-10", "title": "投诉时限缩短", "cases": {"limit_days": {"投诉": 5}}},
        ]
    )
    assert limit_days(book, "2026-09-25", "complaint") == 7
    assert limit_days(book, "2026-10-02", "complaint") == 5
    assert limit_days(book, "2026-10-02", "claim") == 30  # a later period lists only what changes
    assert limit_days(book, "2024-12-30", "inquiry") == 3  # before the rules file: its first period


def edited(folder: Path, reference, cases: list[list], edit) -> object:
    """The cases sheet of a county workbook passed through `edit` (an openpyxl worksheet) and read."""
    from openpyxl import load_workbook

    path = county_workbook(folder / "西昌市.xlsx", cases=cases, report_date="2026年11月2日")
    wb = load_workbook(path)
    edit(wb["投诉查询理赔"])
    wb.save(path)
    files, _ = county_files(folder, reference)
    return ingest_county("xichang", "2026-10", files["xichang"], reference, KNOWN)


def test_a_cases_sheet_without_its_type_column_says_the_column_is_missing(tmp_path, reference):
    cases = [["2026-10-08", TAX, "投诉", "特快", "投递延误", "", None, None, "", "陆浩"]]
    intake = edited(tmp_path, reference, cases, lambda ws: ws.delete_cols(3))
    assert [(p.code, p.sheet, p.cell, p.value) for p in intake.problems] == [
        ("optional_column_missing", "投诉查询理赔", "A1", "类型")
    ]
    assert intake.problems[0].message == (
        "“投诉查询理赔”工作表的表头中找不到“类型”列,本表本月未读取(共 1 行),"
        "请按中心下发的模板改正表头后重新报送"
    )
    assert intake.status == "on_time" and intake.cases == [] and intake.case_rows_read == 1
    assert intake.rows_accounted()  # the row is read, and traced as not used


def test_a_claim_amount_in_an_unknown_unit_is_rejected_at_its_cell(tmp_path, reference):
    cases = [
        ["2026-10-08", TAX, "投诉", "特快", "投递延误", "", None, None, "", "陆浩"],
        ["2026-10-12", SHOP, "理赔", "快包", "包裹破损", "98123", 100, None, "", "陆浩"],
    ]

    def in_dollars(ws) -> None:
        ws["G1"] = "理赔金额(美元)"

    intake = edited(tmp_path, reference, cases, in_dollars)
    assert problems(intake) == [("amount_unit_unknown", "G3", "100")]
    assert intake.problems[0].message == (
        "金额单位“美元”无法识别(应为元、千元或万元),本行未采用,请改正表头后重新报送"
    )
    assert [c["type"] for c in intake.cases] == ["complaint"]
    assert [(q["row"], q["code"]) for q in intake.quarantine] == [("3", "amount_unit_unknown")]


def test_a_claim_amount_negative_or_too_large_names_the_claim_amount(tmp_path, reference):
    cases = [
        ["2026-10-12", SHOP, "理赔", "快包", "破损", "1", "-5", None, "", "陆浩"],
        ["2026-10-13", SHOP, "理赔", "快包", "破损", "2", 513401199001011234, None, "", "陆浩"],
    ]
    intake = read(tmp_path, reference, "2026-10", cases)
    assert [(p.code, p.cell, p.message) for p in intake.problems] == [
        ("amount_negative", "G2", "理赔金额为负数,请按实际填写(不能小于 0)"),
        (
            "amount_too_large",
            "G3",
            "理赔金额超出合理范围(每格不超过 1,000,000,000 元),"
            "疑为误填的编号或号码,本行未采用,请核对后填写实际数值",
        ),
    ]
    assert intake.cases == [] and len(intake.quarantine) == 2


def test_an_update_that_matches_no_earlier_case_is_rejected_at_its_date_not_taken_for_a_new_case(
    tmp_path, reference
):
    """October gives September's complaint with a typo in its 邮件号码 and a 办结日期: taken for a
    new case, the real one would stay overdue for ever. A September case first listed in
    October is rejected too: it belongs in September's workbook."""
    from pipeline.analytics.cases import case_problems, unmatched_rows
    from pipeline.core.contract import REJECTED_ROWS

    rules = reference.rules
    september = case_register(
        None,
        month_of(tmp_path, reference, "2026-09", [[*COMPLAINT, None, None, "", "陆浩"]]),
        "2026-09",
        rules,
    )
    typo = [*COMPLAINT[:5], "1178423695019"]
    october = month_of(
        tmp_path,
        reference,
        "2026-10",
        [
            [*typo, None, "2026-10-03", "已致歉", "陆浩"],
            [*INQUIRY, None, None, "", "陆浩"],
            [*CLAIM, "80", "", "", ""],
        ],
    )
    register = case_register(september, october, "2026-10", rules)
    assert list(register.type) == ["complaint", "claim"]  # September's complaint, October's claim
    assert register.set_index("type").status["complaint"] == "overdue"  # still waiting, not closed
    problems = case_problems(september, october, "2026-10")
    found = [(p.code, p.sheet, p.cell, p.value) for p in problems]
    assert found == [
        ("case_unmatched", "投诉查询理赔", "A2", "2026-09-25"),
        ("case_unmatched", "投诉查询理赔", "A3", "2026-09-29"),
    ]
    # the county is shown the case it most likely meant (as reported, with its 邮件号码), or none
    mail_no = september.mail_no.iloc[0]
    assert problems[0].message.endswith(
        f"该客户此前最相近的案件为:受理日期 2026-09-25、投诉、邮件号码 {mail_no}(未办结)"
    )
    assert problems[1].message.endswith("该客户此前没有报送过案件")
    # kept as read, beside the intake's quarantine: no row vanishes
    kept = unmatched_rows(september, october, "2026-10")
    assert list(kept.columns) == REJECTED_ROWS.names
    assert [(r.row, r.code) for r in kept.itertuples()] == [(2, "case_unmatched"), (3, "case_unmatched")]
    assert list(kept["values"]) == [
        f"2026-09-25 | {TAX} | 投诉 | 特快 | 投递延误 | 1178423695019 |  | 2026-10-03 | 已致歉 | M008",
        f"2026-09-29 | {SHOP} | 查询 | 快包 | 查询寄达 |  |  |  |  | M008",
    ]
    # 西昌市's September workbook was not accepted: its September cases could not be reported
    # then, and are taken now (the inquiry and the complaint, under the key October gives)
    refused = {"2026-09": {"西昌市"}}
    assert case_problems(september, october, "2026-10", refused) == []
    assert unmatched_rows(september, october, "2026-10", refused).empty
    late = case_register(september, october, "2026-10", rules, unaccepted=refused)
    assert sorted(late.type) == ["claim", "complaint", "complaint", "inquiry"]
    assert case_problems(september, october, "2026-10", {"2026-09": {"会理市"}}) != []  # another county's
    # the first month the data holds: earlier cases are listed for the first time, not rejected,
    # also after the empty months `kac run` builds before it
    assert case_problems(None, october, "2026-10") == []
    empty = case_register(None, october.iloc[0:0], "2026-09", rules)
    assert (
        case_problems(empty, october, "2026-10") == []
        and len(case_register(empty, october, "2026-10", rules)) == 3
    )


def test_the_rows_not_used_are_the_unmatched_case_rows_beside_the_intake_s_quarantine(tmp_path):
    """What the problems page and `kac run`'s county lines count as rows not used."""
    from pipeline.core.contract import REJECTED_ROWS
    from pipeline.core.layout import Layout
    from pipeline.core.tables import rows_not_used, write_table

    def _rejected_rows(layout: Layout, month: str) -> pd.DataFrame:
        return rows_not_used(layout.tables(month))

    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    row = {"county": "西昌市", "file": "西昌.xlsx", "sheet": "用邮明细", "row": 5, "values": "x"}
    write_table(pd.DataFrame([{**row, "code": "duplicate_row"}]), layout.tables("2026-10"), "rejected_rows")
    assert list(_rejected_rows(layout, "2026-10").code) == ["duplicate_row"]  # no case table: older months
    cases = pd.DataFrame(
        [{**row, "sheet": "投诉查询理赔", "code": "case_unmatched"}], columns=REJECTED_ROWS.names
    )
    write_table(cases, layout.tables("2026-10"), "case_rejected_rows", REJECTED_ROWS.names)
    assert list(_rejected_rows(layout, "2026-10").code) == ["duplicate_row", "case_unmatched"]


def test_the_bulletin_names_an_overdue_case_s_manager_when_the_roster_keeps_history(registers, reference):
    """A roster with history rows (a manager who moved, a name corrected) has an id more than
    once: the bulletin's overdue list still names the manager, by the latest row."""
    import dataclasses

    from pipeline.publish.bulletin import case_section

    m008 = reference.managers[reference.managers.manager_id == "M008"]
    history = pd.concat(
        [
            reference.managers.assign(effective_from=""),
            m008.assign(county="huidong", name="陆浩然", effective_from="2026-10"),
        ]
    )
    ref = dataclasses.replace(reference, managers=history)
    section = case_section(registers["2026-10"], "2026-10", pd.Series(KNOWN), ref)
    assert [(r["customer_id"], r["manager"]) for r in section["overdue_rows"]] == [(TAX, "陆浩然")]
    assert (
        ref.manager_names["M008"] == "陆浩然" and ref.manager_names["M003"] == reference.manager_names["M003"]
    )


def test_a_month_without_any_case_row_carries_the_register_forward(registers, reference):
    """December: no county sends a case row (the usual month). The register goes on as it was,
    measured at December's end; nothing fails."""
    december = combine([]).cases
    register = case_register(registers["2026-11"], december, "2026-12", reference.rules)
    assert len(register) == 3 and set(register.status) == {"closed", "closed_late"}


def test_a_claim_is_closed_later_without_typing_its_amount_again(tmp_path, reference):
    """A claim received in October with its amount is closed in November with 理赔金额 left blank:
    the row is read (a blank keeps the earlier value), the claim closed with its amount; a claim
    received in November still needs one."""
    rules = reference.rules
    october = case_register(
        None, month_of(tmp_path, reference, "2026-10", [[*CLAIM, "350.50", "", "", ""]]), "2026-10", rules
    )
    folder = tmp_path / "2026-11"
    folder.mkdir()
    new_claim = ["2026-11-05", TAX, "理赔", "特快", "破损", "1100000000001", None, "", "", ""]
    intake = read(folder, reference, "2026-11", [[*CLAIM, None, "2026-11-10", "已赔付", ""], new_claim])
    assert problems(intake) == [("claim_amount_missing", "G3", "")]  # only the new one
    register = case_register(october, combine([intake]).cases, "2026-11", rules)
    (claim,) = register.to_dict("records")
    assert (claim["status"], claim["closed"], claim["claim_amount_fen"]) == (
        "closed_late",
        "2026-11-10",
        35050,
    )


def test_a_mail_number_typed_differently_still_finds_its_case(tmp_path, reference):
    """Received as 9812345678901 … closed as "EA123456789CN" typed "ea 123456789 cn" and in full
    width: one case, closed."""
    rules = reference.rules
    received = ["2026-10-02", SHOP, "投诉", "快包", "延误", "EA123456789CN"]
    october = case_register(
        None, month_of(tmp_path, reference, "2026-10", [[*received, None, "", "", ""]]), "2026-10", rules
    )
    for typed in ("ea 123456789 cn", "ＥＡ１２３４５６７８９ＣＮ"):
        closing = [*received[:5], typed, None, "2026-11-03", "已致歉", ""]
        folder = tmp_path / f"2026-11-{len(typed)}"
        folder.mkdir()
        updates = combine([read(folder, reference, "2026-11", [closing])]).cases
        register = case_register(october, updates, "2026-11", rules)
        assert len(register) == 1 and register.status[0] in ("closed", "closed_late"), typed
