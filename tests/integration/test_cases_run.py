"""Complaints, inquiries and claims through a month run (the small generated sample, 2025-03):
cases.csv against the county workbooks read independently, the bulletin and 信息参考, the
complaint alerts and the customer's page."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pandas as pd
from openpyxl import load_workbook

from pipeline.core.contract import CASES, check_csv
from pipeline.core.layout import Layout
from pipeline.core.months import month_range

MONTH = "2025-03"
TYPES = {"投诉": ("complaint", 7), "查询": ("inquiry", 3), "理赔": ("claim", 30)}


def table(layout: Layout, name: str) -> pd.DataFrame:
    return pd.read_csv(layout.tables(MONTH) / f"{name}.csv", dtype=str, keep_default_na=False)


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def cases_in_workbooks(inputs) -> dict[str, dict]:
    """Every case of the county workbooks up to the month, read with openpyxl alone: the key
    as README defines it → its latest 办结日期 and amount (rejected counties' files left out)."""
    cases: dict[str, dict] = {}
    for month in month_range("2025-01", MONTH):
        for path in sorted((inputs / month).glob("*_大客户用邮情况.xlsx")):
            wb = load_workbook(path, read_only=True)
            title = next(wb["用邮情况"].iter_rows(values_only=True))[0]
            if f"{int(month[:4])}年{int(month[5:])}月" not in title:
                continue  # a workbook of another month is rejected as a whole
            county = path.name.split("_")[0]
            for row in list(wb["投诉查询理赔"].iter_rows(values_only=True))[1:]:
                opened, customer, kind, _, _, mail_no, amount, closed = row[:8]
                key = "|".join([county, customer, opened, TYPES[kind][0], mail_no or ""])
                case = cases.setdefault(key, {"opened": opened, "kind": kind, "closed": ""})
                case["closed"] = closed or case["closed"]
                case["amount"] = "" if amount is None else f"{amount:.2f}"
    return cases


def test_cases_csv_is_the_workbooks_cases_measured_at_the_month_end(published):
    path = published.tables(MONTH) / "cases.csv"
    assert check_csv(CASES, path) == []
    register = table(published, "cases").set_index("case_id")
    expected = cases_in_workbooks(published.inputs)
    assert len(expected) > 10  # a few cases per county-month
    assert set(register.index) == set(expected)
    end = date(2025, 3, 31)
    for key, case in expected.items():
        row = register.loc[key]
        limit = TYPES[case["kind"]][1]
        age = (
            (date.fromisoformat(case["closed"]) if case["closed"] else end)
            - date.fromisoformat(case["opened"])
        ).days
        late = age > limit
        status = ("closed_late" if late else "closed") if case["closed"] else ("overdue" if late else "open")
        assert (row.closed, row.age_days, row.limit_days, row.status) == (
            case["closed"],
            str(age),
            str(limit),
            status,
        )
        assert row.claim_amount == case["amount"], key
    assert register.status.isin(["open", "overdue"]).any() and register.status.isin(["closed"]).any()


def test_bulletin_and_brief_state_the_cases(published):
    register = table(published, "cases")
    (bulletin,) = (published.bulletins(MONTH) / "v1").glob("信息简报_*.pdf")
    text = re.sub(r"\s+", "", pdf_text(bulletin))
    opened = register.opened.str.startswith(MONTH).sum()
    closed = (register.closed_month == MONTH).sum()  # closures reported in the month
    still_open = register.status.isin(["open", "overdue"]).sum()
    overdue = (register.status == "overdue").sum()
    assert "九、投诉、查询、理赔" in text
    assert f"本月受理{opened}件,办结{closed}件;月末未办结{still_open}件,其中超过时限{overdue}件" in text
    (brief,) = (published.bulletins(MONTH) / "v1").glob("信息参考_*.pdf")
    brief_text = re.sub(r"\s+", "", pdf_text(brief))
    assert f"投诉、查询、理赔:月末未办结{still_open}件,超过时限{overdue}件" in brief_text


def test_a_key_account_with_an_overdue_complaint_has_a_complaint_alert(published):
    register, tiers, alerts = table(published, "cases"), table(published, "tiers"), table(published, "alerts")
    submissions = table(published, "submissions")
    accepted = set(submissions.county[submissions.status.isin(["on_time", "late", "received"])])
    keys = set(tiers.customer_id[tiers.tier.isin(["prefecture", "county"]) & tiers.county.isin(accepted)])
    overdue = register[(register.type == "complaint") & (register.status == "overdue")]
    assert set(alerts.customer_id[alerts.kind == "complaint"]) == set(overdue.customer_id) & keys
    complaint_rows = alerts[alerts.kind == "complaint"]
    assert len(complaint_rows) >= 1  # the sample has key accounts with an overdue complaint
    assert (complaint_rows[["this_month", "reference", "ratio"]] == "").all().all()


def test_the_customer_page_lists_its_cases_with_phone_numbers_masked(published):
    register = table(published, "cases")
    pages = published.site / "customers"
    shown = [c for c in register.customer_id.unique() if (pages / f"{c}.html").exists()]
    assert shown  # some customers with cases are key accounts
    for customer in shown:
        html = (pages / f"{customer}.html").read_text(encoding="utf-8")
        assert '<h2 id="cases">投诉、查询、理赔</h2>' in html
        for case in register[register.customer_id == customer].itertuples():
            assert f"<td>{case.opened}</td>" in html
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", html)  # no phone number in clear
