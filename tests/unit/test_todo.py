"""The managers' to-do lists (工作清单) on real workbooks: the holiday calendar read and checked,
key persons' birthdays (month and day only) and visit plans (计划日期) read at their cells, a
greeting due on 火把节 in the month the calendar says, a planned visit that was missed and earns
no contact points, survey follow-ups still waiting, and the lists written and read back (xlsx
with openpyxl, PDF with pdftotext). Figures counted by hand."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from pipeline.analytics.todo import (
    birthday_register,
    greetings_due,
    missed_plans,
    planned_by_manager,
)
from pipeline.analytics.visits import visit_coverage, visits_in_month
from pipeline.core.contract import TODO_ITEMS, check_csv
from pipeline.core.layout import REPO
from pipeline.core.problems import CODES, to_frame
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.holidays import read_calendar
from pipeline.ingest.month import combine
from pipeline.publish.todo import SECTIONS, month_todo_items, write_todo_lists
from pipeline.surveys.followup import followup_status
from tests.workbooks import archive_row as workbook_archive_row
from tests.workbooks import county_workbook

TAX, SHOP = "C5134010001", "C5134010002"
KNOWN = {TAX: "西昌市税务局", SHOP: "凉山州安宁商贸有限公司"}


def archive_row(customer: str, name: str, contact: str, birthday: object) -> list:
    return workbook_archive_row(
        客户编号=customer,
        企业全称=name,
        通信地址="西昌市航天大道",
        联系人=contact,
        联系电话="13512349335",
        企业性质="国有企业",
        更新日期="2026-07-05",
        关键联系人生日=birthday,
    )


def read(folder: Path, reference, month: str, archive=None, visits=None):
    report = f"{month[:4]}年{int(month[5:]) + 1}月2日"
    county_workbook(folder / "西昌市.xlsx", month=month, archive=archive, visits=visits, report_date=report)
    files, _ = county_files(folder, reference)
    return ingest_county("xichang", month, files["xichang"], reference, KNOWN)


def tiers_of(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "county", "tier", "manager_id"])


# -- the calendar ----------------------------------------------------------------------


def test_the_committed_calendar_reads_without_a_problem_and_has_liangshans_days():
    calendar = read_calendar(REPO / "inputs" / "reference")
    assert calendar.problems == []
    assert len(calendar.holidays) == 21  # 7 days × 2025, 2026, 2027
    torch = calendar.holidays[calendar.holidays.name == "火把节"]
    # 农历六月二十四, converted with three lunar libraries (lunardate, zhdate, LunarCalendar)
    assert list(torch.date) == ["2025-07-18", "2026-08-06", "2027-07-27"]
    assert list(calendar.holidays[calendar.holidays.date.str.startswith("2026-02")].name) == ["春节"]
    assert list(calendar.holidays[calendar.holidays.name == "彝族年"].date) == [
        "2025-11-20",
        "2026-11-20",
        "2027-11-20",
    ]


def test_bad_calendar_rows_are_problems_at_their_cells_and_the_rest_is_used(tmp_path):
    (tmp_path / "holidays.csv").write_text(
        "年份,日期,节日,说明\n"
        "2026,2026-08-06,火把节,农历六月二十四\n"
        "2026,2026-02-30,春节,\n"  # no such day
        "2025,2026-10-01,国庆,\n"  # the year says 2025
        "2026,2026-09-25,,\n"  # no name
        "2026,2026年8月6日,火把节,\n",  # the same holiday twice in a year
        encoding="utf-8",
    )
    calendar = read_calendar(tmp_path)
    assert list(calendar.holidays.date) == ["2026-08-06"]
    assert [(p.code, p.file, p.cell, p.value) for p in calendar.problems] == [
        ("holiday_invalid", "holidays.csv", "B3", "2026-02-30"),
        ("holiday_invalid", "holidays.csv", "A4", "2025"),
        ("holiday_invalid", "holidays.csv", "C5", ""),
        ("holiday_invalid", "holidays.csv", "C6", "火把节"),
    ]
    assert "年份与日期 2026-10-01 不一致" in calendar.problems[1].message
    assert "第2行已有" in calendar.problems[3].message


def test_a_missing_calendar_or_column_is_one_problem(tmp_path):
    (missing,) = read_calendar(tmp_path).problems
    assert missing.code == "holiday_calendar_missing" and missing.severity == "warning"
    (tmp_path / "holidays.csv").write_text("年份,节日\n2026,国庆\n", encoding="utf-8")
    (no_date,) = read_calendar(tmp_path).problems
    assert (no_date.code, no_date.cell) == ("holiday_invalid", "A1") and "缺少列 日期" in no_date.message


# -- birthdays and plans in the county workbook -------------------------------------------


def test_birthdays_are_read_as_month_and_day_a_year_dropped_and_a_bad_one_warned(tmp_path, reference):
    archive = [
        archive_row(TAX, "西昌市税务局", "吉克阿依", "3月15日"),
        archive_row(SHOP, "凉山州安宁商贸有限公司", "王芳", "1980-08-06"),
        archive_row("C5134010003", "西昌市第一中学", "李强", "2月30日"),
        archive_row("C5134010004", "西昌市人民医院", "张敏", None),
    ]
    intake = read(tmp_path, reference, "2026-07", archive=archive)
    assert [r["birthday"] for r in intake.archive] == ["03-15", "08-06", "", ""]
    found = [(p.code, p.severity, p.cell, p.value) for p in intake.problems]
    assert found == [
        ("birthday_year_ignored", "warning", "P3", "(不公开)"),  # the value is never repeated
        ("birthday_invalid", "warning", "P4", "(不公开)"),
    ]
    month = combine([intake])
    assert "birthday" not in month.archive.columns[:-1] and month.archive.birthday.tolist()[0] == "03-15"
    register = birthday_register(None, month.archive, "2026-07")
    assert register.values.tolist() == [
        [TAX, "吉克阿依", "03-15", "2026-07"],
        [SHOP, "王芳", "08-06", "2026-07"],
    ]
    # a later record without a birthday keeps the one given; a new one replaces it
    later = month.archive.assign(birthday=["", "08-07", "", ""])
    assert birthday_register(register, later, "2026-08").birthday.tolist() == ["03-15", "08-07"]


def test_no_birthday_problem_repeats_the_date(tmp_path, reference):
    """Problems are published (the site's problems page, problems.csv): a birthday with a year
    is named by its cell and what to do, never by its month and day."""
    archive = [
        archive_row(TAX, "西昌市税务局", "吉克阿依", "1980年7月4日"),
        archive_row(SHOP, "凉山州安宁商贸有限公司", "王芳", "1975-11-23"),
        archive_row("C5134010003", "西昌市第一中学", "李强", "1990年2月30日"),
    ]
    intake = read(tmp_path, reference, "2026-07", archive=archive)
    assert [r["birthday"] for r in intake.archive] == ["07-04", "11-23", ""]  # still read
    assert [(p.code, p.sheet, p.cell, p.value) for p in intake.problems] == [
        ("birthday_year_ignored", "客户档案", "P2", "(不公开)"),
        ("birthday_year_ignored", "客户档案", "P3", "(不公开)"),
        ("birthday_invalid", "客户档案", "P4", "(不公开)"),
    ]
    assert intake.problems[0].message == (
        "关键联系人生日只需填月日,所填(或被 Excel 自动转成日期后带上的)年份已忽略,月日照常采用;"
        "请把该列设为文本格式,按 03-15 或 3月15日 填写"
    )
    published = to_frame(intake.problems).to_csv(index=False)
    for shown in ("07-04", "7月4", "7-4", "11-23", "11月23", "1980", "1975", "1990", "02-30", "2月30"):
        assert shown not in published, shown
    for code in ("birthday_year_ignored", "birthday_invalid"):
        assert "{" not in CODES[code][1]  # nothing of the cell can be put into the message


def test_a_planned_visit_not_made_is_listed_and_earns_no_contact(tmp_path, reference):
    visits = [
        # 走访日期, 客户编号, 客户经理, 方式, 内容, 客户意见, 计划日期
        ["2026-07-10", TAX, "陆浩", "上门", "季度回访", "", "2026-07-08"],  # planned and made
        [None, SHOP, "陆浩", None, None, None, "2026-07-20"],  # planned, not made: no warning
        [None, "C5134010003", "陆浩", "电话", "", "", None],  # no date, no plan: warned as before
        # planned next month: not checked in July, and no later month sees it: warned at the cell
        [None, "C5134010004", "陆浩", None, None, None, "2026-08-03"],
        ["2026-07-12", TAX, "陆浩", "上门", "", "", "2026-06-28"],  # a June plan carried out: no warning
    ]
    intake = read(tmp_path, reference, "2026-07", visits=visits)
    assert [(p.code, p.cell) for p in intake.problems] == [
        ("visit_customer_unknown", "B4"),  # …0003 and …0004 are on no sheet of this workbook
        ("visit_date_missing", "A4"),
        ("visit_customer_unknown", "B5"),
        ("visit_plan_outside", "G5"),
    ]
    assert "在该月报表中填写" in intake.problems[-1].message and intake.problems[-1].value == "2026-08-03"
    month = combine([intake])
    assert month.visits.planned.tolist() == ["2026-07-08", "2026-07-20", "", "2026-08-03", "2026-06-28"]
    missed = missed_plans(month.visits, "2026-07")
    assert missed[["manager_id", "customer_id", "planned", "source_row"]].values.tolist() == [
        ["M008", SHOP, "2026-07-20", 3]
    ]
    assert planned_by_manager(month.visits, "2026-07").values.tolist() == [["M008", 2, 1, 1]]
    tiers = tiers_of([TAX, "西昌市", "prefecture", "M008"], [SHOP, "西昌市", "county", "M008"])
    coverage, _ = visit_coverage(tiers, visits_in_month(month.visits, "2026-07"))
    assert coverage.values.tolist() == [["M008", 2, 1, 0.5]]  # the missed visit earns nothing


# -- greetings ---------------------------------------------------------------------------


def two_birthdays(tmp_path, reference, month: str, tax: str, shop: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The birthdays register and archive of a workbook giving 吉克阿依 (税务局) and 王芳 (商贸)
    the birthdays `tax` and `shop`, as typed."""
    archive = [
        archive_row(TAX, "西昌市税务局", "吉克阿依", tax),
        archive_row(SHOP, "凉山州安宁商贸有限公司", "王芳", shop),
    ]
    intake = combine([read(tmp_path, reference, month, archive=archive)])
    return birthday_register(None, intake.archive, month), intake.archive.assign(contact=["吉克阿依", "王芳"])


def test_a_greeting_is_due_on_the_torch_festival_in_the_month_before_it(tmp_path, reference):
    calendar = read_calendar(REPO / "inputs" / "reference")
    birthdays, archive_frame = two_birthdays(tmp_path, reference, "2026-07", "08-21", "7月18日")
    tiers = tiers_of(
        [TAX, "西昌市", "prefecture", "M008"],
        [SHOP, "西昌市", "county", "M008"],
        ["C5134010003", "西昌市", "prefecture", "M009"],
        ["C5134010004", "西昌市", "ordinary", "M009"],
    )
    # in July 2026 the list gives August's greetings: 火把节 on 2026-08-06 (农历六月二十四)
    due = greetings_due("2026-07", tiers, calendar.holidays, birthdays, archive_frame)
    assert due[["manager_id", "date", "occasion", "customer_id", "contact", "accounts"]].values.tolist() == [
        ["M008", "2026-08-06", "火把节", "", "", 2],
        ["M008", "2026-08-21", "关键联系人生日", TAX, "吉克阿依", 1],
        ["M009", "2026-08-06", "火把节", "", "", 1],
    ]
    # in June 2025 it is July's: 火把节 fell on 2025-07-18, with 王芳's birthday the same day
    due = greetings_due("2025-06", tiers, calendar.holidays, birthdays, archive_frame)
    assert due[["manager_id", "date", "occasion", "customer_id"]].values.tolist() == [
        ["M008", "2025-07-18", "火把节", ""],
        ["M008", "2025-07-18", "关键联系人生日", SHOP],
        ["M009", "2025-07-18", "火把节", ""],
    ]
    # June 2026's list has no 火把节 (July 2026 holds no holiday of the calendar): 王芳's birthday only
    due = greetings_due("2026-06", tiers, calendar.holidays, birthdays, archive_frame)
    assert due[["date", "occasion", "contact"]].values.tolist() == [["2026-07-18", "关键联系人生日", "王芳"]]


def test_greetings_of_the_first_days_after_next_month_come_a_list_early(tmp_path, reference):
    """November's list is made on 4 December: 元旦 (1 January) and a birthday on 2 January would be
    past before January's list arrives. With the rules' 10 early days November's list gives
    December and 1–10 January, across the year; 11 January waits for December's list."""
    calendar = read_calendar(REPO / "inputs" / "reference")
    birthdays, archive_frame = two_birthdays(tmp_path, reference, "2026-11", "01-02", "01-11")
    tiers = tiers_of([TAX, "西昌市", "prefecture", "M008"], [SHOP, "西昌市", "county", "M008"])
    early = int(reference.rules.for_month("2026-11").get("greetings.early_days"))
    due = greetings_due("2026-11", tiers, calendar.holidays, birthdays, archive_frame, early)
    assert early == 10 and due[["date", "occasion", "contact"]].values.tolist() == [
        ["2027-01-01", "元旦", ""],
        ["2027-01-02", "关键联系人生日", "吉克阿依"],
    ]
    due = greetings_due("2026-12", tiers, calendar.holidays, birthdays, archive_frame, early)
    assert ["2027-01-11", "关键联系人生日", "王芳"] in due[["date", "occasion", "contact"]].values.tolist()


# -- survey follow-ups -------------------------------------------------------------------


def test_survey_follow_ups_wait_until_a_visit_or_a_case_and_go_overdue_after_the_period():
    followups = pd.DataFrame(
        {
            "wave": "2026-H1",
            "customer_id": [TAX, SHOP, "C5134010003", "C5134010004"],
            "customer_name": ["西昌市税务局", "凉山州安宁商贸有限公司", "西昌市第一中学", "西昌市人民医院"],
            "county": "西昌市",
            "manager_id": "M008",
            "low_dimensions": "投递质量 2",
            "surveyed": ["2026-06-15", "2026-06-15", "2026-06-20", "2026-06-25"],
        }
    )
    visits = pd.DataFrame(
        {
            "customer_id": [TAX, TAX, "C5134010003"],
            "date": ["2026-06-10", "2026-07-02", "2026-07-30"],  # the first is before the survey
        }
    )
    cases = pd.DataFrame({"customer_id": [SHOP], "opened": ["2026-08-02"]})
    july = followup_status(followups, visits, cases, "2026-07", 30)
    assert july[["customer_id", "due", "contacted", "status"]].values.tolist() == [
        [TAX, "2026-07-15", "2026-07-02", "done"],
        [SHOP, "2026-07-15", "", "overdue"],
        ["C5134010003", "2026-07-20", "2026-07-30", "late"],
        ["C5134010004", "2026-07-25", "", "overdue"],
    ]
    june = followup_status(followups, visits, cases, "2026-06", 30)
    assert june.status.tolist() == ["waiting"] * 4
    august = followup_status(followups, visits, cases, "2026-08", 30, pd.Series({SHOP: "M009"}))
    assert august[["customer_id", "manager_id", "status"]].values.tolist()[1] == [SHOP, "M009", "late"]


# -- the list, written and read back ------------------------------------------------------


def test_the_to_do_list_is_written_and_read_back(tmp_path):
    month = "2026-07"
    managers = pd.DataFrame({"manager_id": ["M008", "M009"], "name": ["陆浩", "夏志强"], "county": "西昌市"})
    archive = pd.DataFrame(
        {
            "customer_id": [TAX, SHOP, "C5134010003"],
            "name": ["西昌市税务局", "凉山州安宁商贸有限公司", "=西昌市第一中学"],
            "contact": ["吉克阿依", "王芳", "李强"],
            "manager_id": ["M008", "M008", "M009"],
            "changed_month": ["2026-03", "2026-07", "2026-04"],
            "updated": ["2026-03-02", "2026-07-05", ""],
        }
    )
    tiers = tiers_of(
        [TAX, "西昌市", "prefecture", "M008"],
        [SHOP, "西昌市", "county", "M008"],
        ["C5134010003", "西昌市", "prefecture", "M009"],
    )
    visits = pd.DataFrame(
        {
            "date": ["", "2026-07-09"],
            "planned": ["2026-07-20", "2026-07-09"],
            "customer_id": [SHOP, "C5134010003"],
            "manager_id": ["M008", "M009"],
            "county": "西昌市",
            "source_file": "西昌市.xlsx",
            "source_row": [3, 2],
        }
    )
    alerts = pd.DataFrame({"customer_id": [SHOP], "kind": ["decline"]})
    cases = pd.DataFrame(
        {
            "case_id": ["c1", "c2"],
            "customer_id": [TAX, SHOP],
            "type": ["complaint", "inquiry"],
            "content": ["投递延误", ""],
            "manager_id": ["M008", ""],
            "opened": ["2026-07-20", "2026-06-01"],
            "status": ["overdue", "closed"],
            "age_days": [11, 3],
            "limit_days": [7, 3],
        }
    )
    calendar = read_calendar(REPO / "inputs" / "reference")
    birthdays = pd.DataFrame(
        {"customer_id": [TAX], "contact": ["吉克阿依"], "birthday": ["08-21"], "changed_month": ["2026-07"]}
    )
    followups = pd.DataFrame(
        {
            "wave": ["2026-H1"],
            "customer_id": ["C5134010003"],
            "customer_name": ["西昌市第一中学"],
            "county": ["西昌市"],
            "manager_id": ["M009"],
            "low_dimensions": ["资费价格 1"],
            "surveyed": ["2026-06-25"],
            "due": ["2026-07-25"],
            "contacted": [""],
            "status": ["overdue"],
        }
    )
    items = month_todo_items(
        month, managers, archive, tiers, visits, alerts, cases, calendar.holidays, birthdays, followups, 3
    )
    assert items[["manager_id", "section", "customer_id", "date", "what", "status"]].values.tolist() == [
        ["M008", "not_visited", SHOP, "", "县级大客户", "alerted"],  # alerted first
        ["M008", "not_visited", TAX, "", "州级大客户", ""],
        ["M008", "missed_visit", SHOP, "2026-07-20", "计划走访", "missed"],
        ["M008", "case", TAX, "2026-07-20", "投诉", "overdue"],
        ["M008", "greeting", "", "2026-08-06", "火把节", ""],
        ["M008", "greeting", TAX, "2026-08-21", "关键联系人生日", ""],
        ["M008", "archive", TAX, "2026-03-02", "档案更新", ""],
        ["M009", "greeting", "", "2026-08-06", "火把节", ""],
        ["M009", "archive", "C5134010003", "", "档案更新", ""],
        ["M009", "survey_followup", "C5134010003", "2026-07-25", "回访", "overdue"],
    ]
    folder, restricted = tmp_path / "managers" / month, tmp_path / "restricted" / "todo" / month
    folder.mkdir(parents=True)
    for old in ("todo_items.csv", "todo_items.parquet"):  # where versions before wrote the table
        (folder / old).write_text("birthdays")
    made = write_todo_lists(folder, month, managers, items, [], restricted)
    assert made == {"lists": 2, "written": 2, "unchanged": 0}
    assert check_csv(TODO_ITEMS, restricted / "todo_items.csv") == []  # everyone's birthdays: restricted
    assert not list(folder.glob("todo_items.*"))
    assert sorted(p.name for p in folder.glob("*_工作清单.*")) == [
        "M008_陆浩_工作清单.pdf",
        "M008_陆浩_工作清单.xlsx",
        "M009_夏志强_工作清单.pdf",
        "M009_夏志强_工作清单.xlsx",
    ]
    wb = load_workbook(folder / "M008_陆浩_工作清单.xlsx")
    assert [[c.value for c in row] for row in wb["汇总"].iter_rows()] == [
        ["事项", "条数", "说明"],
        ["本月未走访的大客户", 2, None],  # nothing to say: blank
        ["计划走访未完成", 1, None],
        ["未办结的投诉、查询、理赔", 1, None],
        ["下月及次月初的节日与生日问候", 2, None],
        ["待更新的客户档案", 1, None],
        ["满意度测评待回访客户", 0, None],
    ]
    greetings = [[c.value for c in row] for row in wb["下月及次月初的节日与生日问候"].iter_rows()]
    assert greetings == [
        ["日期", "事由", "客户编号", "客户名称", "对象"],
        ["2026-08-06", "火把节", None, None, "全部大客户(2 户)"],  # blank cells
        ["2026-08-21", "关键联系人生日", TAX, "西昌市税务局", "吉克阿依"],
    ]
    other = load_workbook(folder / "M009_夏志强_工作清单.xlsx")
    cell = other["待更新的客户档案"]["C2"]
    assert cell.value == "=西昌市第一中学" and cell.data_type == "s"  # text, never a formula
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / "M008_陆浩_工作清单.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in (
        "客户经理工作清单",
        "陆浩(M008)",
        "2026年7月",
        "火把节",
        "2026-08-21",
        "吉克阿依",
        "超时未办结",
    ):
        assert expected in text, expected
    assert "凉山州安宁商贸有限公司" in text and "下降预警" in text
    assert "节日日历中没有" not in text
    # a second run with the same content draws nothing again
    assert write_todo_lists(folder, month, managers, items, [], restricted)["written"] == 0
    # a calendar without the year the greetings reach: the list names that year
    write_todo_lists(tmp_path / "lacking", month, managers, items, [2027], tmp_path / "lacking-items")
    lacking = subprocess.run(
        ["pdftotext", str(tmp_path / "lacking" / "M008_陆浩_工作清单.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "节日日历中没有2027年的节日" in "".join(lacking.split())
    # and the workbook says it on its 汇总 sheet, beside the section it concerns
    summary = load_workbook(tmp_path / "lacking" / "M008_陆浩_工作清单.xlsx")["汇总"]
    notes = {row[0]: row[2] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert "节日日历中没有2027年的节日" in notes[SECTIONS["greeting"]]
    assert not any(v for k, v in notes.items() if k != SECTIONS["greeting"])


def test_a_rejected_county_s_accounts_are_not_called_unvisited_and_a_left_manager_s_case_goes_on():
    """甘洛县's workbook was rejected: its visits are not known, so its key accounts are listed as
    not checked, outside the headline count. M010 left in June: the open complaint M010 took goes
    to M008, the customer's manager now, rather than onto no list at all."""
    from pipeline.publish.todo import UNVERIFIED, list_content, todo_items

    managers = pd.DataFrame({"manager_id": ["M008"], "name": ["陆浩"], "county": "西昌市"})
    archive = pd.DataFrame(
        {"customer_id": [TAX, SHOP], "name": ["西昌市税务局", "甘洛县商贸"], "manager_id": "M008"}
    )
    unvisited = pd.DataFrame(
        {
            "customer_id": [TAX, SHOP],
            "county": ["西昌市", "甘洛县"],
            "manager_id": "M008",
            "tier_label": "州级大客户",
            "alerts": ["", "流失预警"],
        }
    )
    cases = pd.DataFrame(
        {
            "case_id": ["c1"],
            "customer_id": [TAX],
            "type": ["complaint"],
            "content": [""],
            "manager_id": ["M010"],
            "opened": ["2026-05-20"],
            "status": ["overdue"],
            "age_days": [72],
            "limit_days": [7],
        }
    )
    nothing = pd.DataFrame(columns=["manager_id", "customer_id", "planned", "source_file", "source_row"])
    empty = pd.DataFrame(columns=["customer_id", "manager_id", "date", "occasion", "contact", "accounts"])
    stale = pd.DataFrame(columns=["customer_id", "manager_id", "changed_month", "updated"])
    followups = pd.DataFrame(
        columns=["wave", "customer_id", "manager_id", "surveyed", "due", "status", "low_dimensions"]
    )
    items = todo_items(
        "2026-07", managers, archive, unvisited, nothing, cases, empty, stale, followups, 3, {"甘洛县"}
    )
    rows = items[["section", "customer_id", "status", "detail"]].values.tolist()
    assert rows[:2] == [
        ["not_visited", TAX, "", ""],
        ["not_visited", SHOP, UNVERIFIED, "流失预警、本县(市)本月报表未被采用,走访情况未能核对"],
    ]
    assert rows[2][:3] == ["case", TAX, "overdue"]  # on M008's list
    content = list_content("2026-07", managers.iloc[0].to_dict(), items, years_missing=[])
    assert (content["counts"]["not_visited"], content["unverified"]) == (1, 1)
    # the headline, the section's heading and the 汇总 sheet give one count; the note the rest
    (section,) = [s for s in content["sections"] if s["key"] == "not_visited"]
    assert (section["count"], len(section["rows"])) == (1, 2)
    assert content["notes"] == {
        "not_visited": "另列 1 户:所在县(市)本月报表未被采用,走访情况未能核对,未计入本项条数。"
    }


def test_the_template_carries_the_two_optional_columns_and_reads_back(tmp_path, reference):
    from pipeline.ingest.template import template_workbook

    wb = template_workbook(reference, "2026-07", "西昌市")
    assert [c.value for c in wb["客户档案"][1]][-1] == "关键联系人生日"
    assert [c.value for c in wb["走访记录"][1]][-1] == "计划日期"
    wb["客户档案"].append(archive_row(TAX, "西昌市税务局", "吉克阿依", "3月15日"))
    wb["走访记录"].append([None, TAX, "陆浩", None, None, None, "2026-07-20"])
    wb["用邮情况"]["A1"].value = "凉山州邮政大客户用邮情况月报(2026年7月)"
    wb.save(tmp_path / "西昌市.xlsx")
    files, _ = county_files(tmp_path, reference)
    intake = ingest_county("xichang", "2026-07", files["xichang"], reference, KNOWN)
    assert [r["birthday"] for r in intake.archive] == ["03-15"]
    assert [(v["date"], v["planned"]) for v in intake.visits] == [("", "2026-07-20")]
    assert not [p for p in intake.problems if p.sheet in ("客户档案", "走访记录")]


def test_the_key_accounts_of_a_manager_who_left_go_to_the_head_of_their_county_centre():
    """M010 left and nobody was named in their place: 西昌市's 主任 M007 finds M010's unvisited key
    account and its birthday on their list, saying whose they were; a customer of a county
    without a head of its own goes to the 州局's 主任 (M001)."""
    from pipeline.publish.todo import stand_ins, todo_items

    roster = pd.DataFrame(
        {
            "manager_id": ["M001", "M007", "M008"],
            "name": ["赵明", "沈光荣", "陆浩"],
            "county": ["zhouju", "xichang", "xichang"],
            "role": ["主任", "主任", "客户经理"],
        }
    )
    display = {"zhouju": "州局", "xichang": "西昌市"}.get
    managers = roster.assign(county=roster.county.map(display))[["manager_id", "name", "county"]]
    archive = pd.DataFrame(
        {
            "customer_id": [TAX, SHOP],
            "name": ["西昌市税务局", "甘洛县商贸"],
            "manager_id": "M010",
            "county": ["西昌市", "甘洛县"],
        }
    )
    unvisited = pd.DataFrame(
        {
            "customer_id": [TAX, SHOP],
            "county": ["西昌市", "甘洛县"],
            "manager_id": ["M010", ""],
            "tier_label": "州级大客户",
            "alerts": "",
        }
    )
    greetings = pd.DataFrame(
        {
            "manager_id": ["M010"],
            "date": ["2026-08-21"],
            "occasion": ["关键联系人生日"],
            "customer_id": [TAX],
            "contact": ["吉克阿依"],
            "accounts": [1],
        }
    )
    nothing = pd.DataFrame(columns=["manager_id", "customer_id", "planned", "source_file", "source_row"])
    cases = pd.DataFrame(
        columns=[
            "case_id",
            "customer_id",
            "type",
            "content",
            "manager_id",
            "opened",
            "status",
            "age_days",
            "limit_days",
        ]
    )
    stale = pd.DataFrame(columns=["customer_id", "manager_id", "changed_month", "updated"])
    followups = pd.DataFrame(
        columns=["wave", "customer_id", "manager_id", "surveyed", "due", "status", "low_dimensions"]
    )
    stand_in = stand_ins(roster, display)
    assert stand_in == {"州局": "M001", "西昌市": "M007", "": "M001"}
    items = todo_items(
        "2026-07",
        managers,
        archive,
        unvisited,
        nothing,
        cases,
        greetings,
        stale,
        followups,
        3,
        set(),
        stand_in,
    )
    got = items[["manager_id", "section", "customer_id", "detail"]].values.tolist()
    assert got == [
        ["M001", "not_visited", SHOP, "未指定客户经理,请安排"],
        ["M007", "not_visited", TAX, "原客户经理 M010 本月不在岗,请安排接管"],
        ["M007", "greeting", TAX, "吉克阿依、原客户经理 M010 本月不在岗,请安排接管"],
    ]


def test_the_items_tables_of_months_written_before_move_under_restricted(tmp_path):
    """A month computed by an earlier version and never run again keeps no table of everyone's
    birthdays beside the lists: it is moved under restricted/ (once; a month run since keeps its
    own table there)."""
    from pipeline.core.layout import Layout
    from pipeline.publish.todo import move_old_items

    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    for month in ("2026-08", "2026-09"):
        layout.managers(month).mkdir(parents=True)
        for name in ("todo_items.csv", "todo_items.parquet"):
            (layout.managers(month) / name).write_text(f"old {month}")
    (layout.managers("2026-09") / "M008_陆浩_工作清单.pdf").write_text("own list")
    layout.restricted_todo("2026-09").mkdir(parents=True)
    (layout.restricted_todo("2026-09") / "todo_items.csv").write_text("new")
    move_old_items(layout)
    assert not list((layout.outputs / "managers").glob("*/todo_items.*"))
    assert (layout.restricted_todo("2026-08") / "todo_items.parquet").read_text() == "old 2026-08"
    assert (layout.restricted_todo("2026-09") / "todo_items.csv").read_text() == "new"
    assert (layout.managers("2026-09") / "M008_陆浩_工作清单.pdf").exists()
    move_old_items(layout)  # nothing left to move: nothing happens
