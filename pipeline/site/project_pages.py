"""The site's marketing project pages (营销项目): an index of every project of the register
(projects.html) and a page per project (projects/<项目编号>.html) with its target customers, its
revenue against the baseline month by month (a small SVG chart) and the customers it won.

Built from tables the site has already loaded (projects.csv of every month, usage, tiers, the
archive): nothing is read again per project. The evaluation PDF of a project whose cycle has
ended (outputs/projects/YYYY-MM/) is copied into the site under files/projects/YYYY-MM/, as the
bulletins are. No pay and no personal data: the manager's name, as elsewhere on the site.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from pipeline.analytics.projects import UsageByCustomer, new_key_accounts_by_month
from pipeline.core.privacy import mask_phones_in
from pipeline.site.downloads import Table, exact_yuan
from pipeline.site.pages import Page, SitePages, customer_page
from pipeline.site.project_data import (
    INDEX,
    as_project,
    customers_of,
    evaluation_of,
    project_page,
    result_detail,
    text,
)
from pipeline.site.svg import baseline_chart

INDEX_HEADERS = [
    *("项目编号", "名称", "牵头单位", "负责客户经理", "开始月份", "结束月份", "阶段", "状态"),
    *("目标收入(元)", "应完成(元)", "周期内收入(元)", "基线收入(元)", "增减(元)"),
    *("转化客户", "目标转化", "新增大客户", "目标新增", "数据月份"),
]


class ProjectPages:
    """The project pages, and the lists of projects led by a county or a manager."""

    def __init__(self, site: SitePages):
        self.site = site

    @cached_property
    def _counties(self) -> dict[str, str]:
        archive = self.site.data.archive
        return dict(zip(archive.customer_id, archive.county.fillna(""), strict=True)) if len(archive) else {}

    @property
    def latest(self) -> pd.DataFrame:
        return self.site.projects

    def pages(self) -> list[Page]:
        rows = [self._row(r) for r in self.latest.itertuples()]
        pages = [self._index(rows)]
        if rows:
            data = self.site.data
            projects = [as_project(r, self.site.ref) for r in self.latest.itertuples()]
            # the usage and tiers of the projects' customers, cut once for all projects
            for p in projects:  # a rule resolved once against the archive: its ids from here on
                ids = customers_of(p, data.archive)
                if ids:
                    p.target_ids, p.target_rule = "、".join(ids), ""
            wanted = {c for p in projects for c in customers_of(p, data.archive)}
            usage = data.table("usage")
            first = str(usage.month.min()) if len(usage) else None  # before it is cut
            usage = UsageByCustomer(
                usage.loc[
                    usage.customer_id.isin(wanted), ["customer_id", "business_type", "revenue_fen", "month"]
                ]
            )
            tiers = data.table("tiers")
            tiers = tiers[tiers.customer_id.isin(wanted)]
            tiers_by_month = {m: t for m, t in tiers.groupby("month", sort=False)}
            new_by_month = new_key_accounts_by_month(tiers_by_month)
            for project, row in zip(projects, rows, strict=True):
                detail = result_detail(
                    project,
                    row["month"],
                    usage,
                    tiers_by_month,
                    data.months,
                    data.archive,
                    self.site.ref,
                    new_by_month,
                    row["months_left_out"],
                    first,
                )
                pages.append(self._page(row, detail))
        return pages

    # -- the index ----------------------------------------------------------------------------

    def _row(self, r) -> dict:
        county_codes = {name: code for code, name in self.site._counties()}
        evaluation = evaluation_of(r.project_id, self.site.data.evaluations)
        return {  # the register's free text as all staff read it: phone numbers masked
            "project_id": r.project_id,
            "name": mask_phones_in(r.name),
            "href": project_page(r.project_id),
            "lead": r.lead,
            "lead_href": f"counties/{county_codes[r.lead]}.html" if r.lead in county_codes else None,
            "manager_id": r.manager_id,
            "manager": self.site.manager_name.get(r.manager_id, r.manager_id),
            "manager_href": self.site.patches.manager_href(r.manager_id),
            "business_types": r.business_types,
            "targets": mask_phones_in(r.targets),
            "start": r.start,
            "end": r.end,
            "cycle_months": int(r.cycle_months),
            "elapsed_months": int(r.elapsed_months),
            "months_left_out": text(r.months_left_out),
            "phase": r.phase,
            "status": text(r.status),
            "target_customers": int(r.target_customers),
            "target_revenue_fen": int(r.target_revenue_fen),
            "target_revenue_due_fen": int(r.target_revenue_due_fen),
            "revenue_fen": int(r.revenue_fen),
            "baseline_revenue_fen": int(r.baseline_revenue_fen),
            "revenue_change_fen": int(r.revenue_change_fen),
            "new_business_revenue_fen": int(r.new_business_revenue_fen),
            "converted": int(r.converted),
            "target_converted": int(r.target_converted),
            "new_key_accounts": int(r.new_key_accounts),
            "target_new_accounts": int(r.target_new_accounts),
            "baseline_complete": r.baseline_complete,
            "month": r.month,
            "evaluation": evaluation[0] if evaluation else None,
            "evaluation_source": evaluation[1] if evaluation else None,
        }

    def _index(self, rows: list[dict]) -> Page:
        month = self.site.data.months[-1] if self.site.data.months else ""
        table = Table(
            "projects",
            f"营销项目({month})",
            INDEX_HEADERS,
            [
                [
                    *(r["project_id"], r["name"], r["lead"], r["manager"], r["start"], r["end"]),
                    *(r["phase"], r["status"], exact_yuan(r["target_revenue_fen"])),
                    exact_yuan(r["target_revenue_due_fen"]),
                    exact_yuan(r["revenue_fen"]),
                    exact_yuan(r["baseline_revenue_fen"]),
                    exact_yuan(r["revenue_change_fen"]),
                    *(r["converted"], r["target_converted"], r["new_key_accounts"]),
                    *(r["target_new_accounts"], r["month"]),
                ]
                for r in rows
            ],
        )
        files = {r["evaluation"]: r["evaluation_source"] for r in rows if r["evaluation"]}
        context = {"month": month, "rows": [_plain(r) for r in rows]}
        return Page(
            INDEX,
            "site_projects.html",
            context,
            tables=[table],
            files=files,
            search={"name": "营销项目", "kind": "营销项目", "detail": f"{len(rows)} 个"},
        )

    # -- a project's page ----------------------------------------------------------------------

    def _page(self, row: dict, detail: dict) -> Page:
        site = self.site
        counties = self._counties
        won = detail["won"]
        won_ids = set(won.customer_id)
        targets = [
            {
                "customer_id": mask_phones_in(c),  # an id as typed: text that was no id shows as read
                "name": site.names.get(c, ""),
                "href": customer_page(c) if c in site.key_customers else None,
                "county": counties.get(c, ""),
                "won": c in won_ids,
            }
            for c in detail["customers"]
        ]
        won_rows = [
            {
                "customer_id": w.customer_id,
                "name": site.names.get(w.customer_id, ""),
                "href": customer_page(w.customer_id) if w.customer_id in site.key_customers else None,
                "business_types": w.business_types,
                "revenue_fen": int(w.revenue_fen),
            }
            for w in won.itertuples()
        ]
        curve = [
            {
                "k": p["k"],
                "month": p["month"],
                "revenue_fen": p["revenue_fen"],
                "baseline_month": p["baseline_month"],
                "baseline_fen": p["baseline_fen"],
            }
            for p in detail["curve"]
        ]
        context = {"p": _plain(row), "targets": targets, "won": won_rows, "curve": curve}
        tables = [
            Table(
                "curve",
                f"{row['project_id']} 逐月收入与基线",
                ["周期第几月", "月份", "收入(元)", "基线月份", "基线收入(元)"],
                [
                    [
                        p["k"],
                        p["month"],
                        "" if p["revenue_fen"] is None else exact_yuan(p["revenue_fen"]),
                        p["baseline_month"],
                        exact_yuan(p["baseline_fen"]),
                    ]
                    for p in curve
                ],
            ),
            Table(
                "won",
                f"{row['project_id']} 争取到的客户",
                ["客户编号", "客户名称", "新增业务种类", "周期内新增业务收入(元)"],
                [
                    [w["customer_id"], w["name"], w["business_types"], exact_yuan(w["revenue_fen"])]
                    for w in won_rows
                ],
            ),
            Table(
                "targets",
                f"{row['project_id']} 目标客户",
                ["客户编号", "客户名称", "县(市)", "已争取"],
                [[t["customer_id"], t["name"], t["county"], "是" if t["won"] else ""] for t in targets],
            ),
        ]
        files = {row["evaluation"]: row["evaluation_source"]} if row["evaluation"] else {}
        return Page(
            row["href"],
            "site_project.html",
            context,
            tables=tables,
            files=files,
            search={
                "name": row["name"],
                "kind": "营销项目",
                "detail": f"{row['project_id']} · {row['lead']}",
            },
            finish=_with_chart,
        )


def _plain(row: dict) -> dict:
    """The row without its source path (a page's data is hashed and must not name the machine)."""
    return {k: v for k, v in row.items() if k != "evaluation_source"}


def _with_chart(context: dict) -> dict:
    curve, p = context["curve"], context["p"]
    chart = baseline_chart(
        [c["month"] for c in curve],
        [c["revenue_fen"] for c in curve],
        [c["baseline_fen"] for c in curve],
        f"{p['name']}:逐月收入与基线",
    )
    return {**context, "chart": chart}


def project_pages(site: SitePages) -> list[Page]:
    """projects.html and a page per project."""
    return ProjectPages(site).pages()
