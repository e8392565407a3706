"""Marketing projects by hand: the register read with problems at their cells, a project's result
against its baseline, the evaluation PDF and draft row of a cycle that ends, the scorecard fed
from the register (and the fallback to 考核评分), the cadence count."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook

from pipeline.analytics.projects import cadence, project_results
from pipeline.ingest.projects import PROJECT_HEADER, read_register
from pipeline.pay.scorecard import scorecards
from pipeline.publish.projects import write_evaluations
from tests.unit.test_scorecard import RULES

TYPES = ["特快", "快包"]


def write_register(folder: Path, rows: list[list], year: int = 2026) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目登记"
    ws.append([f"{year}年度营销项目登记"])  # a title row above the header
    ws.append(PROJECT_HEADER)
    for row in rows:
        ws.append(row)
    path = folder / "projects" / f"项目登记_{year}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


GOOD = [
    "XM-1",
    "政务特快推广",
    "州局",
    "梁阿呷",
    "A、B/C",
    "特快",
    "2026-04",
    "2026年6月",
    1500,
    2,
    2,
    "进行中",
]


def test_the_register_reports_each_problem_at_its_cell_and_keeps_the_good_rows(tmp_path, reference):
    rows = [
        GOOD,
        ["XM-2", "乙", "火星县", "梁阿呷", "A", "特快", "2026-01", "2026-03", 1, 0, 0, ""],
        ["XM-3", "丙", "州局", "梁阿呷", "A", "特快", "2026-13", "2026-03", 1, 0, 0, ""],
        ["XM-4", "丁", "西昌市", "夏志强", "行业=教育", "特快", "2026-01", "2026-03", 1, 0, 0, ""],
        ["XM-5", "戊", "州局", "梁阿呷", "A", "特快", "2026-01", "2027-03", 1, 0, 0, ""],
        [
            "XM-6",
            "己",
            "西昌市",
            "夏志强",
            "企业性质=党政军机关;县=西昌",
            "全部",
            "2026-01",
            "2026-03",
            "",
            "",
            "",
            "",
        ],
        ["XM-9", "庚", "州局", "梁阿呷", "A", "特快", "2026-01", "2026-03", 1, 0, 0, ""],
        ["XM-9", "辛", "州局", "梁阿呷", "B", "特快", "2026-01", "2026-03", 1, 0, 0, ""],
        ["XM-10", "壬", "州局", "梁阿呷", "A", "飞机", "2026-01", "2026-03", "一千", 0, 0, ""],
        ["XM-11", "", "州局", "梁阿呷", "A", "特快", "2026-01", "2026-03", 1, 0, 0, ""],
        ["XM-12", "癸", "州局", "梁阿呷", "A", "特快", "2026-01", "2026-03", 1, 0, 0, "取消"],
    ]
    write_register(tmp_path, rows)
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    found = {(p.code, p.cell, p.value) for p in problems}
    assert found == {
        ("project_lead_unknown", "C4", "火星县"),
        ("project_month_invalid", "G5", "2026-13"),
        ("project_rule_invalid", "E6", "行业=教育"),
        ("project_cycle_invalid", "H7", "2027-03"),
        ("project_status_unknown", "L13", "取消"),  # not counted: it may mean cancelled
        ("project_duplicate", "A10", "XM-9"),  # the first XM-9 stays the project
        ("project_target_blank", "I8", ""),  # no revenue target: said, the project kept
        ("business_unknown", "F11", "飞机"),
        ("amount_invalid", "I11", "一千"),
        ("required_missing", "B12", ""),
    }
    assert all(p.file == "项目登记_2026.xlsx" and p.sheet == "项目登记" for p in problems)
    assert all(p.message for p in problems)  # what to do, in Chinese
    assert list(register.project_id) == ["XM-1", "XM-6", "XM-9"]
    assert register.set_index("project_id").loc["XM-9", "name"] == "庚"
    one, six = register.iloc[0], register.iloc[1]
    assert (one.lead, one.manager_id, one.target_ids, one.end, one.target_revenue_fen) == (
        "zhouju",
        "M003",
        "A、B、C",
        "2026-06",
        150000,
    )
    assert (six.target_rule, six.business_types, six.status) == ("企业性质=党政军机关;县=西昌市", "全部", "")
    # nothing vanishes: every row read is used or kept with its raw values
    assert len(register) + len(rejected) == len(rows)
    assert sorted(rejected.row) == [4, 5, 6, 7, 10, 11, 12, 13]
    assert "第9行(已采用)" in next(p.message for p in problems if p.code == "project_duplicate")
    cycle = next(p.message for p in problems if p.code == "project_cycle_invalid")
    assert cycle == "项目周期 2026-01 至 2027-03 超过 12 个月,请分为多个周期登记;本项目未采用"
    assert "火星县" in rejected.set_index("row").loc[4, "values"]


def test_a_project_id_given_again_leaves_the_first_usable_row_the_project(tmp_path, reference):
    """A row added under an id already taken (used or not) is reported at its cell and not used;
    the project registered first stays, with its evaluation and its manager's score. Correcting a
    rejected copy later must not be what first reveals the duplicate."""
    again = ["XM-1", "重复", "州局", "梁阿呷", "A", "特快", "2026-1x", "2026-06", 1, 0, 0, ""]
    blank = ["XM-1", "", "州局", "梁阿呷", "A", "特快", "2026-04", "2026-06", 1, 0, 0, ""]
    copy = [*GOOD[:1], "政务特快推广(改)", *GOOD[2:]]
    write_register(tmp_path, [GOOD, again, blank, copy])
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert {(p.code, p.cell) for p in problems} == {
        ("project_month_invalid", "G4"),
        ("required_missing", "B5"),
        ("project_duplicate", "A4"),
        ("project_duplicate", "A5"),
        ("project_duplicate", "A6"),
    }
    assert list(register.name) == ["政务特快推广"]
    assert sorted(zip(rejected.row, rejected.code, strict=True)) == [
        (4, "project_month_invalid,project_duplicate"),
        (5, "required_missing,project_duplicate"),
        (6, "project_duplicate"),
    ]
    # the first row unusable, a later one usable: the usable one is the project
    write_register(tmp_path, [again, GOOD])
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert list(register.name) == ["政务特快推广"] and list(rejected.row) == [3]
    assert "第4行(已采用)" in next(p.message for p in problems if p.code == "project_duplicate")


def test_a_formula_saved_without_its_result_is_said_at_its_cell_never_read_as_zero(tmp_path, reference):
    """A register written by a program keeps formulas without results (every reader sees them
    blank): 目标收入 must not become 0 and a required cell must not be called empty."""
    target = [*GOOD[:8], "=3000*2", *GOOD[9:]]
    end = ["XM-2", *GOOD[1:7], "=DATE(2026,12,1)", *GOOD[8:]]
    path = write_register(tmp_path, [target, end, ["XM-3", *GOOD[1:]]])
    assert load_workbook(path, data_only=True).active["I3"].value is None  # no result saved
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert {(p.code, p.cell, p.value) for p in problems} == {
        ("formula_without_value", "I3", "=3000*2"),
        ("formula_without_value", "H4", "=DATE(2026,12,1)"),
    }
    assert list(register.project_id) == ["XM-3"] and sorted(rejected.row) == [3, 4]


def test_a_rule_typed_with_a_colon_is_a_rule_mistyped_not_customer_ids(tmp_path, reference):
    rows = [
        ["XM-1", *GOOD[1:4], "企业性质:事业单位;县:会理市", *GOOD[5:]],
        ["XM-2", *GOOD[1:4], "县：西昌市", *GOOD[5:]],
    ]
    write_register(tmp_path, rows)
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert [(p.code, p.cell) for p in problems] == [
        ("project_rule_invalid", "E3"),
        ("project_rule_invalid", "E4"),
    ]
    assert "用“=”" in problems[0].message and register.empty and sorted(rejected.row) == [3, 4]


def _usage(rows: list[tuple]) -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame(rows, columns=["month", "customer_id", "business_type", "revenue_fen"])
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    return {m: frame[frame.month == m].drop(columns="month").reset_index(drop=True) for m in months}


USAGE = [
    # the baseline window of a cycle 2026-04 … 2026-06 is 2026-01 … 2026-03
    ("2026-01", "A", "特快", 100_00),
    ("2026-02", "A", "特快", 200_00),
    ("2026-03", "A", "特快", 300_00),
    ("2026-01", "B", "快包", 999_00),  # another business type: not the project's
    ("2026-03", "C", "特快", 50_00),
    ("2026-04", "A", "特快", 150_00),
    ("2026-05", "A", "特快", 250_00),
    ("2026-05", "B", "特快", 400_00),  # B had no 特快 before: new business, B converted
    ("2026-04", "D", "特快", 1000_00),  # not a target customer
    ("2026-06", "A", "特快", 100_00),
]
TIERS = {
    "2026-04": pd.DataFrame({"customer_id": ["D"], "change": ["new"]}),
    "2026-05": pd.DataFrame({"customer_id": ["B", "A"], "change": ["new", "unchanged"]}),
    "2026-06": pd.DataFrame({"customer_id": ["B"], "change": ["unchanged"]}),
}
ARCHIVE = pd.DataFrame(
    {
        "customer_id": list("ABCD"),
        "name": ["甲单位", "乙公司", "丙局", "丁厂"],
        "county": "西昌市",
        "nature": ["党政军机关", "民营企业", "党政军机关", "民营企业"],
        "manager_id": "M003",
    }
)


def _register(tmp_path, reference, rows=(GOOD,)):
    register = _register_with_warnings(tmp_path, reference, rows)
    assert not read_register(tmp_path, reference, "2026-05")[2]
    return register


def _register_with_warnings(tmp_path, reference, rows):
    write_register(tmp_path, list(rows))
    register, rejected, _ = read_register(tmp_path, reference, "2026-05")
    assert rejected.empty
    return register


def test_a_projects_result_against_its_baseline(tmp_path, reference):
    register = _register(tmp_path, reference)
    frame, _details, warnings = project_results(register, "2026-05", _usage(USAGE), TIERS, ARCHIVE, TYPES)
    r = frame.iloc[0]
    assert (r.cycle_months, r.elapsed_months, r.phase, r.target_customers) == (3, 2, "进行中", 3)
    # cycle to date 2026-04, 05: A 150 + 250, B 400 = 800.00; D is not a target
    assert r.revenue_fen == 800_00
    # baseline paired month by month: 2026-01, 02 (A 100 + 200); C's 2026-03 pairs with 2026-06
    assert r.baseline_revenue_fen == 300_00 and r.revenue_change_fen == 500_00
    assert r.new_business_revenue_fen == 400_00 and r.converted == 1  # B × 特快
    assert r.new_key_accounts == 1  # B became one in 2026-05; D is not a target
    assert r.target_revenue_due_fen == 1000_00  # 1,500.00 × 2/3
    assert r.baseline_complete == "是"
    # the customers C, A and B are in the archive; an id it does not know would be a warning
    assert warnings == []


def test_an_ended_project_keeps_its_result_when_its_baseline_leaves_the_months_handed_over(
    tmp_path, reference
):
    """The cycle 2026-04 … 06 ended in June. By a later month the window handed over no longer
    reaches its baseline (2026-01 … 03): computed again, the baseline would fall to 0 and old
    business count as new. It keeps June's row; a changed register row is computed again."""
    register = _register(tmp_path, reference)
    june = project_results(register, "2026-06", _usage(USAGE), TIERS, ARCHIVE, TYPES)[0]
    later = {m: f for m, f in _usage(USAGE).items() if m >= "2026-04"}  # the baseline months gone
    kept = project_results(register, "2026-07", later, TIERS, ARCHIVE, TYPES, earlier=june)[0].iloc[0]
    assert (kept.baseline_revenue_fen, kept.revenue_fen, kept.phase) == (
        june.iloc[0].baseline_revenue_fen,
        june.iloc[0].revenue_fen,
        "已结束",
    )
    assert june.iloc[0].baseline_revenue_fen > 0 and june.iloc[0].phase == "本月结束"
    drifted = project_results(register, "2026-07", later, TIERS, ARCHIVE, TYPES)[0].iloc[0]
    assert drifted.baseline_revenue_fen == 0  # what keeping the row avoids
    moved = register.assign(target_revenue_fen=register.target_revenue_fen + 100)
    again = project_results(moved, "2026-07", later, TIERS, ARCHIVE, TYPES, earlier=june)[0].iloc[0]
    assert again.baseline_revenue_fen == 0  # a register row changed since: computed again
    renamed = register.assign(name="报刊征订(第一期,已更名)")
    kept = project_results(renamed, "2026-07", later, TIERS, ARCHIVE, TYPES, earlier=june)[0].iloc[0]
    assert kept["name"] == "报刊征订(第一期,已更名)"  # the register's name, June's figures
    assert kept.lead == june.iloc[0].lead == "州局"  # the lead as June's row names it
    assert kept.baseline_revenue_fen == june.iloc[0].baseline_revenue_fen > 0


def test_a_month_the_target_customers_county_was_not_accepted_is_left_out_not_counted_as_nothing(
    tmp_path, reference
):
    """西昌市's May workbook was rejected: May (and its baseline month, February) is unknown for
    the project's customers, so the result to date is April against January, and the target due
    is 1,500.00 × 1/3; a rejection in another county changes nothing."""
    register = _register(tmp_path, reference)
    usage = _usage([r for r in USAGE if r[0] != "2026-05"])  # no 西昌市 rows in May
    frame, details, _ = project_results(
        register, "2026-05", usage, TIERS, ARCHIVE, TYPES, {"2026-05": {"西昌市"}, "2026-04": {"甘洛县"}}
    )
    r = frame.iloc[0]
    assert (r.elapsed_months, r.counted_months, r.months_left_out) == (2, 1, "2026-05")
    assert (r.revenue_fen, r.baseline_revenue_fen, r.target_revenue_due_fen) == (150_00, 100_00, 500_00)
    assert [p["revenue_fen"] for p in details[r.project_id]["_curve"]] == [150_00, None, None]
    other = project_results(
        register, "2026-05", _usage(USAGE), TIERS, ARCHIVE, TYPES, {"2026-05": {"甘洛县"}}
    )[0]
    assert (other.iloc[0].counted_months, other.iloc[0].revenue_fen) == (2, 800_00)


def test_a_cycle_that_starts_with_the_data_takes_the_first_month_as_its_baseline_for_new_business(
    tmp_path, reference
):
    """Cycle 2026-01 … 03, baseline 2025-10 … 12: before any data. A already used 特快 in the first
    month of data, so it was not won by the project; C's first 特快, in March, was."""
    first = [*GOOD[:6], "2026-01", "2026-03", 1500, 2, 2, "进行中"]
    register = _register(tmp_path, reference, [first])
    r = project_results(register, "2026-03", _usage(USAGE), TIERS, ARCHIVE, TYPES)[0].iloc[0]
    assert (r.revenue_fen, r.baseline_revenue_fen, r.baseline_complete) == (650_00, 0, "否")
    assert (r.converted, r.new_business_revenue_fen) == (1, 50_00)
    # the same when `kac run` built empty history months before the centre's data begins
    empty = pd.DataFrame(columns=["customer_id", "business_type", "revenue_fen"])
    earlier = {f"2025-{m:02d}": empty for m in range(1, 13)}
    again = project_results(register, "2026-03", {**earlier, **_usage(USAGE)}, TIERS, ARCHIVE, TYPES)[0]
    assert (again.iloc[0].converted, again.iloc[0].baseline_complete) == (1, "否")


def test_a_target_rule_selects_from_the_archive_and_unknown_ids_warn(tmp_path, reference):
    rule = [*GOOD[:4], "企业性质=党政军机关;县=西昌市", *GOOD[5:]]
    unknown = ["XM-2", *GOOD[1:4], "A、Z9", *GOOD[5:]]
    register = _register(tmp_path, reference, [rule, unknown])
    frame, _, warnings = project_results(register, "2026-05", _usage(USAGE), TIERS, ARCHIVE, TYPES)
    by_id = frame.set_index("project_id")
    assert by_id.loc["XM-1", "target_customers"] == 2  # A and C
    assert by_id.loc["XM-1", "revenue_fen"] == 400_00 and by_id.loc["XM-1", "converted"] == 0
    [w] = warnings
    assert (w.code, w.cell, w.severity) == ("project_customer_unknown", "E4", "warning")
    assert "Z9" in w.message


def test_a_cycle_that_ends_in_the_month_gets_its_evaluation_and_draft_row(tmp_path, reference):
    ending = [*GOOD[:1], "+1 推广", *GOOD[2:8], 800, 2, 2, "进行中"]
    register = _register(tmp_path, reference, [ending])
    frame, details, _ = project_results(register, "2026-06", _usage(USAGE), TIERS, ARCHIVE, TYPES)
    r = frame.iloc[0]
    assert r.phase == "本月结束"
    assert r.revenue_fen == 900_00  # + A's 100.00 in 2026-06
    assert r.baseline_revenue_fen == 650_00  # A 600.00 + C 50.00 over 2026-01 … 03
    out = tmp_path / "out"
    written = write_evaluations(
        out, "2026-06", details, ARCHIVE.set_index("customer_id").name, {"M003": "梁阿呷"}
    )
    assert [p.name for p in written] == ["项目评估_XM-1.pdf", "项目登记草稿_XM-1.xlsx"]
    text = subprocess.run(
        ["pdftotext", "-layout", str(written[0]), "-"], capture_output=True, text=True
    ).stdout
    assert "项目评估" in text and "XM-1" in text
    assert "900.00" in text and "650.00" in text and "250.00" in text  # result, baseline, change
    assert "乙公司" in text and "400.00" in text  # the customer won and its new business revenue
    assert "XM-1-C2" in text and "2026-07" in text and "2026-09" in text  # the next cycle
    ws = load_workbook(written[1]).active
    assert [c.value for c in ws[1]] == PROJECT_HEADER
    draft = [c.value for c in ws[2]]
    # revenue target: max(800.00, 900.00 × 1.1 = 990.00 rounded up to 1,000.00)
    assert draft == [
        "XM-1-C2",
        "+1 推广",
        "州局",
        "M003",  # the 工号: a namesake elsewhere on the roster cannot make it ambiguous
        "A、B/C",
        "特快",
        "2026-07",
        "2026-09",
        "1000.00",
        2,
        2,
        "草稿",
    ]
    assert ws["B2"].data_type == "s"  # text, never a formula
    # a month later the cycle is over: no evaluation, the month's folder holds nothing stale
    later, later_details, _ = project_results(register, "2026-07", _usage(USAGE), TIERS, ARCHIVE, TYPES)
    assert later.iloc[0].phase == "已结束"
    assert write_evaluations(out, "2026-06", later_details, ARCHIVE.name, {}) == []
    assert list(out.iterdir()) == []


def test_an_evaluation_judges_the_result_against_what_was_due_over_the_months_counted(tmp_path, reference):
    """May was left out (西昌市 not accepted): April and June count, so 2/3 of each target was due.
    Revenue A 150.00 + 100.00 = 250.00 against 800.00 × 2/3 = 533.33 → 46.9 %; new key accounts
    0 of 2 × 2/3 = 1.33; the left-out month has no figure in the table."""
    ending = [*GOOD[:8], 800, 2, 2, "进行中"]
    register = _register(tmp_path, reference, [ending])
    usage = _usage([r for r in USAGE if r[0] != "2026-05"])
    frame, details, _ = project_results(
        register, "2026-06", usage, TIERS, ARCHIVE, TYPES, {"2026-05": {"西昌市"}}
    )
    assert (frame.iloc[0].revenue_fen, frame.iloc[0].target_revenue_due_fen) == (250_00, 533_33)
    names = ARCHIVE.set_index("customer_id").name
    [pdf, _] = write_evaluations(tmp_path / "out", "2026-06", details, names, {})
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "计入月份应完成" in text
    revenue = next(line for line in text.splitlines() if line.strip().startswith("收入(元)"))
    assert revenue.split() == ["收入(元)", "800.00", "533.33", "250.00", "46.9%"]
    accounts = next(line for line in text.splitlines() if line.strip().startswith("新增大客户"))
    assert accounts.split() == ["新增大客户(户)", "2", "1.33", "0", "0.0%"]
    may = next(line for line in text.splitlines() if "2026-05" in line and "第2月" in line)
    assert "—" in may


def test_an_evaluation_masks_phone_numbers_typed_into_the_register_and_the_names(tmp_path, reference):
    """All staff read the PDF (the site links it): a number typed into the project's name, its
    targets or a customer's name is masked there; the draft workbook goes back as registered."""
    ending = [
        "XM-1",
        "推广 联系人 13812345678",
        *GOOD[2:4],
        "A、B/C 电话:0834-3726517",
        *GOOD[5:8],
        800,
        2,
        2,
        "",
    ]
    register = _register_with_warnings(tmp_path, reference, [ending])
    _, details, _ = project_results(register, "2026-06", _usage(USAGE), TIERS, ARCHIVE, TYPES)
    names = ARCHIVE.set_index("customer_id").name.replace({"乙公司": "乙公司 13900001111"})
    pdf, draft = write_evaluations(tmp_path / "out", "2026-06", details, names, {})
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "138****5678" in text and "139****1111" in text and "3726517" not in text
    assert "13812345678" not in text and "13900001111" not in text
    assert load_workbook(draft).active["B2"].value == "推广 联系人 13812345678"


def _card_inputs():
    managers = pd.DataFrame(
        {"manager_id": ["M003", "M004"], "name": ["梁阿呷", "邓春燕"], "county": ["zhouju", "zhouju"]}
    )
    tiers = pd.DataFrame(columns=["customer_id", "county", "tier", "manager_id", "change"])
    archive = pd.DataFrame(columns=["customer_id", "manager_id", "changed_month"])
    usage = pd.DataFrame({"manager_id": ["M004"], "revenue_fen": [5_000_00]})
    assessment = pd.DataFrame(
        [
            {
                "manager_id": m,
                "market_survey": Decimal(8),
                "project_plan": Decimal("9.5"),
                "other": Decimal(4),
                "award": Decimal(0),
                "award_reason": "",
                "source_row": row,
                "conflict": "",
            }
            for m, row in (("M003", 3), ("M004", 4))
        ]
    )
    targets = pd.DataFrame(
        {
            "year": ["2026", "2026"],
            "manager_id": ["M003", "M004"],
            "new_key_accounts": ["0", "0"],
            "revenue_target": ["0", "12000.00"],
        }
    )
    return managers, tiers, archive, usage, assessment, targets


def test_the_scorecard_takes_project_plan_and_annual_target_from_the_register(tmp_path, reference):
    register = _register(tmp_path, reference)
    projects, _, _ = project_results(register, "2026-05", _usage(USAGE), TIERS, ARCHIVE, TYPES)
    managers, tiers, archive, usage, assessment, targets = _card_inputs()
    empty = pd.DataFrame(columns=["customer_id", "date"])
    cards = scorecards(
        "2026-05",
        RULES,
        managers,
        tiers,
        [tiers],
        archive,
        empty,
        empty,
        usage,
        assessment,
        True,
        targets,
        projects=projects,
    ).set_index("manager_id")
    m3, m4 = cards.loc["M003"], cards.loc["M004"]
    # M003 leads XM-1: 项目策划 full, whatever 考核评分 says (9.5)
    assert m3.project_plan == Decimal("10.00") and m3.project_plan_source == "项目登记"
    assert "XM-1" in m3.project_plan_note
    # to date: revenue 800.00 / 1,000.00 = 0.8; new key accounts 1 / (2 × 2/3) = 0.75;
    # converted 1 / (2 × 2/3) = 0.75; mean 0.7667 × 25 = 19.17
    assert m3.annual_target == Decimal("19.17") and m3.annual_target_source == "项目登记"
    assert "收入 800.00/1,000.00 元" in m3.annual_target_note
    assert m3.market_survey == Decimal("8.00")  # the other manual items stay with 考核评分
    # M004 leads none: the 考核评分 score and the annual revenue target, as before
    assert m4.project_plan == Decimal("9.50") and m4.project_plan_source == "考核评分表"
    assert m4.project_plan_note == "考核评分表 第4行"
    assert (
        m4.annual_target == Decimal("25.00") and m4.annual_target_source == "年度目标"
    )  # 5,000 ≥ 12,000 × 5/12
    # without the register (projects=None) M003's items come from 考核评分 and targets.csv
    plain = scorecards(
        "2026-05", RULES, managers, tiers, [tiers], archive, empty, empty, usage, assessment, True, targets
    ).set_index("manager_id")
    assert plain.loc["M003", "project_plan"] == Decimal("9.50")
    assert plain.loc["M003", "annual_target_note"] == "无年度收入目标,不计分(不计入满分)"


def test_a_missing_assessment_holds_only_what_the_register_does_not_give(tmp_path, reference):
    register = _register(tmp_path, reference)
    projects, _, _ = project_results(register, "2026-05", _usage(USAGE), TIERS, ARCHIVE, TYPES)
    managers, tiers, archive, usage, assessment, targets = _card_inputs()
    empty = pd.DataFrame(columns=["customer_id", "date"])
    cards = scorecards(
        "2026-05",
        RULES,
        managers,
        tiers,
        [tiers],
        archive,
        empty,
        empty,
        usage,
        assessment.iloc[:0],
        False,
        targets,
        projects=projects,
    ).set_index("manager_id")
    m3 = cards.loc["M003"]
    assert m3.project_plan == Decimal("10.00") and m3.market_survey_value == "暂缓"
    assert m3.held == "本月无考核评分表"  # still held: 市场调查 and 其他 are missing
    assert cards.loc["M004", "project_plan_value"] == "暂缓"


def test_a_cancelled_project_scores_nothing_and_the_cadence_counts_by_start_year(tmp_path, reference):
    rows = [
        GOOD,
        ["XM-2", "二", "州局", "梁阿呷", "A", "特快", "2026-01", "2026-02", 1, 0, 0, "已取消"],
        ["XM-3", "三", "西昌市", "夏志强", "A", "特快", "2026-02", "2026-03", 1, 0, 0, ""],
        ["XM-4", "四", "西昌市", "夏志强", "A", "特快", "2026-04", "2026-05", 1, 0, 0, "草稿"],
    ]
    register = _register(tmp_path, reference, rows)
    rules = {"centre": (2, 4), "county": (1, 2)}
    by_unit = {r["unit"]: r for r in cadence(register, "2026-06", reference.county_names, rules, 3)}
    assert (by_unit["州局"]["plans"], by_unit["州局"]["verdict"]) == (1, "不足")  # XM-2 cancelled
    assert (by_unit["西昌市"]["plans"], by_unit["西昌市"]["verdict"]) == (1, "符合")  # XM-4 a draft
    assert by_unit["会理市"]["plans"] == 0 and by_unit["会理市"]["verdict"] == "不足"
    assert len(by_unit) == 1 + len(reference.county_names)
    assert cadence(register, "2025-12", reference.county_names, rules)[0]["plans"] == 0
    # before the due month (rules `projects.cadence_due_month`) a unit short of its plans is 待报:
    # in January no unit has any yet, and none is called short
    january = {
        r["unit"]: r["verdict"] for r in cadence(register, "2026-02", reference.county_names, rules, 3)
    }
    assert (january["州局"], january["会理市"], january["西昌市"]) == ("待报", "待报", "符合")


def test_an_unreadable_register_or_one_without_the_header_is_reported_not_dropped(tmp_path, reference):
    folder = tmp_path / "projects"
    folder.mkdir()
    (folder / "项目登记_2026.xlsx").write_bytes(b"not a workbook")
    wb = Workbook()
    wb.active.append(["随便", "写点", "什么"])
    wb.save(folder / "项目登记_2025.xlsx")
    wb.save(folder / "项目登记_2023.xlsx")  # not read in 2026: neither this year nor the last
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert register.empty
    assert sorted((p.code, p.file) for p in problems) == [
        ("file_unreadable", "项目登记_2026.xlsx"),
        ("sheet_missing", "项目登记_2025.xlsx"),
    ]
    assert sorted(rejected.code) == ["file_unreadable", "sheet_missing"]


def test_a_rule_without_a_condition_name_is_quoted_as_typed(reference):
    from pipeline.ingest.projects import targets_of

    ids, rule, wrong = targets_of('=HYPERLINK("http://x","y")', reference)
    assert (ids, rule) == ([], "") and wrong.startswith('“=HYPERLINK("http://x"')


def test_the_target_revenue_s_unit_is_read_and_an_unknown_one_refused(tmp_path, reference):
    """目标收入(万元) 0.15 is 1,500 元; 目标收入(千美元) refuses the project at its cell."""
    from openpyxl import load_workbook

    for unit, fen in (("万元", 1500_00), ("千美元", None)):
        path = write_register(tmp_path / unit, [[*GOOD[:8], 0.15, *GOOD[9:]]])
        wb = load_workbook(path)
        column = PROJECT_HEADER.index("目标收入(元)") + 1
        wb.active.cell(2, column).value = f"目标收入({unit})"
        wb.save(path)
        register, rejected, _ = read_register(tmp_path / unit, reference, "2026-05")
        if fen is None:
            assert register.empty and list(rejected.code) == ["amount_unit_unknown"]
        else:
            assert rejected.empty and list(register.target_revenue_fen) == [fen]


def test_every_sheet_of_the_register_with_its_header_is_read_and_another_said(tmp_path, reference):
    """A second sheet 下半年新增 with the register's header is read as the first; a 说明 sheet with
    text and no header is said, not passed over."""
    from openpyxl import load_workbook

    path = write_register(tmp_path, [GOOD])
    wb = load_workbook(path)
    second = wb.create_sheet("下半年新增")
    second.append(PROJECT_HEADER)
    second.append(["XM-9", *GOOD[1:]])
    wb.create_sheet("说明").append(["目标收入单位为元"])
    wb.save(path)
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert sorted(register.project_id) == ["XM-1", "XM-9"] and rejected.empty
    assert [(p.code, p.sheet) for p in problems] == [("sheet_not_read", "说明")]
    # Excel's copy of a sheet is the same rows, not every project registered twice
    wb = load_workbook(path)
    wb.copy_worksheet(wb["项目登记"]).title = "项目登记 (2)"
    wb.save(path)
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert sorted(register.project_id) == ["XM-1", "XM-9"] and rejected.empty
    copy = next(p for p in problems if p.sheet == "项目登记 (2)")
    assert copy.code == "sheet_not_read" and "与工作表“项目登记”内容相同" in copy.message


def test_a_target_in_yuan_under_a_header_in_wan_or_beyond_the_bound_is_refused(tmp_path, reference):
    from openpyxl import load_workbook

    column = PROJECT_HEADER.index("目标收入(元)") + 1
    for value, code in (("1,000元", "amount_unit_conflict"), (1_899_000, "amount_too_large")):
        folder = tmp_path / code
        path = write_register(folder, [[*GOOD[:8], value, *GOOD[9:]]])
        wb = load_workbook(path)
        wb.active.cell(2, column).value = "目标收入(万元)"
        wb.save(path)
        register, rejected, _ = read_register(folder, reference, "2026-05")
        assert register.empty and list(rejected.code) == [code]


def test_a_cycle_ending_before_it_starts_is_told_to_check_the_months(tmp_path, reference):
    write_register(tmp_path, [["XM-1", *GOOD[1:6], "2026-06", "2026-04", *GOOD[8:]]])
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert [(p.code, p.cell, p.value) for p in problems] == [("project_cycle_invalid", "H3", "2026-04")]
    assert (
        problems[0].message == "项目周期 2026-06 至 2026-04 结束月份早于开始月份,请核对两个月份;本项目未采用"
    )
    assert register.empty and list(rejected.row) == [3]


def test_the_first_row_is_first_in_the_workbook_s_own_sheet_order(tmp_path, reference):
    """A project registered on 项目登记 and its id reused on a sheet added after it (新增项目,
    which sorts before it by name): the row of the first sheet stays the project."""
    path = write_register(tmp_path, [GOOD])
    wb = load_workbook(path)
    later = wb.create_sheet("新增项目")
    later.append(PROJECT_HEADER)
    later.append([*GOOD[:1], "后加的项目", *GOOD[2:]])
    wb.save(path)
    register, rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert list(register.name) == ["政务特快推广"]
    assert [(p.code, p.sheet, p.cell) for p in problems] == [("project_duplicate", "新增项目", "A2")]
    assert list(zip(rejected.sheet, rejected.row, strict=True)) == [("新增项目", 2)]


def test_two_rows_with_one_id_neither_usable_name_each_other(tmp_path, reference):
    bad_month = [*GOOD[:6], "2026-1x", *GOOD[7:]]
    write_register(tmp_path, [bad_month, bad_month])
    _register, _rejected, problems = read_register(tmp_path, reference, "2026-05")
    duplicates = {p.cell: p.message for p in problems if p.code == "project_duplicate"}
    assert "第4行(也未采用)" in duplicates["A3"] and "第3行(也未采用)" in duplicates["A4"]


def test_a_draft_without_a_target_is_not_warned_and_a_bare_word_is_not_a_rule(tmp_path, reference):
    draft = ["XM-1", *GOOD[1:8], "", *GOOD[9:11], "草稿"]
    word = ["XM-2", *GOOD[1:4], "县", *GOOD[5:]]  # an id that is not in the archive, not a rule
    write_register(tmp_path, [draft, word])
    register, _rejected, problems = read_register(tmp_path, reference, "2026-05")
    assert list(register.project_id) == ["XM-1", "XM-2"] and register.target_ids.tolist()[1] == "县"
    assert [p.code for p in problems] == []
