"""The pages of the static site, as plain data: which page, which template, what it shows.

Each page also names its tables (offered as CSV and xlsx downloads) and, for search, what it
is called. Expensive parts (charts) are added by `finish` only when the page must be rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote

import pandas as pd

from pipeline.analytics.alerts import KIND_LABELS
from pipeline.analytics.cases import STATUS_LABELS as CASE_STATUS_LABELS
from pipeline.analytics.cases import TYPE_LABELS as CASE_TYPE_LABELS
from pipeline.analytics.tiers import CHANGE_LABELS, KEY_TIERS, TIER_LABELS
from pipeline.core.privacy import mask_phone, mask_phones_in
from pipeline.ingest.reference import Reference
from pipeline.ingest.submissions import STATUS_LABELS
from pipeline.publish.bulletin import TREND_MONTHS, alert_wording, charts, records
from pipeline.site.centres import centres_pages
from pipeline.site.data import Edition, SiteData
from pipeline.site.downloads import Table, download_label, exact_yuan, labelled, month_tables
from pipeline.site.managers import Patches, customer_chart
from pipeline.site.market_sections import (
    bands_by_customer,
    bands_table,
    cross_sell_by_customer,
    cross_sell_table,
)
from pipeline.site.paths import page_path
from pipeline.site.project_data import latest_projects, led_projects

TOP_CUSTOMERS = 20


@dataclass
class Page:
    path: str  # relative to the site root, e.g. "customers/C5134010001.html"
    template: str
    context: dict
    tables: list[Table] = field(default_factory=list)
    files: dict[str, object] = field(default_factory=dict)  # site path -> source file (PDFs)
    search: dict | None = None  # {"name", "kind", "detail"} for the search catalogue
    finish: Callable[[dict], dict] | None = None  # adds what is costly to make (charts)

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")


def customer_page(customer_id: str) -> str:
    """The page of a key account (pipeline.site.paths)."""
    return page_path("customers", customer_id)


def masked(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """`frame` with the phone numbers in its text `columns` masked (a column it lacks is left out)."""
    present = [c for c in columns if c in frame]
    return frame.assign(**{c: frame[c].map(mask_phones_in) for c in present}) if present else frame


def feedback_link(month: str, name: str | None) -> dict:
    """The link from the problems page (problems/YYYY-MM.html) to a county's 问题反馈 workbook,
    which stays in outputs/feedback/, beside the site: the site is read by all staff and shows
    phone numbers masked, the workbook goes back to its county as the county wrote it."""
    if not name:
        return {"feedback": "", "feedback_name": ""}
    return {"feedback": f"../../feedback/{month}/{quote(name)}", "feedback_name": name}


class SitePages:
    """Builds every page of the site from the published outputs."""

    def __init__(self, data: SiteData, ref: Reference):
        self.data = data
        self.ref = ref
        self.manager_name = ref.manager_names
        self.names = self._customer_names()
        tiers = data.table("tiers")
        self.key_customers = set(tiers.customer_id[tiers.tier.isin(KEY_TIERS)])
        self.trend_months = data.months[-TREND_MONTHS:]

    def all(self) -> Iterator[Page]:
        """Every page, one after another (a province has ≈ 17,000: the caller writes them as
        they come rather than holding them all)."""
        yield self.home()
        for month, editions in self.data.editions.items():
            yield self.month(editions[-1], editions)
            yield from (self.month(e, editions, superseded=True) for e in editions[:-1])
            yield self.problems(month)
        yield from (self.county(code, name) for code, name in self._counties())
        yield from (self.business(code, name) for code, name in self._business_types())
        yield from self.customers()
        yield from self.patches.pages()  # each manager's page (pipeline/site/managers.py)
        yield from (self.survey(wave, s) for wave, s in self.data.surveys.items())
        yield self.search_page()
        yield from centres_pages(self.data, [name for _, name in self._counties()])

    # -- shared ----------------------------------------------------------------------------

    @cached_property
    def patches(self) -> Patches:
        """The managers' patches (分片管理): their pages, and their parts of the customer and
        county pages."""
        return Patches(self)

    @cached_property
    def projects(self) -> pd.DataFrame:
        """营销项目: each project's row of the latest month it appears in (pipeline/site/project_data.py)."""
        return latest_projects(
            self.data.tables.get("projects", pd.DataFrame(columns=["project_id", "month"])),
            self.data.months[-1] if self.data.months else None,
        )

    @cached_property
    def market_by_customer(self) -> dict[str, dict[str, list[dict]]]:
        """叠加使用 and 浮动定价 of the latest month, cut by customer once (market_sections.py)."""
        tables = self.data.month_tables
        empty = pd.DataFrame()
        return {
            "cross_sell": cross_sell_by_customer(tables.get("cross_sell", empty)),
            "bands": bands_by_customer(tables.get("pricing_bands", empty), self.ref.business_units),
        }

    @cached_property
    def projects_led(self) -> dict[str, dict[str, list[dict]]]:
        """The projects by 牵头单位 (`lead`) and by manager (`manager_id`), for their pages."""
        return {column: led_projects(self.projects, column) for column in ("lead", "manager_id")}

    def _customer_names(self) -> dict[str, str]:
        archive = self.data.archive
        if archive.empty:
            return {}
        return dict(zip(archive.customer_id, archive.name.fillna(""), strict=True))

    def _business_types(self) -> list[tuple[str, str]]:
        return list(zip(self.ref.business_types.code, self.ref.business_types.name, strict=True))

    def _counties(self) -> list[tuple[str, str]]:
        return list(zip(self.ref.counties.code, self.ref.counties.name, strict=True))

    def _link(self, customer_id: str) -> str | None:
        return customer_page(customer_id) if customer_id in self.key_customers else None

    def _trend(self, usage: pd.DataFrame) -> list[dict]:
        """Per month of the trend window: customers, 用邮量, revenue (blank before data exists)."""
        usage = usage[usage.month.isin(self.trend_months)]
        totals = usage.groupby("month").agg(
            customers=("customer_id", "nunique"), volume=("volume", "sum"), revenue_fen=("revenue_fen", "sum")
        )
        return [
            {
                "month": m,
                "customers": int(totals.customers.get(m, 0)),
                "volume": int(totals.volume.get(m, 0)),
                "revenue_fen": int(totals.revenue_fen.get(m, 0)),
            }
            for m in self.trend_months
        ]

    @staticmethod
    def _trend_table(trend: list[dict]) -> Table:
        return Table(
            "trend",
            "近13个月趋势",
            ["月份", "用邮客户数", "用邮量", "收入(元)"],
            [[r["month"], r["customers"], r["volume"], exact_yuan(r["revenue_fen"])] for r in trend],
        )

    # -- pages -------------------------------------------------------------------------------

    def home(self) -> Page:
        latest = self.data.latest
        months = [
            {"month": m, "label": eds[-1].content["month_label"], "version": eds[-1].version}
            for m, eds in sorted(self.data.editions.items(), reverse=True)
        ]
        alerts = latest.content["alerts"]["rows"][:10] if latest else []
        context = {
            "latest": {**latest.content, "version": latest.version} if latest else None,
            "alerts": [{**a, "href": self._link(a["customer_id"])} for a in alerts],
            "months": months,
            "counties": [{"code": c, "name": n} for c, n in self._counties()],
            "business_types": [{"code": c, "name": n} for c, n in self._business_types()],
            "surveys": [{"wave": w, "label": s["wave_label"]} for w, s in sorted(self.data.surveys.items())],
            "centres": not self.data.tables.get("county_scorecards", pd.DataFrame()).empty,
        }
        return Page("index.html", "site_home.html", context)

    def month(self, edition: Edition, editions: list[Edition], superseded: bool = False) -> Page:
        month, version = edition.month, edition.version
        stem = f"months/{month}" + (f"-v{version}" if superseded else "")
        files = {f"files/{month}/v{version}/{p.name}": p for p in edition.files.values()}
        content = {
            **edition.content,
            "version": version,
            "corrections": edition.corrections,
            "downloads": [
                {"label": download_label(key, path.name), "href": f"../files/{month}/v{version}/{path.name}"}
                for key, path in sorted(edition.files.items())
            ],
        }
        others = [
            {
                "version": e.version,
                "href": f"{month}-v{e.version}.html" if e is not editions[-1] else f"{month}.html",
            }
            for e in editions
        ]
        links = {r["customer_id"]: self._link(r["customer_id"]) for r in _customers_named(edition.content)}
        context = {
            "b": content,
            "w": alert_wording(self.ref.rules.for_month(month)),
            "versions": others,
            "superseded": superseded,
            "latest_version": editions[-1].version,
            "customer_links": {k: v for k, v in links.items() if v},
        }
        return Page(
            f"{stem}.html",
            "site_month.html",
            context,
            tables=month_tables(edition.content),
            files=files,
            finish=lambda c: {**c, "b": {**c["b"], "charts": charts(c["b"], edition.folder)}},
        )

    def problems(self, month: str) -> Page:
        problems, rejected = (labelled(f) for f in self.data.problems[month])
        # what a county typed is shown (and downloaded) with its phone numbers masked: a rejected
        # row carries every cell of it, a case's 内容 too; the 问题反馈 workbook keeps them whole
        problems = masked(problems, ("value", "message"))
        rejected = masked(rejected, ("values",))
        content = self.data.editions[month][-1].content
        feedback = self.data.feedback.get(month, {})
        by_county = [
            {"county": county, "problems": records(group), **feedback_link(month, feedback.get(county))}
            for county, group in problems.sort_values(["county", "severity"], kind="stable").groupby(
                "county", sort=False, dropna=False
            )
        ]
        context = {
            "b": {"month": month, "month_label": content["month_label"]},
            "by_county": by_county,
            "errors": int((problems.severity == "error").sum()) if len(problems) else 0,
            "warnings": int((problems.severity == "warning").sum()) if len(problems) else 0,
            "rejected_rows": records(rejected),
        }
        columns = ["severity_label", "label", "county", "file", "sheet", "cell", "value", "message"]
        table = Table(
            "problems",
            "报表问题清单",
            ["级别", "问题", "县(市)", "文件", "工作表", "单元格", "原值", "处理意见"],
            [[r.get(c) for c in columns] for r in records(problems)] if len(problems) else [],
        )
        return Page(f"problems/{month}.html", "site_problems.html", context, tables=[table])

    @cached_property
    def _by_county(self) -> dict[str, dict[str, pd.DataFrame]]:
        """Each county's slice of what its page shows, cut once (a province has hundreds)."""
        last = self.data.months[-1] if self.data.months else ""
        usage, tiers = self.data.table("usage"), self.data.table("tiers")
        parts = {
            "trend": usage[usage.month.isin(self.trend_months)],
            "revenue": usage[usage.month == last]
            .groupby(["county", "customer_id"], as_index=False)
            .revenue_fen.sum(),
            "keys": tiers[(tiers.month == last) & tiers.tier.isin(KEY_TIERS)],
            "submissions": self.data.table("submissions"),
        }
        out: dict[str, dict[str, pd.DataFrame]] = {}
        for part, frame in parts.items():
            for county, rows in frame.groupby("county", sort=False):
                out.setdefault(county, {})[part] = rows
        return out

    def county(self, code: str, name: str) -> Page:
        parts = self._by_county.get(name, {})
        empty = pd.DataFrame(columns=["month", "customer_id", "volume", "revenue_fen"])
        trend = self._trend(parts.get("trend", empty))
        last = self.data.months[-1] if self.data.months else ""
        keys = parts.get("keys", self.data.table("tiers").iloc[0:0])
        revenue = parts.get("revenue", empty).set_index("customer_id").revenue_fen
        key_rows = [
            {
                "customer_id": r.customer_id,
                "name": self.names.get(r.customer_id, ""),
                "href": self._link(r.customer_id),
                "tier": TIER_LABELS[r.tier],
                "reasons": r.reasons or "",
                "manager": self.manager_name.get(r.manager_id, r.manager_id or ""),
                "manager_href": self.patches.manager_href(r.manager_id),
                "revenue_fen": int(revenue.get(r.customer_id, 0)),
            }
            for r in keys.itertuples()
        ]
        key_rows.sort(key=lambda r: (-r["revenue_fen"], r["customer_id"]))
        subs = parts.get("submissions", self.data.table("submissions").iloc[0:0])
        history = [
            {**r, "status_label": STATUS_LABELS.get(r["status"], r["status"])}
            for r in records(subs.sort_values("month", ascending=False))
        ]
        context = {
            "code": code,
            "name": name,
            "month": last,
            "trend": trend,
            "keys": key_rows,
            "history": history,
        }
        patch, patch_tables = self.patches.county_part(name)
        context.update(patch)
        context["projects_led"] = self.projects_led["lead"].get(name, [])
        tables = [
            self._trend_table(trend),
            Table(
                "key_accounts",
                f"大客户名单({last})",
                ["客户编号", "客户名称", "级别", "依据", "客户经理", "本月收入(元)"],
                [
                    [
                        r["customer_id"],
                        r["name"],
                        r["tier"],
                        r["reasons"],
                        r["manager"],
                        exact_yuan(r["revenue_fen"]),
                    ]
                    for r in key_rows
                ],
            ),
            Table(
                "submissions",
                "报送记录",
                ["月份", "状态", "文件", "行数", "错误", "提示", "报送日期"],
                [
                    [
                        h["month"],
                        h["status_label"],
                        h["file"],
                        h["rows"],
                        h["errors"],
                        h["warnings"],
                        h["report_date"],
                    ]
                    for h in history
                ],
            ),
        ]
        tables += patch_tables
        return Page(
            f"counties/{code}.html",
            "site_county.html",
            context,
            tables=tables,
            search={"name": name, "kind": "县(市)", "detail": f"大客户 {len(key_rows)} 户"},
        )

    def business(self, code: str, name: str) -> Page:
        usage = self.data.table("usage")
        mine = usage[usage.business_type == name]
        trend = self._trend(mine)
        last = self.data.months[-1] if self.data.months else ""
        now = mine[mine.month == last]
        by_county = (
            now.groupby("county")
            .agg(volume=("volume", "sum"), revenue_fen=("revenue_fen", "sum"))
            .reset_index()
        )
        by_county = by_county.sort_values(["revenue_fen", "county"], ascending=[False, True])
        top = (
            now.groupby(["customer_id", "county"], as_index=False)
            .agg(volume=("volume", "sum"), revenue_fen=("revenue_fen", "sum"))
            .sort_values(["revenue_fen", "customer_id"], ascending=[False, True])
            .head(TOP_CUSTOMERS)
        )
        top_rows = [
            {**r, "name": self.names.get(r["customer_id"], ""), "href": self._link(r["customer_id"])}
            for r in records(top)
        ]
        context = {
            "code": code,
            "name": name,
            "unit": self.ref.business_units.get(name, ""),
            "month": last,
            "trend": trend,
            "by_county": records(by_county),
            "top": top_rows,
        }
        tables = [
            self._trend_table(trend),
            Table(
                "by_county",
                f"分县(市)({last})",
                ["县(市)", "用邮量", "收入(元)"],
                [[r["county"], r["volume"], exact_yuan(r["revenue_fen"])] for r in context["by_county"]],
            ),
            Table(
                "top_customers",
                f"前{TOP_CUSTOMERS}大客户({last})",
                ["客户编号", "客户名称", "县(市)", "用邮量", "收入(元)"],
                [
                    [r["customer_id"], r["name"], r["county"], r["volume"], exact_yuan(r["revenue_fen"])]
                    for r in top_rows
                ],
            ),
        ]
        return Page(
            f"business/{code}.html",
            "site_business.html",
            context,
            tables=tables,
            search={"name": name, "kind": "业务种类", "detail": ""},
        )

    def customers(self) -> Iterator[Page]:
        """One page per customer that was a key account in any month shown, made a batch of
        customers at a time: their rows as plain dicts take ≈ 60 KB a customer (≈ 1 GB for a
        province's 16,000), so a batch is written before the next is made."""
        keys = self.key_customers
        usage = self.data.table("usage")
        usage = (
            usage[usage.customer_id.isin(keys)]
            .groupby(["customer_id", "month", "business_type"], as_index=False)[["volume", "revenue_fen"]]
            .sum()
        )
        frames = {
            "usage": (usage, ["month", "business_type"], [False, True]),
            "tiers": (self._only(keys, "tiers"), ["month"], [False]),
            "visits": (self._only(keys, "visits"), ["date"], [False]),
            "alerts": (self._only(keys, "alerts"), ["month"], [False]),
            "cases": (self._cases_of(keys), ["opened", "case_id"], [False, True]),
        }
        archive = self.data.archive
        ordered = sorted(keys)
        for start in range(0, len(ordered), CUSTOMER_PAGES_AT_ONCE):
            batch = ordered[start : start + CUSTOMER_PAGES_AT_ONCE]
            rows = {
                name: _rows_by_customer(frame[frame.customer_id.isin(batch)], by, ascending)
                for name, (frame, by, ascending) in frames.items()
            }
            mine = archive[archive.customer_id.isin(batch)] if len(archive) else archive
            plain = mine.astype(object).where(mine.notna(), None)
            info = {r["customer_id"]: r for r in plain.to_dict("records")}
            for c in batch:
                yield self.customer(c, info.get(c, {}), {name: rows[name].get(c, []) for name in rows})

    def _cases_of(self, customers: set[str]) -> pd.DataFrame:
        cases = self.data.cases
        if cases.empty:
            return pd.DataFrame(columns=["customer_id", "opened", "case_id"])
        return cases[cases.customer_id.isin(customers)]

    def _only(self, customers: set[str], table: str) -> pd.DataFrame:
        frame = self.data.table(table)
        return frame[frame.customer_id.isin(customers)]

    def customer(self, customer_id: str, info: dict, rows: dict[str, list[dict]]) -> Page:
        now = rows["tiers"][0] if rows["tiers"] else {}
        manager_id = info.get("manager_id") or now.get("manager_id") or ""
        person = {
            "customer_id": customer_id,
            "name": self.names.get(customer_id, ""),
            "county": info.get("county") or now.get("county") or "",
            "address": mask_phones_in(info.get("address")),
            "contact": mask_phones_in(info.get("contact")),
            "phone": mask_phone(info.get("phone")),
            "nature": info.get("nature") or "",
            "manager": self.manager_name.get(manager_id, manager_id),
            "tier": TIER_LABELS.get(now.get("tier"), ""),
            "reasons": now.get("reasons") or "",
            "month": now.get("month", ""),
        }
        tier_rows = [
            {
                "month": r["month"],
                "tier": TIER_LABELS.get(r["tier"], r["tier"]),
                "reasons": r["reasons"] or "",
                "change": CHANGE_LABELS.get(r["change"], r["change"] or ""),
            }
            for r in rows["tiers"]
        ]
        visits = [
            {
                "date": str(r["date"])[:10],
                "method": r["method"] or "",
                "manager": self.manager_name.get(r["manager_id"], r["manager_id"] or ""),
                "content": mask_phones_in(r["content"]),
            }
            for r in rows["visits"]
        ]
        alerts = [
            {
                "month": r["month"],
                "kind": KIND_LABELS.get(r["kind"], r["kind"]),
                "this_month_fen": r["this_month_fen"],
                "reference_fen": r["reference_fen"],
                "ratio": r["ratio"],
                "basis": r["basis"] or "",
            }
            for r in rows["alerts"]
        ]
        cases = [
            {
                "opened": r["opened"],
                "type": CASE_TYPE_LABELS.get(r["type"], r["type"]),
                "business_type": r["business_type"] or "",
                "content": mask_phones_in(r["content"]),
                "mail_no": r["mail_no"] or "",
                "claim_amount_fen": r["claim_amount_fen"],
                "closed": r["closed"] or "",
                "result": mask_phones_in(r["result"]),
                "status": CASE_STATUS_LABELS.get(r["status"], r["status"]),
                "overdue": r["status"] in ("overdue", "closed_late"),
                "age_days": int(r["age_days"]),
                "limit_days": int(r["limit_days"]),
                "manager": self.manager_name.get(r["manager_id"], r["manager_id"] or ""),
            }
            for r in rows.get("cases", [])
        ]
        usage_rows = [
            {
                "month": r["month"],
                "business_type": r["business_type"],
                "volume": int(r["volume"]),
                "revenue_fen": int(r["revenue_fen"]),
            }
            for r in rows["usage"]
        ]
        context = {
            "c": person,
            "usage": usage_rows,
            "tiers": tier_rows,
            "visits": visits,
            "alerts": alerts,
            "cases": cases,
            "cases_month": self.data.months[-1] if self.data.months else "",
            "cross_sell": self.market_by_customer["cross_sell"].get(customer_id, []),
            "bands": self.market_by_customer["bands"].get(customer_id, []),
        }
        patch, usage_by_month = self.patches.customer_part(customer_id, usage_rows, manager_id)
        context.update(patch)
        tables = [
            Table(
                "usage",
                "分业务用邮记录",
                ["月份", "业务种类", "用邮量", "收入(元)"],
                [
                    [r["month"], r["business_type"], r["volume"], exact_yuan(r["revenue_fen"])]
                    for r in usage_rows
                ],
            ),
            Table(
                "tiers",
                "级别及依据",
                ["月份", "级别", "依据", "变动"],
                [[r["month"], r["tier"], r["reasons"], r["change"]] for r in tier_rows],
            ),
            Table(
                "visits",
                "走访记录",
                ["日期", "方式", "客户经理", "内容"],
                [[v["date"], v["method"], v["manager"], v["content"]] for v in visits],
            ),
            Table(
                "cases",
                "投诉、查询、理赔",
                CASE_HEADERS,
                [
                    [
                        k["opened"],
                        k["type"],
                        k["business_type"],
                        k["content"],
                        k["mail_no"],
                        "" if k["claim_amount_fen"] is None else exact_yuan(k["claim_amount_fen"]),
                        k["closed"],
                        k["result"],
                        k["status"],
                        k["age_days"],
                        k["limit_days"],
                        k["manager"],
                    ]
                    for k in cases
                ],
            ),
            usage_by_month,
        ]
        # 叠加使用 and 浮动定价: offered for download where the page shows them (a sheet costs time)
        tables += [cross_sell_table(context["cross_sell"])] if context["cross_sell"] else []
        tables += [bands_table(context["bands"])] if context["bands"] else []
        return Page(
            customer_page(customer_id),
            "site_customer.html",
            context,
            tables=tables,
            finish=customer_chart,
            search={
                "name": person["name"] or customer_id,
                "kind": person["tier"] or "客户",
                "detail": " · ".join(x for x in (person["county"], customer_id, person["manager"]) if x),
            },
        )

    def survey(self, wave: str, survey: dict) -> Page:
        report = survey["report_path"]
        problems = survey["problems"]
        problems = records(masked(labelled(problems), ("value", "message"))) if len(problems) else []
        context = {
            "s": {
                **survey,
                "report_path": None,
                "report_href": f"../files/surveys/{wave}/{report.name}",
                "problems": problems,
            }
        }
        return Page(
            f"surveys/{wave}.html",
            "site_survey.html",
            context,
            files={f"files/surveys/{wave}/{report.name}": report},
        )

    def search_page(self) -> Page:
        return Page("search.html", "site_search.html", {})


CUSTOMER_PAGES_AT_ONCE = 2000  # customers whose rows are made at once (see SitePages.customers)

CASE_HEADERS = [
    *("受理日期", "类型", "业务种类", "内容", "邮件号码", "理赔金额(元)"),
    *("办结日期", "处理结果", "状态", "天数", "时限(天)", "客户经理"),
]


def _rows_by_customer(frame: pd.DataFrame, by: list[str], ascending: list[bool]) -> dict[str, list[dict]]:
    """Each customer's rows as plain dicts, in page order (one sort for all customers)."""
    out: dict[str, list[dict]] = {}
    ordered = frame.sort_values(["customer_id", *by], ascending=[True, *ascending], kind="mergesort")
    plain = ordered.astype(object).where(ordered.notna(), None)  # NaN → None, native scalars
    for row in plain.to_dict("records"):
        out.setdefault(row["customer_id"], []).append(row)
    return out


def _customers_named(content: dict) -> list[dict]:
    rows = list(content.get("top_customers", [])) + list(content.get("alerts", {}).get("rows", []))
    for change in content.get("tiers", {}).get("changes", {}).values():
        rows += change["rows"]
    return [r for r in rows if r.get("customer_id")]
