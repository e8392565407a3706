"""What the site shows of the marketing projects (营销项目), from the published projects.csv of
every month and the usage the site already holds: no month is read again per project.

A project's row on the site is its row of the latest month in which it appears (a project of an
earlier year keeps the figures of its last month). The per-project page recomputes the month-by-
month curve and the customers won with the analytics' own function (pipeline/analytics/projects.py
`project_result`) from the site's stacked usage and tiers, as of that month.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from pipeline.analytics.projects import PHASES, UsageByCustomer, phase_of, project_result, target_customers
from pipeline.core.privacy import mask_phones_in
from pipeline.ingest.projects import targets_of
from pipeline.ingest.reference import Reference
from pipeline.publish.projects import evaluation_name
from pipeline.site.paths import page_path

INDEX = "projects.html"


def project_page(project_id: str) -> str:
    """The page of a project (pipeline.site.paths)."""
    return page_path("projects", project_id, prefix="p-")


def latest_projects(projects: pd.DataFrame, as_of: str | None = None) -> pd.DataFrame:
    """Each project's row of the latest month in which it appears (column `month`), ordered by
    start month and id; its phase stated as of the site's month `as_of` (a project that ended in
    December is in no later month's table, and its row of then says 本月结束)."""
    if projects.empty:
        return projects.assign(month=pd.Series(dtype=str)) if "month" not in projects else projects
    last = projects.sort_values("month", kind="mergesort").drop_duplicates("project_id", keep="last")
    if as_of is not None:
        last = last.assign(phase=[PHASES[phase_of(r, max(as_of, r.month))] for r in last.itertuples()])
    return last.sort_values(["start", "project_id"], kind="mergesort").reset_index(drop=True)


def evaluation_of(project_id: str, evaluations: dict) -> tuple[str, object] | None:
    """(site path, source file) of the project's evaluation PDF, when one was written."""
    name = evaluation_name(project_id)
    source = evaluations.get(name)
    if source is None:
        return None
    return f"files/projects/{source.parent.name}/{name}", source


def led_projects(latest: pd.DataFrame, column: str) -> dict[str, list[dict]]:
    """The projects by their `column` (lead: the 牵头单位's name; manager_id), for the county and
    manager pages: id, name, cycle, phase and the page's link (one pass for all pages)."""
    out: dict[str, list[dict]] = {}
    for r in latest.itertuples():
        out.setdefault(getattr(r, column), []).append(
            {
                "project_id": r.project_id,
                "name": mask_phones_in(r.name),
                "href": project_page(r.project_id),
                "cycle": f"{r.start}—{r.end}",
                "phase": r.phase,
            }
        )
    return out


def as_project(row, ref: Reference) -> SimpleNamespace:
    """A projects.csv row as the register's project that `project_result` reads."""
    ids, rule, _ = targets_of(str(row.targets), ref)
    return SimpleNamespace(
        project_id=row.project_id,
        name=row.name,
        lead_name=row.lead,
        manager_id=row.manager_id,
        business_types=row.business_types,
        targets=row.targets,
        target_ids="、".join(ids),
        target_rule=rule,
        start=row.start,
        end=row.end,
        status=text(row.status),
        target_revenue_fen=int(row.target_revenue_fen),
        target_converted=int(row.target_converted),
        target_new_accounts=int(row.target_new_accounts),
        source_file="",
        source_row=0,
    )


def customers_of(project: SimpleNamespace, archive: pd.DataFrame) -> list[str]:
    """The project's target customers: its ids, or those of the (latest) archive its rule selects."""
    if project.target_ids:
        return project.target_ids.split("、")
    return target_customers(project, archive) if len(archive) else []


def result_detail(
    project: SimpleNamespace,
    month: str,
    usage: UsageByCustomer,
    tiers_by_month: dict[str, pd.DataFrame],
    months: list[str],
    archive: pd.DataFrame,
    ref: Reference,
    new_by_month: dict[str, set[str]] | None = None,
    left_out: str = "",
    first_month: str | None = None,
) -> dict:
    """The project's curve (k, month, revenue_fen or None, baseline_month, baseline_fen), its target
    customers (ids) and the customers won (customer_id, business_types, revenue_fen), as of
    `month`, computed by the analytics' own `project_result` with the months its published row
    left out (`left_out`, 、-joined) and the first month of data (`first_month`). `usage` and
    `tiers_by_month` may be cut to the projects' customers beforehand (nothing else is read)."""
    shown = {m: None for m in months if m <= month}
    if archive.empty:  # a rule selects from the archive: none shown, none selected
        archive = pd.DataFrame(columns=["customer_id", "nature", "county", "manager_id"])
    result = project_result(
        project,
        month,
        shown,
        tiers_by_month,
        archive,
        ref.business_order,
        usage,
        new_by_month,
        left_out=[m for m in left_out.split("、") if m],
        first_month=first_month,
    )
    return {"curve": result["_curve"], "won": result["_won"], "customers": customers_of(project, archive)}


def text(value: object) -> str:
    """A cell as text: blank for None and NaN."""
    return "" if value is None or value != value else str(value)
