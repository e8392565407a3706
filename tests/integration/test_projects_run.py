"""Marketing projects through a month run (the small generated sample, 2025-03): projects.csv
against usage.csv read independently, the evaluations of the cycles that end in the month, the
scorecards fed from the register and the cadence table of the 信息参考."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pandas as pd
from openpyxl import load_workbook

from pipeline.core.contract import PROJECTS, check_csv
from pipeline.core.months import shift
from pipeline.ingest.projects import PROJECT_HEADER

MONTH = "2025-03"


def table(layout, name: str, month: str = MONTH) -> pd.DataFrame:
    return pd.read_csv(layout.tables(month) / f"{name}.csv", dtype=str, keep_default_na=False)


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_projects_csv_keeps_the_contract_and_agrees_with_usage(published):
    assert check_csv(PROJECTS, published.tables(MONTH) / "projects.csv") == []
    projects = table(published, "projects")
    assert len(projects) > 0 and set(projects.phase) <= {
        "未开始",
        "进行中",
        "本月结束",
        "已结束",
        "已取消",
        "草稿",
    }
    listed = projects[~projects.targets.str.contains("=")]
    assert len(listed) > 0
    for p in listed.itertuples():
        customers = set(p.targets.split("、"))
        types = set(p.business_types.split("、"))
        length, n = int(p.cycle_months), int(p.elapsed_months)
        revenue = baseline = Decimal(0)
        for k in range(n):
            for month, total in ((shift(p.start, k), "revenue"), (shift(p.start, k - length), "baseline")):
                if month < "2025-01":
                    continue  # before the first month of data
                usage = table(published, "usage", month)
                mine = usage[usage.customer_id.isin(customers) & usage.business_type.isin(types)]
                amount = sum((Decimal(v) for v in mine.revenue), Decimal(0))
                revenue, baseline = (
                    (revenue + amount, baseline) if total == "revenue" else (revenue, baseline + amount)
                )
        assert (Decimal(p.revenue), Decimal(p.baseline_revenue)) == (revenue, baseline), p.project_id
        # a baseline month before the first month of data counts 0, and the table says so
        assert p.baseline_complete == ("否" if shift(p.start, -length) < "2025-01" else "是"), p.project_id


def test_a_cycle_ending_in_the_month_has_its_evaluation_and_draft(published):
    projects = table(published, "projects")
    ending = projects[projects.phase == "本月结束"]
    assert len(ending) > 0
    folder = published.outputs / "projects" / MONTH
    for p in ending.itertuples():
        text = pdf_text(folder / f"项目评估_{p.project_id}.pdf")
        assert p.project_id in text and p.name in text and "逐月收入与基线" in text
        assert f"{Decimal(p.revenue):,.2f}" in text
        ws = load_workbook(folder / f"项目登记草稿_{p.project_id}.xlsx").active
        assert [c.value for c in ws[1]] == PROJECT_HEADER
        draft = [c.value for c in ws[2]]
        assert draft[0] == f"{p.project_id}-C2" and draft[6] == "2025-04" and draft[-1] == "草稿"


def test_scorecards_say_where_the_project_items_came_from(published):
    cards = pd.read_csv(published.restricted_pay(MONTH) / "scorecards.csv", dtype=str, keep_default_na=False)
    projects = table(published, "projects")
    leads = set(projects[~projects.status.isin(["已取消", "草稿"])].manager_id)
    from_register = cards[cards.project_plan_source == "项目登记"]
    assert set(from_register.manager_id) == leads & set(cards.manager_id)
    assert (from_register.project_plan.astype(float) == 10).all()
    assert set(cards[~cards.manager_id.isin(leads)].project_plan_source) == {"考核评分表"}


def test_the_brief_counts_the_plans_against_the_cadence(published):
    [brief] = (published.bulletins(MONTH) / "v1").glob("信息参考_*.pdf")
    text = pdf_text(brief)
    assert "附页 营销项目(2025年方案数对照要求)" in text
    assert "布拖县 ▲" in text  # its only project of the year is cancelled in the sample
    # the projects ending in the month, each with its revenue against target and baseline (万元)
    projects = table(published, "projects")
    flat = "".join(text.split())
    for p in projects[projects.phase == "本月结束"].head(4).itertuples():
        figures = f"收入{Decimal(p.revenue) / 10000:,.2f}/目标{Decimal(p.target_revenue) / 10000:,.2f}万元"
        assert f"{p.project_id}{p.name}:{figures}" in flat, p.project_id


def test_a_changed_register_changes_the_version_of_the_months_that_read_it(published, tmp_path):
    from assets.instance import instance_for
    from tests.integration.test_correction import copy_of
    from tests.integration.test_sources import observe, observed

    layout = copy_of(published, tmp_path)
    instance = instance_for(layout)
    observe(layout, instance)
    before = observed(instance, "project_register")
    assert {"2025-01-01", "2025-03-01", "2026-06-01"} <= set(before)
    (register,) = (layout.inputs / "projects").glob("项目登记_2025.xlsx")
    register.write_bytes(register.read_bytes() + b"\0")  # the centre edits the 2025 register
    observe(layout, instance)
    after = observed(instance, "project_register")
    # 2025 reads it, and so does 2026 (a cycle may cross the new year); 2027 would not
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {k for k in after if k[:4] in ("2025", "2026")}


def test_a_register_row_refused_is_told_by_kac_status_as_the_centres_own_file(published, tmp_path):
    """The operator mends the centre's own files: `kac status` names the register and why after
    the counties to call (the register is read by the run only; status says what it found)."""
    from assets.runner import run_month
    from tests.integration.test_cli import kac
    from tests.integration.test_correction import copy_of

    layout = copy_of(published, tmp_path)
    (path,) = (layout.inputs / "projects").glob("项目登记_2025.xlsx")
    book = load_workbook(path)
    sheet = book.worksheets[0]
    last = sheet.max_row
    for column in range(1, sheet.max_column + 1):  # the last project entered twice
        sheet.cell(last + 1, column).value = sheet.cell(last, column).value
    book.save(path)
    assert run_month(layout, MONTH).success
    problems = table(layout, "problems")
    assert ((problems.code == "project_duplicate") & (problems.county == "州局")).sum() == 1
    folders = ["--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]
    header = "本中心(州局)的文件有问题(考核评分为现在的内容,项目登记、系统数据为上次运行时的结果):"

    def status() -> list[str]:
        result = kac("status", MONTH, *folders)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert not any(line.split()[:1] == ["州局"] for line in lines)  # not a county to call
        return lines[lines.index(header) + 1 :]

    file, why = status()[0].split()
    assert file == "项目登记_2025.xlsx" and "项目编号重复" in why.split("、")
    # the operator mends the register and takes the 考核评分 away, not yet run again: the
    # register's problem is said to be the run's, the missing 考核评分 is seen now
    book = load_workbook(path)
    book.worksheets[0].delete_rows(last + 1)
    book.save(path)
    (assessment,) = layout.month_inputs(MONTH).glob("考核评分*")
    assessment.unlink()
    missing, register = status()[:2]
    assert missing.split() == ["—", "缺少考核评分表"]
    assert register.split()[0] == "项目登记_2025.xlsx" and register.endswith(
        "(运行后文件已改动,重新运行后核对)"
    )
