"""The data of the site's project pages (pipeline/site/project_data.py): page names, each
project's latest row, the projects a county or manager leads, the evaluation PDF's link, and
the baseline chart's figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.site.project_data import evaluation_of, latest_projects, led_projects, project_page
from pipeline.site.svg import baseline_chart

pytestmark = pytest.mark.unit


def _row(
    project_id,
    month,
    lead="西昌市",
    manager="M008",
    start="2025-01",
    revenue=0,
    phase="进行中",
    end="2025-06",
):
    return {
        "project_id": project_id,
        "name": f"项目{project_id}",
        "lead": lead,
        "manager_id": manager,
        "start": start,
        "end": end,
        "phase": phase,
        "status": "",
        "revenue_fen": revenue,
        "month": month,
    }


def test_a_project_page_is_its_id_or_a_name_derived_from_it():
    assert project_page("XM2025-01") == "projects/XM2025-01.html"
    hostile = project_page("../<script>")
    assert hostile.startswith("projects/p-") and "/" not in hostile.removeprefix("projects/")
    assert hostile == project_page("../<script>")  # the same name every build


def test_each_project_keeps_its_row_of_the_latest_month_it_appears_in():
    frame = pd.DataFrame(
        [
            _row("XM2025-02", "2025-11", start="2025-03", revenue=500),
            _row("XM2025-01", "2025-11", revenue=100),
            _row("XM2025-01", "2025-12", revenue=250, phase="已结束"),
            _row("XM2026-01", "2026-01", start="2026-01", end="2026-06", revenue=7),
        ]
    )
    latest = latest_projects(frame, "2026-01")
    # XM2025-02 (2025-03—2025-06 in its row of November) has ended by the site's month
    assert latest[["project_id", "month", "revenue_fen", "phase"]].values.tolist() == [
        ["XM2025-01", "2025-12", 250, "已结束"],
        ["XM2025-02", "2025-11", 500, "已结束"],
        ["XM2026-01", "2026-01", 7, "进行中"],
    ]
    ending = pd.DataFrame([_row("XM2026-09", "2026-12", start="2026-07", end="2026-12", phase="本月结束")])
    assert latest_projects(ending, "2027-01").phase.tolist() == ["已结束"]
    assert latest_projects(ending, "2026-12").phase.tolist() == ["本月结束"]
    led = led_projects(latest, "lead")["西昌市"]
    assert [p["project_id"] for p in led] == ["XM2025-01", "XM2025-02", "XM2026-01"]
    assert led[0] == {
        "project_id": "XM2025-01",
        "name": "项目XM2025-01",
        "href": "projects/XM2025-01.html",
        "cycle": "2025-01—2025-06",
        "phase": "已结束",
    }
    assert set(led_projects(latest, "manager_id")) == {"M008"}
    assert latest_projects(pd.DataFrame(columns=["project_id", "month"])).empty
    typed = latest.assign(name=["推广 联系人 13812345678", "b", "c"])  # the site shows it masked
    assert led_projects(typed, "lead")["西昌市"][0]["name"] == "推广 联系人 138****5678"


def test_the_evaluation_is_linked_from_the_month_it_was_written():
    source = Path("/out/projects/2025-06/项目评估_XM2025-01.pdf")
    assert evaluation_of("XM2025-01", {source.name: source}) == (
        "files/projects/2025-06/项目评估_XM2025-01.pdf",
        source,
    )
    assert evaluation_of("XM2025-02", {source.name: source}) is None
    odd = Path("/out/projects/2025-06/项目评估_XM_1.pdf")  # a space or slash becomes _ in file names
    assert evaluation_of("XM/1", {odd.name: odd})[0] == "files/projects/2025-06/项目评估_XM_1.pdf"


def test_the_baseline_chart_draws_each_month_and_escapes_the_title():
    svg = str(
        baseline_chart(["2025-01", "2025-02", "2025-03"], [12000, 30000, None], [10000, 0, 5000], "<b>x")
    )
    assert "&lt;b&gt;x" in svg and "<b>" not in svg
    # a bar per figure given: 3 baseline + 2 revenue (the month to come has none), plus 2 legend keys
    assert svg.count("<rect") == 7
    assert "2025-02 收入:300.00 元" in svg and "2025-03 基线:50.00 元" in svg
    assert "2025-03 收入" not in svg


def test_a_project_page_shows_no_figure_for_a_month_its_published_row_left_out(reference):
    """The page recomputes the curve; May, left out in projects.csv (a county not accepted), has
    no figure and wins no customer, as in the table and the evaluation."""
    from types import SimpleNamespace

    from pipeline.analytics.projects import UsageByCustomer
    from pipeline.site.project_data import as_project, result_detail

    usage = pd.DataFrame(
        [
            ("2026-04", "A", "特快", 150_00),
            ("2026-05", "A", "特快", 250_00),
            ("2026-05", "B", "特快", 400_00),
        ],
        columns=["month", "customer_id", "business_type", "revenue_fen"],
    )
    row = SimpleNamespace(
        **{
            **_row("XM-1", "2026-05", start="2026-04"),
            "end": "2026-06",
            "targets": "A、B",
            "status": "进行中",
        },
        business_types="特快",
        target_revenue_fen=1500_00,
        target_converted=1,
        target_new_accounts=0,
    )
    archive = pd.DataFrame(
        {"customer_id": ["A", "B"], "nature": "民营企业", "county": "西昌市", "manager_id": "M008"}
    )
    detail = result_detail(
        as_project(row, reference),
        "2026-05",
        UsageByCustomer(usage),
        {},
        ["2026-04", "2026-05"],
        archive,
        reference,
        left_out="2026-05",
        first_month="2026-04",  # the first month of data: its pairs were not won
    )
    assert [p["revenue_fen"] for p in detail["curve"]] == [150_00, None, None]
    assert detail["won"].empty  # B's new 特快 was in the month left out
    months = ["2026-04", "2026-05"]
    project = as_project(row, reference)
    shown = result_detail(
        project, "2026-05", UsageByCustomer(usage), {}, months, archive, reference, first_month="2026-04"
    )
    assert [p["revenue_fen"] for p in shown["curve"]] == [150_00, 650_00, None]
    assert list(shown["won"].customer_id) == ["B"]
