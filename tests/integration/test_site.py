"""The static site built from a real published month: its pages, downloads, privacy, escaping,
incremental republishing and the atomic swap of releases."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.core.layout import Layout
from pipeline.core.privacy import mask_phone, mask_phones_in
from pipeline.core.problems import to_frame
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.site.build import build_site
from tests.workbooks import ROWS, county_workbook

MONTH = "2025-03"


@pytest.fixture
def outputs_copy(published, tmp_path) -> Layout:
    """A private copy of the published outputs (the site link and releases kept as they are)."""
    shutil.copytree(published.outputs, tmp_path / "outputs", symlinks=True)
    return Layout(published.inputs, tmp_path / "outputs")


def key_customers(layout: Layout) -> set[str]:
    ids = set()
    for month in ("2025-01", "2025-02", MONTH):
        tiers = pd.read_csv(layout.tables(month) / "tiers.csv", dtype=str)
        ids |= set(tiers.customer_id[tiers.tier.isin(["prefecture", "county"])])
    return ids


def site_text(site: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8-sig") for p in site.rglob("*") if p.suffix in {".html", ".csv", ".js"}
    )


def inodes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_ino for p in site.rglob("*.html")}


def test_every_kind_of_page_is_published(published, reference):
    site = published.site
    assert site.is_symlink() and (site / "index.html").exists()
    for code in reference.counties.code:
        assert (site / "counties" / f"{code}.html").exists()
    for code in reference.business_types.code:
        assert (site / "business" / f"{code}.html").exists()
    pages = {p.stem for p in (site / "customers").glob("*.html")}
    assert pages == key_customers(published)
    for page in (f"months/{MONTH}.html", f"problems/{MONTH}.html", "search.html", "search-data.js"):
        assert (site / page).exists(), page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "2025年3月" in home and 'href="counties/xichang.html"' in home


def test_customer_page_shows_history_tiers_manager_and_visits(published, reference):
    visits = pd.read_csv(published.tables(MONTH) / "visits.csv", dtype=str)
    tiers = pd.read_csv(published.tables(MONTH) / "tiers.csv", dtype=str)
    visited = visits[visits.customer_id.isin(key_customers(published))].iloc[0]
    page = (published.site / "customers" / f"{visited.customer_id}.html").read_text(encoding="utf-8")
    archive = pd.read_csv(published.tables(MONTH) / "archive.csv", dtype=str).set_index("customer_id")
    me = archive.loc[visited.customer_id]
    assert me["name"] in page
    manager = reference.managers.set_index("manager_id").name[me.manager_id]
    assert f'<dd><a href="../managers/{me.manager_id}.html">{manager}</a></dd>' in page
    tier = tiers.set_index("customer_id").loc[visited.customer_id]
    if isinstance(tier.reasons, str):
        assert tier.reasons in page
    assert str(visited.date)[:10] in page
    usage = pd.read_csv(published.tables(MONTH) / "usage.csv", dtype={"revenue": str})
    mine = usage[usage.customer_id == visited.customer_id]
    month_row = next(r for r in page.split("<tr>") if r.startswith(f'<td>{MONTH}</td><td class="num">'))
    for business, rows in mine.groupby("business_type"):  # each business's column, as the usage table says
        revenue = sum(Decimal(v) for v in rows.revenue)
        assert f'<th scope="col" class="num">{business}</th>' in page and f"{revenue:,.2f}" in month_row
    rows = list(csv.reader(io.StringIO(_download(published.site, visited.customer_id, "tiers"))))
    assert rows[0] == ["月份", "级别", "依据", "变动"] and rows[1][0] == MONTH


def _download(site: Path, customer_id: str, table: str) -> str:
    return (site / "downloads" / "customers" / f"{customer_id}.{table}.csv").read_text(encoding="utf-8-sig")


def test_no_phone_number_reaches_the_site(published):
    archive = pd.read_csv(published.tables(MONTH) / "archive.csv", dtype=str)
    phones = [p for p in archive.phone.dropna() if len(p) >= 7]
    text = site_text(published.site)
    assert phones and not [p for p in phones if p in text]
    assert "****" in text  # shown masked on the customer pages


def test_phone_masking_keeps_only_the_ends():
    assert mask_phone("13534869335") == "135****9335"
    assert mask_phone("0834-3221234") == "083*-***1234"
    assert mask_phone(None) == "" and mask_phone("") == ""
    assert mask_phones_in("请打 13534869335 或 0834-3221234 联系") == "请打 135****9335 或 083*-***1234 联系"
    assert mask_phones_in("C5134010001 号客户") == "C5134010001 号客户"  # an id is not a phone
    assert mask_phones_in("联系电话13512349335,请回电") == "联系电话135****9335,请回电"  # touching Chinese
    assert mask_phones_in("座机0834－2222333") == "座机083*－***2333"  # full-width dash


def test_phones_typed_into_free_text_are_masked_everywhere_on_the_site(outputs_copy, reference):
    layout = outputs_copy
    visits_path = layout.tables(MONTH) / "visits.parquet"
    visits = pd.read_parquet(visits_path)
    keys = key_customers(layout)
    row = visits.index[visits.customer_id.isin(keys)][0]
    visits.loc[row, "content"] = "客户电话13512349335,已约下周上门"
    visits.to_parquet(visits_path, index=False)
    archive_path = layout.tables(MONTH) / "archive.parquet"
    archive = pd.read_parquet(archive_path)
    archive.loc[archive.customer_id == visits.customer_id[row], "contact"] = "张经理TEL13698765432"
    archive.loc[archive.customer_id == visits.customer_id[row], "name"] = "张三13722223333经营部"
    archive.to_parquet(archive_path, index=False)

    build_site(layout, reference, search_index=False)
    text = site_text(layout.site)
    for workbook in (layout.site / "downloads" / "customers").glob("*.xlsx"):
        text += "\n".join(str(c.value) for ws in load_workbook(workbook) for r in ws.iter_rows() for c in r)
    assert "13512349335" not in text and "13698765432" not in text and "13722223333" not in text
    page = (layout.site / "customers" / f"{visits.customer_id[row]}.html").read_text(encoding="utf-8")
    assert (
        "客户电话135****9335" in page and "张经理TEL136****5432" in page and "张三137****3333经营部" in page
    )


def test_problems_page_and_its_downloads_mask_phones_and_keep_dates(outputs_copy, reference, tmp_path):
    """What a county typed reaches the problems page as a problem's value and a rejected row's
    raw cells: phone numbers masked there and in the page's CSV and xlsx, dates as written."""
    layout = outputs_copy
    inputs = tmp_path / "in"
    inputs.mkdir()
    case = [
        "2025-03-08",
        "C9999999999",
        "投诉",
        "特快",
        "客户张先生13800138000来电催件",
        "",
        None,
        None,
        "",
        "陆浩",
    ]
    county_workbook(
        inputs / "西昌市.xlsx",
        month=MONTH,
        report_date="2025年4月12日",  # after the deadline: a date in the value and the message
        rows=[*ROWS, ["C5134010009", "西昌市某公司", "特快", 1, 10.0, "王主任13912345678", "存量"]],
        cases=[case],
    )
    files, _ = county_files(inputs, reference)
    intake = ingest_county("xichang", MONTH, files["xichang"], reference)
    found = {(p.code, p.value) for p in intake.problems}
    assert {("report_late", "2025-04-12"), ("manager_unknown", "王主任13912345678")} <= found
    assert ("case_customer_unknown", "C9999999999") in found
    for name, added in (
        ("problems", to_frame(intake.problems)),
        ("rejected_rows", pd.DataFrame(intake.quarantine)),
    ):
        path = layout.tables(MONTH) / f"{name}.parquet"
        pd.concat([pd.read_parquet(path), added], ignore_index=True).to_parquet(path, index=False)

    build_site(layout, reference, search_index=False)
    page = (layout.site / "problems" / f"{MONTH}.html").read_text(encoding="utf-8")
    downloads = layout.site / "downloads" / "problems"
    table = (downloads / f"{MONTH}.problems.csv").read_text(encoding="utf-8-sig")
    book = load_workbook(downloads / f"{MONTH}.xlsx")
    cells = "\n".join(str(c.value) for ws in book for r in ws.iter_rows() for c in r)
    for shown in (page, table, cells):
        assert "13800138000" not in shown and "13912345678" not in shown
        assert "王主任139****5678" in shown and "报送日期 2025-04-12 晚于截止日期" in shown
    assert "客户张先生138****8000来电催件" in page  # the rejected case row, every cell of it
    assert "2025-03-08 | C9999999999 | 投诉 | 特快 | 客户张先生138****8000来电催件" in page


def test_hostile_names_are_escaped_and_never_become_formulas(outputs_copy, reference):
    layout = outputs_copy
    customer = sorted(key_customers(layout))[0]
    archive_path = layout.tables(MONTH) / "archive.parquet"
    archive = pd.read_parquet(archive_path)
    hostile = '=HYPERLINK("http://x","<script>alert(1)</script>")'
    archive.loc[archive.customer_id == customer, "name"] = hostile
    archive.to_parquet(archive_path, index=False)

    build_site(layout, reference, search_index=False)
    site = layout.site
    page = (site / "customers" / f"{customer}.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    catalogue = (site / "search-data.js").read_text(encoding="utf-8")
    assert "</script>" not in catalogue and "alert(1)<\\/script>" in catalogue  # shown with textContent
    county_code = reference.counties.set_index("name").code[archive.set_index("customer_id").county[customer]]
    county_csv = (site / "downloads" / "counties" / f"{county_code}.key_accounts.csv").read_text(
        encoding="utf-8-sig"
    )
    (row,) = [r for r in csv.reader(io.StringIO(county_csv)) if r[0] == customer]
    assert row[1] == "'" + hostile  # Excel shows it as text
    book = load_workbook(site / "downloads" / "counties" / f"{county_code}.xlsx")
    sheet = next(ws for ws in book.worksheets if ws.title.startswith("大客户名单"))
    (cell,) = [r[1] for r in sheet.iter_rows(min_row=2) if r[0].value == customer]
    assert cell.value == hostile and cell.data_type == "s"


def test_republishing_rewrites_only_what_changed_and_removes_orphans(outputs_copy, reference):
    layout = outputs_copy
    before = inodes(layout.site)
    same = build_site(layout, reference, search_index=False)
    assert same.rendered == 0 and same.removed == 0
    assert inodes(layout.site) == before  # the new release is the old pages, linked not copied

    customer, dropped = sorted(key_customers(layout))[:2]
    assert list((layout.site / "downloads" / "customers").glob(f"{dropped}.*"))  # to be removed
    linking = {
        str(p.relative_to(layout.site))
        for p in layout.site.rglob("*.html")
        if f"customers/{dropped}.html" in p.read_text(encoding="utf-8")
    }
    archive_path = layout.tables(MONTH) / "archive.parquet"
    archive = pd.read_parquet(archive_path)
    archive.loc[archive.customer_id == customer, "address"] = "西昌市新地址1号"
    archive.to_parquet(archive_path, index=False)
    for month in ("2025-01", "2025-02", MONTH):  # `dropped` is no longer a key account anywhere
        path = layout.tables(month) / "tiers.parquet"
        tiers = pd.read_parquet(path)
        tiers.loc[tiers.customer_id == dropped, "tier"] = "ordinary"
        tiers.to_parquet(path, index=False)

    built = build_site(layout, reference, search_index=False)
    after = inodes(layout.site)
    changed = {p for p in after if before.get(p) != after[p]}
    assert f"customers/{customer}.html" in changed
    assert "西昌市新地址1号" in (layout.site / "customers" / f"{customer}.html").read_text(encoding="utf-8")
    assert not (layout.site / "customers" / f"{dropped}.html").exists()
    assert not list((layout.site / "downloads" / "customers").glob(f"{dropped}.*"))
    assert built.removed >= 1 and len(changed) == built.rendered < len(after) / 4
    # rewritten: the customer's page and the pages that linked to the dropped one, nothing else
    assert changed - {f"customers/{customer}.html"} <= linking
    releases = sorted(p.name for p in (layout.outputs / "site-releases").iterdir() if p.is_dir())
    assert len(releases) == 2  # the current and the one before it


def site_files(layout: Layout) -> dict[str, bytes]:
    site = layout.site.resolve()
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_site_built_in_parts_is_the_site_built_at_once_with_one_helper(
    published, reference, tmp_path, monkeypatch
):
    """A province's pages are made and written a part at a time (memory): the same bytes, and
    one helper process writes the workbooks of every part."""
    import pipeline.site.build as build
    import pipeline.site.pages as pages
    from pipeline.render import pool, xlsx

    whole, parts = (Layout(published.inputs, tmp_path / name / "outputs") for name in ("whole", "parts"))
    for layout in (whole, parts):
        ignore = shutil.ignore_patterns("site", "site-releases")
        shutil.copytree(published.outputs, layout.outputs, symlinks=True, ignore=ignore)
    at_once = build_site(whole, reference, search_index=False)

    started = []
    real = pool.helper_process
    monkeypatch.setattr(pool, "helper_process", lambda preload: started.append(preload) or real(preload))
    monkeypatch.setattr(pool, "usable_cores", lambda: 2)  # a test process of `pytest -n` has one
    monkeypatch.setattr(build, "PAGES_AT_ONCE", 40)
    monkeypatch.setattr(pages, "CUSTOMER_PAGES_AT_ONCE", 7)
    monkeypatch.setattr(xlsx, "WORKBOOKS_APART_FROM", 10)
    monkeypatch.setattr(xlsx, "WORKBOOKS_PER_TASK", 4)
    in_parts = build_site(parts, reference, search_index=False)

    assert in_parts.rendered == at_once.rendered == at_once.pages > 3 * 40
    assert len(started) == 1  # one helper for every part
    assert site_files(parts) == site_files(whole)


KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
import pipeline.site.build as site
from pipeline.core.layout import Layout
from pipeline.ingest.reference import Reference

written = 0
real = site._write_page

def write_then_die(staging, page):
    global written
    real(staging, page)
    written += 1
    if written == 5:
        os.kill(os.getpid(), signal.SIGKILL)

site._write_page = write_then_die
layout = Layout(Path(sys.argv[1]), Path(sys.argv[2]))
site.build_site(layout, Reference.load(layout.reference), search_index=False)
"""


def test_a_build_killed_midway_leaves_the_previous_site_whole(outputs_copy, reference, tmp_path):
    layout = outputs_copy
    home_before = (layout.site / "index.html").read_bytes()
    release_before = layout.site.resolve()
    for month in ("2025-01", "2025-02", MONTH):  # a change that touches every page
        path = layout.tables(month) / "usage.parquet"
        usage = pd.read_parquet(path)
        usage["revenue_fen"] = usage.revenue_fen * 2
        usage.to_parquet(path, index=False)
    script = tmp_path / "killed.py"
    script.write_text(textwrap.dedent(KILLED_BUILD), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script), str(layout.inputs), str(layout.outputs)], cwd=os.getcwd()
    )
    assert run.returncode == -9
    assert layout.site.resolve() == release_before
    assert (layout.site / "index.html").read_bytes() == home_before
    assert all(p.stat().st_size > 0 for p in layout.site.rglob("*.html"))
    assert list((layout.outputs / "site-releases").glob("*.partial"))  # the unfinished release, aside

    built = build_site(layout, reference, search_index=False)
    assert built.rendered > 5 and layout.site.resolve() != release_before
    assert not list((layout.outputs / "site-releases").glob("*.partial"))
