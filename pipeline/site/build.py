"""Publishing the static site: built aside as a new release, then swapped in at once.

`outputs/site` is a symbolic link to the current release under `outputs/site-releases/`. A new
release starts as hard links to the current one; only pages whose data (or templates) changed
are rendered again, pages no longer produced are removed, and the link is replaced atomically.
A run killed at any point leaves the previous site whole; the next run finishes the work.
"""

from __future__ import annotations

import csv
import fcntl
import filecmp
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.files import point_link, replacing
from pipeline.core.layout import Layout
from pipeline.core.progress import progress
from pipeline.core.text import csv_text
from pipeline.ingest.reference import Reference
from pipeline.render.pdf import TEMPLATES, render_html, rendering_digest, stylesheet
from pipeline.render.xlsx import Sheets, workbook_helper, write_workbooks
from pipeline.site.data import load_site_data
from pipeline.site.downloads import Table
from pipeline.site.market_pages import competitor_pages, market_page
from pipeline.site.pages import Page, SitePages
from pipeline.site.project_pages import project_pages

if TYPE_CHECKING:
    from pipeline.render.pool import HelperOnDemand

MANIFEST = ".site-manifest.json"
SEARCH_DATA = "search-data.js"
STATIC = ("site.js",)  # scripts of templates/ copied as they are
# Pages in Pagefind's full-text index (their templates mark data-pagefind-body): the month's
# content, counties and business types. Key accounts are found through the name catalogue
# (name, county, id, manager), which indexing hundreds of small pages would only duplicate.
FULL_TEXT_TEMPLATES = {"site_month.html", "site_county.html", "site_business.html"}
FULL_TEXT_GLOB = "{months,counties,business}/*.html"
_XLSX_STAMP = datetime(2000, 1, 1)  # downloads carry no build time: same data, same bytes
# changed pages rendered together: a province's ≈ 17,000 pages, held at once, took ≈ 2 GB
PAGES_AT_ONCE = 2000


@dataclass
class SiteBuild:
    release: Path
    pages: int
    rendered: int
    removed: int
    seconds: float


def build_site(layout: Layout, ref: Reference, search_index: bool = True) -> SiteBuild:
    """Build the site from the published outputs and make it current."""
    releases = (layout.outputs / "site-releases").resolve()
    releases.mkdir(parents=True, exist_ok=True)
    with (releases / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time (kac run beside the Dagster UI)
        return _build(layout, ref, releases, search_index)


def _build(layout: Layout, ref: Reference, releases: Path, search_index: bool) -> SiteBuild:
    started = time.perf_counter()
    site_pages = SitePages(load_site_data(layout), ref)
    pages = chain(
        site_pages.all(),
        competitor_pages(site_pages),  # 市场研究: a page per competitor
        project_pages(site_pages),  # 营销项目: projects.html and a page per project
        [market_page(site_pages)],  # 市场研究: needs, breadth of use, competitors
    )
    current = _adopt_current(layout.site, releases)
    sweeping = _sweep_superseded(releases, current, layout.site)
    staging = _fresh_staging(releases, current)
    old = _read_manifest(current)
    wanted, hashes, changed, search = set(), {}, [], []
    rendered, indexed_changed = 0, False
    with workbook_helper() as helper:  # one for every part of the build, if any needs it
        for page in pages:
            digest = _page_digest(page)
            outputs = _page_outputs(page)
            hashes[page.path] = digest
            wanted.update(outputs)
            search += [_search_entry(page)] if page.search else []
            if old.get(page.path) != digest or not all((staging / p).exists() for p in outputs):
                changed.append(page)
                indexed_changed |= page.template in FULL_TEXT_TEMPLATES
            wanted.update(_copy_files(staging, page.files))
            if len(changed) == PAGES_AT_ONCE:  # written now: a province's pages do not fit at once
                rendered += _write_pages(staging, changed, helper)
                changed = []
        rendered += _write_pages(staging, changed, helper)
    wanted.update(_write_static(staging, search))
    removed = _remove_orphans(staging, wanted | {MANIFEST, ".lock"})
    if search_index and (indexed_changed or removed or not (staging / "pagefind").is_dir()):
        _index_for_search(staging)
    _write(staging / MANIFEST, json.dumps(hashes, ensure_ascii=False, sort_keys=True, indent=0))
    sweeping.join()
    release = _promote(staging, layout.site, releases)
    seconds = time.perf_counter() - started
    progress.info(
        "  网站:%d 页,重新生成 %d 页,删除 %d 个过时文件(%.1f 秒)", len(hashes), rendered, removed, seconds
    )
    return SiteBuild(release, len(hashes), rendered, removed, seconds)


# -- pages and their downloads -------------------------------------------------------------


def _page_digest(page: Page) -> str:
    data = {"t": page.template, "c": page.context, "tables": [t.__dict__ for t in page.tables]}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256((rendering_digest() + text).encode("utf-8")).hexdigest()


def csv_path(page: Page, table: Table) -> str:
    """Beside the page's workbook, not in a folder of its own: a folder per page (thousands at
    province scale) made every file written into them several times slower to create."""
    return f"downloads/{page.path.removesuffix('.html')}.{table.key}.csv"


def xlsx_path(page: Page) -> str:
    """One workbook per page, a sheet per table (one file, not one per table: the site has a
    page per key account, and a workbook costs far more to write than a CSV)."""
    return f"downloads/{page.path.removesuffix('.html')}.xlsx"


def _page_outputs(page: Page) -> list[str]:
    if not page.tables:
        return [page.path]
    return [page.path, xlsx_path(page), *(csv_path(page, t) for t in page.tables)]


def _write_pages(staging: Path, pages: list[Page], helper: HelperOnDemand) -> int:
    """Render `pages` with their CSV files and workbooks (the workbooks, when many, partly in
    `helper` while the pages are rendered here). The number of pages."""

    def render_pages() -> None:
        for page in pages:
            _write_page(staging, page)

    books = [(staging / xlsx_path(p), _sheets(p.tables)) for p in pages if p.tables]
    write_workbooks(books, _XLSX_STAMP, meanwhile=render_pages, helper=helper)
    return len(pages)


def _sheets(tables: list[Table]) -> Sheets:
    return {t.title: (t.headers, t.rows) for t in tables}


def _write_page(staging: Path, page: Page) -> None:
    context = page.finish(page.context) if page.finish else page.context
    downloads = {}
    for table in page.tables:
        _write_bytes(staging / csv_path(page, table), table_csv(table))
        downloads[table.key] = {
            "title": table.title,
            "csv": page.root + csv_path(page, table),
            "xlsx": page.root + xlsx_path(page),
        }
    html = render_html(page.template, root=page.root, downloads=downloads, **context)
    _write(staging / page.path, html)


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens Chinese correctly); text that Excel would take
    for a formula is prefixed with an apostrophe, so it stays text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if v is None else csv_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _copy_files(staging: Path, files: dict[str, Path]) -> set[str]:
    """Published PDFs and workbooks: copied once (their names carry the version)."""
    for site_path, source in files.items():
        target = staging / site_path
        if not (target.exists() and filecmp.cmp(source, target, shallow=False)):
            with replacing(target) as tmp:
                shutil.copyfile(source, tmp)
    return set(files)


def _search_entry(page: Page) -> dict[str, str]:
    """The page in the search catalogue that works from file:// (name, kind, detail, address)."""
    return {"n": page.search["name"], "k": page.search["kind"], "d": page.search["detail"], "u": page.path}


def _write_static(staging: Path, catalogue: list[dict[str, str]]) -> set[str]:
    _write(staging / "style.css", stylesheet())
    for name in STATIC:
        _write(staging / name, (TEMPLATES / name).read_text(encoding="utf-8"))
    text = json.dumps(catalogue, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    _write(staging / SEARCH_DATA, f"window.KAC_SEARCH = {text};\n")
    return {"style.css", SEARCH_DATA, *STATIC}


def _index_for_search(staging: Path) -> None:
    """Pagefind's extended build (Chinese segmentation) indexes the pages for full-text search
    when the site is served over HTTP; from file:// the catalogue of search-data.js is used."""
    shutil.rmtree(staging / "pagefind", ignore_errors=True)
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pagefind", "--site", str(staging), "--output-subdir", "pagefind"),
            *("--glob", FULL_TEXT_GLOB, "--quiet"),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        progress.warning("  全文检索索引未能生成(网站其余部分不受影响):%s", result.stderr.strip()[-500:])


# -- releases ------------------------------------------------------------------------------


def _adopt_current(site: Path, releases: Path) -> Path | None:
    """The current release; a site folder from before releases becomes the first release."""
    if site.is_symlink():
        return site.resolve() if site.exists() else None
    if site.is_dir():
        adopted = releases / _next_name(releases)
        site.rename(adopted)
        point_link(site, adopted)
        return adopted
    return None


def _sweep_superseded(releases: Path, current: Path | None, site: Path) -> threading.Thread:
    """Every release but the current one (the one before it, which readers may still be on, and
    any left by a run that was stopped) removed while the new one is built: unlinking thousands
    of files waits on the disk's journal, which on a busy machine took seconds of a month's run.
    One the site points at again by then (a failed run's restore, pipeline.publish.snapshot) is
    kept."""
    superseded = [p for p in releases.iterdir() if p.is_dir() and p != current]

    def sweep() -> None:
        for old in superseded:
            if not (site.exists() and site.resolve() == old):
                shutil.rmtree(old, ignore_errors=True)

    sweeping = threading.Thread(target=sweep)
    sweeping.start()
    return sweeping


def _fresh_staging(releases: Path, current: Path | None) -> Path:
    """A new release folder holding hard links to the current release's files."""
    staging = releases / f"{_next_name(releases)}.{os.getpid()}.partial"
    staging.mkdir()
    if current is None:
        return staging
    for folder, _, files in os.walk(current):
        rel = Path(folder).relative_to(current)
        (staging / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(folder) / name, staging / rel / name)
            except OSError:  # a file system without hard links (some shares): a copy
                shutil.copyfile(Path(folder) / name, staging / rel / name)
    return staging


def _next_name(releases: Path) -> str:
    numbers = [int(p.name.split(".")[0]) for p in releases.iterdir() if p.name.split(".")[0].isdigit()]
    return f"{max(numbers, default=0) + 1:06d}"


def _promote(staging: Path, site: Path, releases: Path) -> Path:
    release = staging.with_name(staging.name.split(".")[0])
    staging.rename(release)
    previous = site.resolve() if site.exists() else None
    point_link(site, release)
    for old in releases.iterdir():  # keep the one before, for readers still on its pages
        if old not in (release, previous) and old.is_dir():  # swept already, unless one was added
            shutil.rmtree(old)
    return release


def _read_manifest(release: Path | None) -> dict[str, str]:
    if release is None or not (release / MANIFEST).exists():
        return {}
    return json.loads((release / MANIFEST).read_text(encoding="utf-8"))


def _remove_orphans(staging: Path, wanted: set[str]) -> int:
    removed = 0
    for folder, _, files in os.walk(staging, topdown=False):
        rel = Path(folder).relative_to(staging)
        if rel.parts[:1] == ("pagefind",):
            continue
        for name in files:
            if (rel / name).as_posix() not in wanted:
                (Path(folder) / name).unlink()
                removed += 1
        if folder != str(staging) and not os.listdir(folder):
            os.rmdir(folder)
    return removed


# -- writing (only ever into the staging release) --------------------------------------------


def _write(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    """Into the staging release, which no reader sees: unlinking first keeps a hard link to the
    current release from being written through. A file already holding `data` is left as it is
    (a page's other tables often did not change)."""
    if path.exists():
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
