"""Nothing outside outputs/restricted/ shows a figure from which a person's pay can be derived:
the site's pages and both bulletins are scanned for every manager's score and pay figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

MONTH = "2025-03"


def pdf_lines(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return text.stdout.splitlines()


def html_units(path: Path) -> list[str]:
    """Table rows and lines of a page, tags stripped: where a name and its figure would sit together."""
    text = path.read_text(encoding="utf-8")
    return [re.sub(r"<[^>]+>", " ", unit) for unit in re.split(r"<tr|\n", text)]


def personal_figures(layout) -> dict[str, tuple[set[str], set[str]]]:
    """manager → (what names the manager, the figures that reveal the manager's pay)."""
    cards = pd.read_csv(layout.restricted_pay(MONTH) / "scorecards.csv", dtype=str).set_index("manager_id")
    pay = pd.read_csv(layout.restricted_pay(MONTH) / "pay.csv", dtype=str).set_index("manager_id")
    out = {}
    for manager_id, row in pay.iterrows():
        figures = {
            f"{float(cards.loc[manager_id, 'total']):.2f}",
            row.total,
            row.performance_pay,
            row.marketing_reward,
        }
        out[manager_id] = (
            {manager_id, row["name"]},
            {f for f in figures if float(f)},
        )  # 0.00 reveals nothing
    return out


def leaks(units: list[str], people: dict) -> list[tuple[str, str]]:
    found = []
    for unit in units:
        for manager_id, (names, figures) in people.items():
            if any(n in unit for n in names):
                found += [
                    (manager_id, f) for f in figures if re.search(rf"(?<![\d.]){re.escape(f)}(?!\d)", unit)
                ]
    return found


def test_the_scan_finds_figures_where_they_belong(published):
    """The restricted summary workbook has each person's pay beside the name: the scan must see it."""
    people = personal_figures(published)
    (xlsx,) = (published.restricted_pay(MONTH) / "v1").glob("薪酬汇总_*.xlsx")
    rows = load_workbook(xlsx, read_only=True).worksheets[0].iter_rows(values_only=True)  # 汇总(草稿)
    units = [" ".join(f"{v:.2f}" if isinstance(v, int | float) else str(v) for v in row) for row in rows]
    found = {manager_id for manager_id, _ in leaks(units, people)}
    assert found == set(people)


def test_no_site_page_or_bulletin_shows_a_persons_score_or_pay(published):
    people = personal_figures(published)
    pages = sorted((published.outputs / "site-releases").rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        assert leaks(html_units(page), people) == [], page
    for pdf in sorted(published.bulletins(MONTH).rglob("*.pdf")):
        assert leaks(pdf_lines(pdf), people) == [], pdf
    for path in (published.outputs / "site-releases").rglob("*"):
        assert "restricted" not in path.name and "薪酬" not in path.name


def test_exact_scores_are_only_under_restricted(published):
    """The scorecards reveal pay (业绩工资 = 800 × total/100): not among the tables every tool reads."""
    assert (published.restricted_pay(MONTH) / "scorecards.csv").exists()
    assert not [p for p in (published.outputs / "tables").rglob("scorecards.*")]


def test_dagster_s_stored_pay_and_scores_are_under_restricted_too(published, tmp_path):
    """The asset values Dagster keeps (pickles of the pay and the exact scorecards) are pay too:
    under restricted/, none beside the instance; a deployment that kept them there before has
    them moved, whole, the first time its definitions load."""
    from assets.definitions import build_defs
    from pipeline.core.layout import REPO, Layout

    for asset in ("pay", "scorecards_table"):
        assert (published.storage / asset / f"{MONTH}-01").is_file()
    assert published.storage.is_relative_to(published.outputs / "restricted")
    assert not published.old_storage.exists()

    older = Layout(tmp_path / "inputs", tmp_path / "outputs")
    shutil.copytree(REPO / "inputs" / "reference", older.reference)
    (older.old_storage / "pay").mkdir(parents=True)
    (older.old_storage / "pay" / f"{MONTH}-01").write_bytes(b"stored pay")
    build_defs(older.inputs, older.outputs)
    assert (older.storage / "pay" / f"{MONTH}-01").read_bytes() == b"stored pay"
    assert not older.old_storage.exists()
