"""What the static site shows, read back from the published outputs (tables, editions, surveys).

The site is derived from files the month runs have already written, never from memory: a page
shows what was published, and any month can be rebuilt without re-running its analytics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.core.layout import Layout
from pipeline.core.privacy import mask_phones_in_column
from pipeline.core.tables import read_table, rows_not_used
from pipeline.feedback.month import read_index
from pipeline.publish.corrections import correction_notes, read_content
from pipeline.publish.editions import read_manifest

# Columns read per table (absent tables or columns read as empty: an older month may lack them).
TABLE_COLUMNS = {
    "usage": ["month", "county", "customer_id", "business_type", "volume", "revenue_fen", "manager_id"],
    "tiers": ["customer_id", "county", "tier", "reasons", "change", "manager_id"],
    "alerts": [
        *("customer_id", "county", "manager_id", "kind", "this_month_fen", "reference_fen", "ratio", "basis"),
    ],
    "visits": ["date", "customer_id", "manager_id", "method", "content", "county"],
    "submissions": ["county", "status", "file", "rows", "errors", "warnings", "report_date"],
    # 市场研究 (the competitor pages)
    "competitors": [
        *("competitor", "county", "business_type", "matched", "key_accounts", "revenue_fen", "revenue_share"),
        "written",
    ],
    "competitor_mentions": [
        "customer_id",
        "county",
        "kind",
        "name",
        "matched",
        "written",
        "trailing_revenue_fen",
    ],
    # 营销项目 (the project pages): every month's projects.csv, the latest row of each project shown
    "projects": [
        *("project_id", "name", "lead", "manager_id", "business_types", "targets", "start", "end"),
        *(
            "cycle_months",
            "elapsed_months",
            "months_left_out",
            "phase",
            "target_customers",
            "target_revenue_fen",
        ),
        *("target_revenue_due_fen", "revenue_fen", "baseline_revenue_fen", "revenue_change_fen"),
        *("new_business_revenue_fen", "converted", "target_converted", "new_key_accounts"),
        *("target_new_accounts", "baseline_complete", "status"),
    ],
    "county_scorecards": [
        *("county", "submission", "data_quality", "visit_rate", "half_year", "archive", "cases"),
        *("retention", "csat", "total", "possible", "rate", "rank", "held", "plans", "plans_verdict"),
    ],
}


# Tables read for the latest month only (叠加使用、浮动定价、市场研究 on the customer, manager and
# market pages): what they show is the month's state, and business_breadth carries its own trend.
LATEST_TABLES = {
    "cross_sell": [
        *("customer_id", "county", "manager_id", "business_type", "rank", "scope", "peers", "users"),
        *("uptake", "median_revenue_fen"),
    ],
    "cross_sell_by_manager": [
        *("manager_id", "manager_rank", "customer_id", "county", "business_type", "customer_rank"),
        *("scope", "uptake", "median_revenue_fen"),
    ],
    "pricing_bands": [
        *("customer_id", "business_type", "measure", "trailing_volume", "trailing_revenue_fen", "band"),
        *("band_label", "next_label", "to_next_volume", "to_next_revenue_fen", "previous_label", "change"),
        *("agreed_label", "agreement"),
    ],
    "needs": ["need", "county", "served_by", "unserved", "matched", "key_accounts", "revenue_fen", "written"],
    "business_breadth": [
        *("month", "key_accounts", "none", "one", "two", "three_plus"),
        *("share_one", "share_two", "share_three_plus", "window_months"),
    ],
}


@dataclass
class Edition:
    """One published version of a month: its content and its files (relative to the month folder)."""

    month: str
    version: int
    content: dict
    files: dict[str, Path]
    corrections: dict | None = None
    folder: Path | None = None  # the version's folder (its content and charts kept there)


@dataclass
class SiteData:
    months: list[str]  # months with tables, oldest first, up to the latest published
    editions: dict[str, list[Edition]]  # month -> versions, oldest first
    tables: dict[str, pd.DataFrame]  # name -> all months stacked, with a `month` column
    archive: pd.DataFrame  # customer archive as of the latest month
    problems: dict[str, tuple[pd.DataFrame, pd.DataFrame]]  # month -> (problems, rejected rows)
    surveys: dict[str, dict] = field(default_factory=dict)  # wave -> report content and PDF
    feedback: dict[str, dict[str, str]] = field(default_factory=dict)  # month -> county -> 问题反馈 file
    cases: pd.DataFrame = field(default_factory=pd.DataFrame)  # the case register as of the latest month
    evaluations: dict[str, Path] = field(default_factory=dict)  # 项目评估 PDF name -> its latest file
    month_tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # LATEST_TABLES, latest month

    @property
    def latest(self) -> Edition | None:
        return self.editions[max(self.editions)][-1] if self.editions else None

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def load_site_data(layout: Layout) -> SiteData:
    editions = {
        m: eds for m in _months_with(layout.outputs / "bulletins") if (eds := read_editions(layout, m))
    }
    last = max(editions) if editions else ""
    months = [m for m in _months_with(layout.outputs / "tables") if m <= last]
    tables = {name: _stacked(layout, months, name, columns) for name, columns in TABLE_COLUMNS.items()}
    archive = _read(layout.tables(last) / "archive.parquet", None) if last else pd.DataFrame()
    if "name" in archive:  # a number typed into a customer's name is shown masked like any other
        archive = archive.assign(name=mask_phones_in_column(archive.name))
    problems = {
        m: (
            _read(layout.tables(m) / "problems.parquet", None),
            rows_not_used(layout.tables(m)),
        )
        for m in editions
    }
    feedback = {m: feedback_files(layout, m) for m in editions}
    cases = _read(layout.tables(last) / "cases.parquet", None) if last else pd.DataFrame()
    evaluations = evaluation_files(layout, months)
    latest = {
        name: _read(layout.tables(last) / f"{name}.parquet", columns)
        if last
        else pd.DataFrame(columns=columns)
        for name, columns in LATEST_TABLES.items()
    }
    return SiteData(
        months,
        editions,
        tables,
        archive,
        problems,
        read_surveys(layout),
        feedback,
        cases,
        evaluations,
        latest,
    )


def evaluation_files(layout: Layout, months: list[str]) -> dict[str, Path]:
    """The projects' evaluation PDFs (outputs/projects/YYYY-MM/项目评估_*.pdf) of the months shown,
    by file name; a later month's file of the same name wins."""
    out: dict[str, Path] = {}
    for month in months:
        folder = layout.outputs / "projects" / month
        if folder.is_dir():
            out.update({p.name: p for p in sorted(folder.glob("项目评估_*.pdf"))})
    return out


def feedback_files(layout: Layout, month: str) -> dict[str, str]:
    """County → the name of its 问题反馈 workbook under outputs/feedback/YYYY-MM/ (linked from the
    problems page, never copied into the site)."""
    folder = layout.feedback(month)
    return {
        county: entry["workbook"]
        for county, entry in read_index(folder).items()
        if entry.get("workbook") and (folder / entry["workbook"]).is_file()
    }


def read_editions(layout: Layout, month: str) -> list[Edition]:
    """Every version of `month` whose content was kept, with the 更正说明 against the one before."""
    folder = layout.bulletins(month)
    out: list[Edition] = []
    for entry in read_manifest(folder)["versions"]:
        content = read_content(folder / f"v{entry['version']}")
        if content is None:
            continue
        files = {k: folder / v for k, v in entry["files"].items() if (folder / v).exists()}
        first = out[0].content if len(out) > 1 else None  # from 第3版 on: also against 第1版
        notes = correction_notes(out[-1].content, content, out[-1].version, first) if out else None
        out.append(Edition(month, entry["version"], content, files, notes, folder / f"v{entry['version']}"))
    return out


def read_surveys(layout: Layout) -> dict[str, dict]:
    folder = layout.outputs / "bulletins" / "surveys"
    waves = {}
    for path in sorted(folder.glob("*/content.json")):
        survey = json.loads(path.read_text(encoding="utf-8"))
        wave = path.parent.name
        if (path.parent / survey["report"]).exists():
            # the questionnaires' problems, for the operator to take back to the counties
            problems = _read(layout.survey_tables(wave) / "problems.parquet", None)
            waves[wave] = {**survey, "report_path": path.parent / survey["report"], "problems": problems}
    return waves


def _months_with(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and len(p.name) == 7 and p.name[4] == "-")


def _stacked(layout: Layout, months: list[str], name: str, columns: list[str]) -> pd.DataFrame:
    frames = []
    for month in months:
        frame = _read(layout.tables(month) / f"{name}.parquet", columns)
        if len(frame):
            frames.append(frame.assign(month=month))
    if not frames:
        return pd.DataFrame(columns=list(dict.fromkeys([*columns, "month"])))
    return pd.concat(frames, ignore_index=True)


def _read(path: Path, columns: list[str] | None) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=columns or [])
    frame = read_table(path, columns)
    if columns is None:
        return frame
    for column in columns:
        if column not in frame:
            frame[column] = None
    return frame[columns]
