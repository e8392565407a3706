"""The managers' to-do lists (工作清单) through a month run (the small generated sample, 2025-03):
the missed planned visits and the birthdays due next month against the county workbooks read
independently with openpyxl, every list read back (xlsx with openpyxl, PDF with pdftotext),
birthdays nowhere outside outputs/managers/ (tables, bulletins, the built site), and the survey
waves without workbooks publishing nothing."""

from __future__ import annotations

import re
import subprocess

import pandas as pd
from openpyxl import load_workbook

from pipeline.core.contract import TODO_ITEMS, check_csv
from pipeline.core.layout import Layout
from pipeline.core.months import month_range
from pipeline.ingest.holidays import parse_month_day
from pipeline.ingest.reference import Reference

MONTH = "2025-03"


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def workbooks(inputs, month: str):
    for path in sorted((inputs / month).glob("*_大客户用邮情况.xlsx")):
        wb = load_workbook(path, read_only=True)
        title = next(wb["用邮情况"].iter_rows(values_only=True))[0]
        if f"{int(month[:4])}年{int(month[5:])}月" in title:  # a workbook of another month is rejected
            yield path, wb


def birthdays_in_workbooks(inputs) -> dict[str, tuple[str, str]]:
    """customer id → (MM-DD, the cell as written), the latest given up to the month."""
    found: dict[str, tuple[str, str]] = {}
    for month in month_range("2025-01", MONTH):
        for _, wb in workbooks(inputs, month):
            rows = wb["客户档案"].iter_rows(values_only=True)
            header = list(next(rows))
            at = header.index("关键联系人生日")
            for row in rows:
                if row[0] and row[at]:
                    found[row[0]] = (parse_month_day(str(row[at]))[0], str(row[at]))
    return found


def missed_in_workbooks(inputs) -> list[tuple[str, str, str]]:
    """(customer id, 客户经理 as written, 计划日期) of the month's rows planned and not made."""
    missed = []
    for _, wb in workbooks(inputs, MONTH):
        rows = wb["走访记录"].iter_rows(values_only=True)
        header = list(next(rows))
        planned, made = header.index("计划日期"), header.index("走访日期")
        for row in rows:
            if row[1] and row[planned] and str(row[planned]).startswith(MONTH) and not row[made]:
                missed.append((row[1], row[2], str(row[planned])))
    return sorted(missed)


def items(layout: Layout) -> pd.DataFrame:
    return pd.read_csv(layout.restricted_todo(MONTH) / "todo_items.csv", dtype=str, keep_default_na=False)


def test_missed_planned_visits_are_listed_and_counted_per_manager(published: Layout):
    expected = missed_in_workbooks(published.inputs)
    assert len(expected) == 4  # the sample's draw for March 2025, counted in the workbooks
    ref = Reference.load(published.reference)
    names = ref.managers.set_index("manager_id").name
    todo = items(published)
    listed = todo[todo.section == "missed_visit"]
    got = sorted((r.customer_id, names[r.manager_id], r.date) for r in listed.itertuples())
    assert got == expected
    counts = pd.read_csv(published.tables(MONTH) / "planned_visits.csv", dtype=str, keep_default_na=False)
    assert counts.missed.astype(int).sum() == 4
    assert counts.made.astype(int).sum() + 4 == counts.planned.astype(int).sum()
    # a missed plan earns no contact: no such customer is among the month's dated visits
    visits = pd.read_csv(published.tables(MONTH) / "visits.csv", dtype=str, keep_default_na=False)
    dated = set(visits.customer_id[visits.date.str.startswith(MONTH)])
    assert not {c for c, _, _ in expected} & dated


def test_birthdays_of_key_accounts_due_next_month_are_on_their_managers_lists(published: Layout):
    """March's list: April's birthdays and those of 1–10 May (the rules' early days)."""
    born = birthdays_in_workbooks(published.inputs)
    tiers = pd.read_csv(published.tables(MONTH) / "tiers.csv", dtype=str, keep_default_na=False)
    archive = pd.read_csv(published.tables(MONTH) / "archive.csv", dtype=str, keep_default_na=False)
    keys = tiers[tiers.tier.isin(["prefecture", "county"])].merge(archive[["customer_id", "manager_id"]])
    active = set(Reference.load(published.reference).managers_active_in(MONTH).manager_id)
    expected = sorted(
        (r.manager_id, f"2025-{born[r.customer_id][0]}", r.customer_id)
        for r in keys.itertuples()
        if r.customer_id in born and ("04-01" <= born[r.customer_id][0] <= "05-10") and r.manager_id in active
    )
    todo = items(published)
    greetings = todo[todo.section == "greeting"]
    assert set(greetings.what) == {"关键联系人生日"}  # no holiday of the calendar from 1 April to 10 May 2025
    got = sorted((r.manager_id, r.date, r.customer_id) for r in greetings.itertuples())
    assert got == expected and len(got) == 9


def test_each_list_is_read_back_and_the_table_keeps_its_contract(published: Layout):
    folder = published.managers(MONTH)
    assert check_csv(TODO_ITEMS, published.restricted_todo(MONTH) / "todo_items.csv") == []
    ref = Reference.load(published.reference)
    active = ref.managers_active_in(MONTH)
    lists = sorted(p.name for p in folder.glob("*_工作清单.xlsx"))
    assert lists == sorted(f"{r.manager_id}_{r.name}_工作清单.xlsx" for r in active.itertuples())
    assert len(list(folder.glob("*_工作清单.pdf"))) == len(lists)
    todo = items(published)
    for manager, mine in todo.groupby("manager_id"):
        name = mine.manager_name.iloc[0]
        wb = load_workbook(folder / f"{manager}_{name}_工作清单.xlsx")
        summary = {row[0].value: row[1].value for row in wb["汇总"].iter_rows(min_row=2)}
        # known not visited; those of a county not accepted are listed but not counted
        not_visited = mine[mine.section == "not_visited"]
        assert summary["本月未走访的大客户"] == int((not_visited.status != "unverified").sum())
        assert wb["本月未走访的大客户"].max_row - 1 == len(not_visited)  # every one listed
        assert summary["计划走访未完成"] == int((mine.section == "missed_visit").sum())
        assert summary["下月及次月初的节日与生日问候"] == int((mine.section == "greeting").sum())
        text = pdf_text(folder / f"{manager}_{name}_工作清单.pdf")
        assert f"{name}({manager})" in text and "2025年3月" in text
        for r in mine[mine.section == "greeting"].itertuples():
            assert r.date in text and r.detail in text
        for r in mine[mine.section == "missed_visit"].itertuples():
            assert r.customer_id in text and r.date in text


def test_birthdays_are_only_in_each_managers_own_list_and_under_restricted(published: Layout):
    born = birthdays_in_workbooks(published.inputs)
    assert len(born) > 20
    # as a county wrote it, 3月15日 or 03-15 (not a part of a longer date, 2025-03-15 or 2025年3月15日)
    written = [r"(?<![0-9年\-/])" + re.escape(raw) + r"(?![0-9])" for _, raw in born.values()]
    assert any("月" in raw for _, raw in born.values()) and any("-" in raw for _, raw in born.values())
    pattern = re.compile("|".join(written))
    outside = [
        p
        for p in published.outputs.rglob("*")
        if p.is_file()
        and p.suffix in (".csv", ".html", ".js", ".json", ".txt")
        and p.relative_to(published.outputs).parts[0] not in ("restricted", ".dagster")
    ]
    # the managers' folder holds each one's own list, and the lists' hashes: no table of everyone's
    assert {p.name for p in published.managers(MONTH).iterdir()} - {"index.json"} == {
        p.name for p in published.managers(MONTH).glob("M*_*_工作清单.*")
    }
    site = [p for p in outside if "site-releases" in p.parts]
    assert site, "the site was built"
    for path in outside:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "生日" not in text and "birthday" not in text, path
        assert not pattern.search(text), path
    for pdf in published.outputs.rglob("*.pdf"):
        if not pdf.name.endswith("_工作清单.pdf") and "restricted" not in pdf.parts:
            assert "生日" not in pdf_text(pdf), pdf


def test_survey_waves_without_workbooks_publish_nothing(published: Layout):
    assert not (published.inputs / "surveys").exists()  # the small sample ends before the first wave
    surveys = published.outputs / "tables" / "surveys"
    assert not surveys.exists() or not any(surveys.iterdir())
    assert not (published.outputs / "bulletins" / "surveys").exists()
