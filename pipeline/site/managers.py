"""Each manager's patch (分片管理) on the site, and what the customer and county pages show of it.

The plan gives every key account a manager who keeps it (分片包干). A manager's page lists the
key accounts the manager keeps in the latest month, with tier, a 13-month revenue sparkline,
the last visit, open cases and alerts; then the manager's open cases and the month's alerts.

Nothing on these pages comes from the scorecards or pay: no score, no band, no rank, no
coverage share of a person (the privacy rule: what reveals a person's pay stays under
outputs/restricted/). The county page gets the county's visit coverage, alerts and open cases;
the customer page a revenue chart and a month × business table.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.analytics.alerts import KIND_LABELS
from pipeline.analytics.cases import OPEN
from pipeline.analytics.cases import STATUS_LABELS as CASE_STATUS_LABELS
from pipeline.analytics.cases import TYPE_LABELS as CASE_TYPE_LABELS
from pipeline.analytics.tiers import KEY_TIERS, TIER_LABELS
from pipeline.core.privacy import mask_phones_in
from pipeline.site.downloads import Table, exact_yuan
from pipeline.site.market_sections import opportunities_by_manager, opportunities_table
from pipeline.site.paths import page_path
from pipeline.site.svg import revenue_chart, sparkline

if TYPE_CHECKING:
    from pipeline.site.pages import Page, SitePages

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

ACCOUNT_HEADERS = [
    *("客户编号", "客户名称", "县(市)", "级别", "本月收入(元)", "近13个月收入(元)"),
    *("最近走访", "未办结案件", "其中超时", "本月预警"),
]
OPEN_CASE_HEADERS = [
    *("受理日期", "客户编号", "客户名称", "类型", "业务种类", "内容"),
    *("状态", "天数", "时限(天)", "客户经理"),
]
ALERT_HEADERS = ["客户编号", "客户名称", "预警", "本月(元)", "参照(元)", "比值", "参照口径", "客户经理"]


def manager_page(manager_id: str) -> str:
    """The page of a manager (pipeline.site.paths)."""
    return page_path("managers", manager_id)


def _text(value: object) -> str:
    return "" if value is None or value != value else str(value)


class Patches:
    """The managers' pages and the patch's parts of the customer and county pages."""

    def __init__(self, site: SitePages):
        self.site = site
        self.data = site.data
        self.last = self.data.months[-1] if self.data.months else ""
        self._parts: dict[tuple[str, str], dict] = {}

    # -- the month's key accounts and what is known of each ---------------------------------

    @cached_property
    def keys(self) -> pd.DataFrame:
        """The latest month's key accounts: customer_id, county, tier, manager_id."""
        tiers = self.data.table("tiers")
        keys = tiers[(tiers.month == self.last) & tiers.tier.isin(KEY_TIERS)]
        keys = keys[["customer_id", "county", "tier", "manager_id"]].copy()
        keys["manager_id"] = keys.manager_id.map(_text)
        return keys.drop_duplicates("customer_id").reset_index(drop=True)

    @cached_property
    def account_manager(self) -> dict[str, str]:
        return dict(zip(self.keys.customer_id, self.keys.manager_id, strict=True))

    @cached_property
    def monthly_revenue(self) -> dict[str, dict[str, int]]:
        """customer → month → revenue (fen) over the trend window."""
        usage = self.data.table("usage")
        usage = usage[usage.month.isin(self.site.trend_months)]
        sums = usage.groupby(["customer_id", "month"]).revenue_fen.sum()
        out: dict[str, dict[str, int]] = {}
        for (customer, month), fen in sums.items():
            out.setdefault(customer, {})[month] = int(fen)
        return out

    def trend_of(self, customer_id: str) -> list[int]:
        mine = self.monthly_revenue.get(customer_id, {})
        return [mine.get(m, 0) for m in self.site.trend_months]

    @cached_property
    def visit_dates(self) -> pd.DataFrame:
        """customer_id, date (YYYY-MM-DD), month of the date: visits with a date, up to the
        latest month's end (an undated or later-dated visit is the reader's warning)."""
        visits = self.data.table("visits")
        dates = visits.date.map(_text).str[:10]
        ok = dates.str.match(_DATE) & (dates <= f"{self.last}-31")
        out = pd.DataFrame({"customer_id": visits.customer_id[ok], "date": dates[ok]})
        return out.assign(month=out.date.str[:7]).reset_index(drop=True)

    @cached_property
    def last_visit(self) -> dict[str, str]:
        dates = self.visit_dates
        return dates.groupby("customer_id").date.max().to_dict() if len(dates) else {}

    @cached_property
    def open_cases(self) -> pd.DataFrame:
        """Open cases (未办结, 超时未办结) as of the latest month, each with the manager who
        answers for it: the case's own, else the account's."""
        cases = self.data.cases
        if cases.empty or "status" not in cases:
            return pd.DataFrame(columns=["customer_id", "county", "manager", "status", "opened", "case_id"])
        cases = cases[cases.status.isin(OPEN)].copy()
        own = cases.manager_id.map(_text)
        cases["manager"] = own.where(own != "", cases.customer_id.map(self.account_manager).fillna(""))
        return cases.sort_values(["opened", "case_id"], kind="mergesort").reset_index(drop=True)

    @cached_property
    def alerts(self) -> pd.DataFrame:
        """The latest month's alerts, each with its manager (the alert's own, else the account's)."""
        alerts = self.data.table("alerts")
        alerts = alerts[alerts.month == self.last].copy()
        own = alerts.manager_id.map(_text)
        alerts["manager"] = own.where(own != "", alerts.customer_id.map(self.account_manager).fillna(""))
        return alerts.sort_values(["kind", "customer_id"], kind="mergesort").reset_index(drop=True)

    @cached_property
    def window_keys(self) -> pd.DataFrame:
        """The key accounts of every month of the trend window (for the counties' coverage)."""
        tiers = self.data.table("tiers")
        return tiers[tiers.month.isin(self.site.trend_months) & tiers.tier.isin(KEY_TIERS)]

    @cached_property
    def _visited_in(self) -> dict[str, set[str]]:
        dates = self.visit_dates
        return {m: set(g.customer_id) for m, g in dates.groupby("month")} if len(dates) else {}

    def _part(self, frame: str, column: str, value: str) -> list[dict]:
        """The rows of one of the frames above for one manager or county, as plain records,
        converted and cut once for all (a province has thousands of managers)."""
        key = (frame, column)
        if key not in self._parts:
            whole = getattr(self, frame)
            plain = whole.astype(object).where(whole.notna(), None).to_dict("records")
            groups: dict[object, list[dict]] = {}
            for r in plain:
                groups.setdefault(r[column], []).append(r)
            self._parts[key] = groups
        return self._parts[key].get(value, [])

    def _name(self, customer_id: str) -> str:
        return self.site.names.get(customer_id, "")

    def _manager_name(self, manager_id: str) -> str:
        return self.site.manager_name.get(manager_id, manager_id)

    # -- rows shown on several pages ---------------------------------------------------------

    def case_rows(self, cases: list[dict]) -> list[dict]:
        return [
            {
                "opened": _text(r["opened"])[:10],
                "customer_id": r["customer_id"],
                "name": self._name(r["customer_id"]),
                "href": self.site._link(r["customer_id"]),
                "type": CASE_TYPE_LABELS.get(r["type"], r["type"]),
                "business_type": _text(r.get("business_type")),
                "content": mask_phones_in(r.get("content")),
                "status": CASE_STATUS_LABELS.get(r["status"], r["status"]),
                "overdue": r["status"] == "overdue",
                "age_days": int(r["age_days"]),
                "limit_days": int(r["limit_days"]),
                "manager": self._manager_name(r["manager"]) if r["manager"] else "",
                "manager_href": self.manager_href(r["manager"]),
            }
            for r in cases
        ]

    def alert_rows(self, alerts: list[dict]) -> list[dict]:
        return [
            {
                "customer_id": r["customer_id"],
                "name": self._name(r["customer_id"]),
                "href": self.site._link(r["customer_id"]),
                "kind": KIND_LABELS.get(r["kind"], r["kind"]),
                "this_month_fen": r["this_month_fen"],
                "reference_fen": r["reference_fen"],
                "ratio": r["ratio"],
                "basis": _text(r["basis"]),
                "manager": self._manager_name(r["manager"]) if r["manager"] else "",
                "manager_href": self.manager_href(r["manager"]),
            }
            for r in alerts
        ]

    @staticmethod
    def case_table(rows: list[dict]) -> Table:
        return Table(
            "open_cases",
            "未办结案件",
            OPEN_CASE_HEADERS,
            [
                [
                    *(r["opened"], r["customer_id"], r["name"], r["type"], r["business_type"], r["content"]),
                    *(r["status"], r["age_days"], r["limit_days"], r["manager"]),
                ]
                for r in rows
            ],
        )

    @staticmethod
    def alert_table(rows: list[dict], month: str) -> Table:
        return Table(
            "alerts",
            f"预警({month})",
            ALERT_HEADERS,
            [
                [
                    *(r["customer_id"], r["name"], r["kind"]),
                    exact_yuan(r["this_month_fen"]) if r["this_month_fen"] is not None else "",
                    exact_yuan(r["reference_fen"]) if r["reference_fen"] is not None else "",
                    "" if r["ratio"] is None else f"{r['ratio']:.4f}",
                    r["basis"],
                    r["manager"],
                ]
                for r in rows
            ],
        )

    # -- the managers' pages -----------------------------------------------------------------

    @cached_property
    def manager_ids(self) -> list[str]:
        """Managers with a page: every 客户经理 employed in the latest month, and whoever keeps a
        key account or answers for an open case then (a 主任 with accounts, an id the roster
        lacks), in id order."""
        ids = set(self.keys.manager_id) | set(self.open_cases.manager)
        if self.last:
            roster = self.site.ref.managers_active_in(self.last)
            ids |= set(roster.manager_id[roster.role == "客户经理"])
        return sorted(i for i in ids if i)

    def manager_href(self, manager_id: object) -> str | None:
        manager_id = _text(manager_id)
        return manager_page(manager_id) if manager_id in self._with_page else None

    @cached_property
    def _with_page(self) -> set[str]:
        return set(self.manager_ids)

    @cached_property
    def _roster(self) -> dict[str, dict]:
        roster = self.site.ref.roster_in_force(self.last) if self.last else self.site.ref.managers
        return {r["manager_id"]: r for r in roster.to_dict("records")}

    @cached_property
    def _county_names(self) -> dict[str, str]:
        return dict(zip(self.site.ref.counties.code, self.site.ref.counties.name, strict=True))

    def _county_name(self, code: str) -> str:
        return self._county_names.get(code, "州局大客户中心" if code == "zhouju" else code)

    def manager_context(self, manager_id: str) -> dict:
        """What a manager's page shows (plain data, tested on its own)."""
        me = self._roster.get(manager_id, {})
        keys = self._part("keys", "manager_id", manager_id)
        cases = self._part("open_cases", "manager", manager_id)
        alerts = self._part("alerts", "manager", manager_id)
        open_by = Counter(c["customer_id"] for c in cases)
        overdue_by = Counter(c["customer_id"] for c in cases if c["status"] == "overdue")
        alerts_by: dict[str, list[str]] = {}
        for a in alerts:
            alerts_by.setdefault(a["customer_id"], []).append(KIND_LABELS.get(a["kind"], a["kind"]))
        accounts = []
        for r in keys:
            customer_id = r["customer_id"]
            trend = self.trend_of(customer_id)
            accounts.append(
                {
                    "customer_id": customer_id,
                    "name": self._name(customer_id),
                    "href": self.site._link(customer_id),
                    "county": r["county"],
                    "tier": TIER_LABELS[r["tier"]],
                    "revenue_fen": trend[-1] if trend else 0,
                    "trend": trend,
                    "last_visit": self.last_visit.get(customer_id, ""),
                    "open_cases": int(open_by.get(customer_id, 0)),
                    "overdue_cases": int(overdue_by.get(customer_id, 0)),
                    "alerts": "、".join(alerts_by.get(customer_id, [])),
                }
            )
        accounts.sort(key=lambda a: (-a["revenue_fen"], a["customer_id"]))
        return {
            "m": {
                "manager_id": manager_id,
                "name": self._manager_name(manager_id),
                "county": self._county_name(_text(me.get("county"))) if me else "",
                "role": _text(me.get("role")),
            },
            "month": self.last,
            "trend_months": self.site.trend_months,
            "accounts": accounts,
            "prefecture": sum(a["tier"] == TIER_LABELS["prefecture"] for a in accounts),
            "county_tier": sum(a["tier"] == TIER_LABELS["county"] for a in accounts),
            "cases": self.case_rows(cases),
            "overdue": sum(c["status"] == "overdue" for c in cases),
            "alerts": self.alert_rows(alerts),
        }

    def page(self, manager_id: str) -> Page:
        from pipeline.site.pages import Page

        context = self.manager_context(manager_id)
        opportunities = [
            {**o, "name": self._name(o["customer_id"]), "href": self.site._link(o["customer_id"])}
            for o in self._opportunities.get(manager_id, [])
        ]
        first, last = (self.site.trend_months[0], self.site.trend_months[-1]) if self.last else ("", "")
        tables = [
            Table(
                "accounts",
                f"分片大客户({self.last})",
                ACCOUNT_HEADERS,
                [
                    [
                        *(a["customer_id"], a["name"], a["county"], a["tier"]),
                        exact_yuan(a["revenue_fen"]),
                        " ".join(str(exact_yuan(v)) for v in a["trend"]),
                        *(a["last_visit"], a["open_cases"], a["overdue_cases"], a["alerts"]),
                    ]
                    for a in context["accounts"]
                ],
            ),
            self.case_table(context["cases"]),
            self.alert_table(context["alerts"], self.last),
            opportunities_table(opportunities),
        ]
        m = context["m"]
        return Page(
            manager_page(manager_id),
            "site_manager.html",
            {
                **context,
                "window": f"{first}—{last}",
                "projects_led": self.site.projects_led["manager_id"].get(manager_id, []),
                "opportunities": opportunities,
            },
            tables=tables,
            search={
                "name": m["name"],
                "kind": "客户经理",
                "detail": " · ".join(
                    x for x in (m["county"], manager_id, f"大客户 {len(context['accounts'])} 户") if x
                ),
            },
            finish=_with_sparklines,
        )

    def pages(self) -> list[Page]:
        return [self.page(m) for m in self.manager_ids]

    @cached_property
    def _opportunities(self) -> dict[str, list[dict]]:
        """叠加使用: each manager's best opportunities of the latest month (cross_sell_by_manager)."""
        return opportunities_by_manager(
            self.site.data.month_tables.get("cross_sell_by_manager", pd.DataFrame())
        )

    # -- the county page's part --------------------------------------------------------------

    def coverage(self, county: str) -> list[dict]:
        """Per month shown (newest first): the county's key accounts and those visited in the
        month (a visit dated in the month, as the scorecards count it)."""
        keys = self._part("window_keys", "county", county)
        out = []
        for month in reversed(self.site.trend_months):
            mine = {k["customer_id"] for k in keys if k["month"] == month}
            if not mine:
                continue
            visited = len(mine & self._visited_in.get(month, set()))
            out.append(
                {
                    "month": month,
                    "key_accounts": len(mine),
                    "visited": visited,
                    "coverage": visited / len(mine),
                }
            )
        return out

    def county_part(self, county: str) -> tuple[dict, list[Table]]:
        """(context, tables) the county page adds: managers of its key accounts, alerts, visit
        coverage by month, open cases."""
        keys = self._part("keys", "county", county)
        cases = self._part("open_cases", "county", county)
        alerts = self._part("alerts", "county", county)
        managers = [
            {
                "manager_id": m,
                "name": self._manager_name(m),
                "href": self.manager_href(m),
                "accounts": sum(k["manager_id"] == m for k in keys),
                "open_cases": sum(c["manager"] == m for c in cases),
            }
            for m in sorted({k["manager_id"] for k in keys} - {""})
        ]
        context = {
            "managers": managers,
            "manager_links": {m["name"]: m["href"] for m in managers if m["href"]},
            "county_alerts": self.alert_rows(alerts),
            "coverage": self.coverage(county),
            "open_cases": self.case_rows(cases),
        }
        tables = [
            self.alert_table(context["county_alerts"], self.last),
            Table(
                "coverage",
                "大客户走访覆盖",
                ["月份", "大客户数", "当月走访户数", "覆盖率"],
                [
                    [c["month"], c["key_accounts"], c["visited"], f"{c['coverage']:.4f}"]
                    for c in context["coverage"]
                ],
            ),
            self.case_table(context["open_cases"]),
        ]
        return context, tables

    # -- the customer page's part ------------------------------------------------------------

    def customer_part(self, customer_id: str, usage_rows: list[dict], manager_id: str) -> tuple[dict, Table]:
        """(context, table): the manager's page link, and the usage as one row per month with a
        column per business type (revenue, 元) and the month's total; the monthly totals feed
        the revenue chart (drawn in `finish`)."""
        businesses = sorted({r["business_type"] for r in usage_rows}, key=self._business_order)
        by_month: dict[str, dict[str, int]] = {}
        for r in usage_rows:
            cell = by_month.setdefault(r["month"], {})
            cell[r["business_type"]] = cell.get(r["business_type"], 0) + r["revenue_fen"]
        months = sorted(by_month, reverse=True)
        matrix = [
            {
                "month": m,
                "cells": [by_month[m].get(b) for b in businesses],
                "total": sum(by_month[m].values()),
            }
            for m in months
        ]
        window = self.site.trend_months
        chart = [{"month": m, "revenue_fen": sum(by_month.get(m, {}).values())} for m in window]
        context = {
            "manager_href": self.manager_href(manager_id),
            "businesses": businesses,
            "matrix": matrix,
            "revenue_trend": chart,
        }
        table = Table(
            "usage_by_month",
            "分月分业务收入",
            ["月份", *(f"{b}收入(元)" for b in businesses), "合计收入(元)"],
            [
                [
                    r["month"],
                    *("" if v is None else exact_yuan(v) for v in r["cells"]),
                    exact_yuan(r["total"]),
                ]
                for r in matrix
            ],
        )
        return context, table

    @cached_property
    def _business_rank(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.site.ref.business_types.name)}

    def _business_order(self, name: str) -> tuple[int, str]:
        return (self._business_rank.get(name, len(self._business_rank)), name)


def _with_sparklines(context: dict) -> dict:
    """The sparklines of a manager's accounts, drawn only when the page is rendered."""
    months = context["trend_months"]
    span = f"{months[0]}至{months[-1]}" if months else ""
    accounts = [
        {**a, "spark": sparkline(a["trend"], f"{a['name'] or a['customer_id']} {span}月收入走势")}
        for a in context["accounts"]
    ]
    return {**context, "accounts": accounts}


def customer_chart(context: dict) -> dict:
    """The revenue chart of a key account's page, drawn only when the page is rendered."""
    trend = context["revenue_trend"]
    title = f"{context['c']['name'] or context['c']['customer_id']} 近{len(trend)}个月收入(元)"
    return {
        **context,
        "revenue_chart": revenue_chart([t["month"] for t in trend], [t["revenue_fen"] for t in trend], title),
    }
