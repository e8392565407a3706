"""The static site: opens from a file share (file://), relative links only, no pay data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from pipeline.bulletin import charts
from pipeline.render import render_html, stylesheet


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


DOWNLOAD_LABELS = {
    "bulletin": "信息简报 PDF",
    "brief": "信息参考 PDF",
    "quarterly_pdf": "大客户用邮情况表 PDF",
    "quarterly_xlsx": "大客户用邮情况表 Excel",
}


def publish_month(site: Path, content: dict, version: int, downloads: dict[str, Path]) -> Path:
    """The month's page and its downloads; the content is kept for the home page."""
    month = content["month"]
    files = site / "files" / month
    files.mkdir(parents=True, exist_ok=True)
    keep = {p.name for p in downloads.values()}
    for old in files.iterdir():
        if old.name not in keep:
            old.unlink()
    links = []
    for key, path in downloads.items():
        shutil.copyfile(path, files / path.name)
        links.append({"label": DOWNLOAD_LABELS.get(key, path.name), "href": f"../files/{month}/{path.name}"})
    b = {**content, "version": version, "downloads": links, "charts": charts(content)}
    page = site / "months" / f"{month}.html"
    _write(page, render_html("site_month.html", b=b, root="../"))
    _write(
        site / "data" / f"{month}.json",
        json.dumps({**content, "version": version}, ensure_ascii=False, sort_keys=True),
    )
    return page


def publish_problems(site: Path, content: dict, problems: pd.DataFrame, rejected_rows: pd.DataFrame) -> Path:
    """The operators' page: every problem with its cell and what to do, and the rows not used."""
    by_county = [
        {"county": county, "problems": group.to_dict("records")}
        for county, group in problems.sort_values(["county", "severity"], kind="stable").groupby(
            "county", sort=False
        )
    ]
    page = site / "problems" / f"{content['month']}.html"
    html = render_html(
        "site_problems.html",
        b=content,
        by_county=by_county,
        errors=int((problems.severity == "error").sum()),
        warnings=int((problems.severity == "warning").sum()),
        rejected_rows=rejected_rows.to_dict("records"),
        root="../",
    )
    _write(page, html)
    return page


def publish_survey(site: Path, wave: str, content: dict, pdf: Path) -> Path:
    """A survey wave's page and its report; the home page links every wave published."""
    files = site / "files" / "surveys" / wave
    files.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pdf, files / pdf.name)
    page = site / "surveys" / f"{wave}.html"
    s = {**content, "report_href": f"../files/surveys/{wave}/{pdf.name}"}
    _write(page, render_html("site_survey.html", s=s, root="../"))
    return page


def build_home(site: Path) -> Path:
    """Home page: the latest month's headline and a link to every published month."""
    months = sorted(
        (json.loads(p.read_text(encoding="utf-8")) for p in (site / "data").glob("*.json")),
        key=lambda c: c["month"],
        reverse=True,
    )
    _write(site / "style.css", stylesheet())
    home = site / "index.html"
    surveys = sorted((p.stem for p in (site / "surveys").glob("*.html")), reverse=True)
    _write(
        home,
        render_html(
            "site_home.html",
            surveys=surveys,
            latest=months[0] if months else None,
            months=months,
            root="",
        ),
    )
    return home
