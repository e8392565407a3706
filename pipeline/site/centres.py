"""The site's page of the county centres' assessment (各级客户中心考核): the latest month's
ranking with every item, and each county's score and rank over the months computed, read from
each month's county_scorecards table (pipeline.site.data). County-centre scores are scores of
offices, from which no one's pay can be derived: they are public on the site."""

from __future__ import annotations

import pandas as pd

from pipeline.pay.centres import ITEM_LABELS, ITEMS
from pipeline.site.data import SiteData
from pipeline.site.downloads import Table

TREND_MONTHS = 13  # as the county pages' trend
PATH = "centres.html"


PLANS_LABEL = "本年营销方案"


def _plain(value):
    return None if value is None or pd.isna(value) else value


def centres_context(scores: pd.DataFrame, counties: list[str]) -> dict | None:
    """`scores`: every month's county_scorecards stacked with a `month` column."""
    if scores.empty:
        return None
    months = sorted(scores.month.unique())[-TREND_MONTHS:]
    latest = months[-1]
    now = scores[scores.month == latest]
    order = {c: i for i, c in enumerate(counties)}
    now = now.assign(
        _ranked=now["rank"].isna(),
        _rank=now["rank"].fillna(0),
        _order=now.county.map(order),
    ).sort_values(["_ranked", "_rank", "_order"], kind="mergesort")
    shown = scores[scores.month.isin(months)]
    by_key = {(r.month, r.county): r for r in shown.itertuples()}
    rows = []
    for r in now.itertuples():
        trend = []
        for m in months:
            e = by_key.get((m, r.county))
            held = e is None or bool(e.held)
            trend.append(
                {
                    "month": m,
                    "total": None if held else float(e.total),
                    "rank": None if held or pd.isna(e.rank) else int(e.rank),
                }
            )
        rows.append(
            {
                "county": r.county,
                "rank": _plain(r.rank),
                "total": float(r.total),
                "possible": int(r.possible),
                "rate": _plain(r.rate),
                "held": r.held,
                "items": [_plain(getattr(r, k)) for k in ITEMS],
                "plans": _plans(r),
                "trend": trend,
                "spark": spark([t["total"] for t in trend]),
            }
        )
    return {
        "month": latest,
        "months": months,
        "items": [ITEM_LABELS[k] for k in ITEMS],
        "plans_label": PLANS_LABEL,
        "rows": rows,
    }


def _plans(row) -> str:
    """本年营销方案 as the page shows it: "1 符合(1–2)"; blank in tables written before it was kept."""
    plans = _plain(getattr(row, "plans", None))
    return "" if plans is None else f"{int(plans)} {getattr(row, 'plans_verdict', '')}"


SPARK_FLOOR = 50  # the sparkline spans 50–100 points (a lower score sits on its floor)


def spark(values: list[float | None]) -> str:
    """The polyline points of a score over the months (x 10 px a month, y 0–15 for 100–50
    points): months without a score are left out of the line."""
    return " ".join(
        f"{i * 10},{round((100 - max(v, SPARK_FLOOR)) / (100 - SPARK_FLOOR) * 15, 1)}"
        for i, v in enumerate(values)
        if v is not None
    )


def centre_tables(context: dict) -> list[Table]:
    ranking = Table(
        "ranking",
        f"各县(市)客户中心考核排名 {context['month']}",
        ["排名", "县(市)", *context["items"], "得分", "可计分满分", "得分率", "暂缓", PLANS_LABEL],
        [
            [r["rank"], r["county"], *r["items"], r["total"], r["possible"], r["rate"], r["held"], r["plans"]]
            for r in context["rows"]
        ],
    )
    trend = Table(
        "trend",
        "各县(市)客户中心考核得分走势",
        ["县(市)", *(f"{m} 得分" for m in context["months"]), *(f"{m} 排名" for m in context["months"])],
        [
            [r["county"], *(t["total"] for t in r["trend"]), *(t["rank"] for t in r["trend"])]
            for r in context["rows"]
        ],
    )
    return [ranking, trend]


def centres_pages(data: SiteData, counties: list[str]) -> list:
    """The page, or none before any month has county_scorecards."""
    from pipeline.site.pages import Page  # pages lists this page among the site's

    context = centres_context(data.tables.get("county_scorecards", pd.DataFrame()), counties)
    if context is None:
        return []
    return [
        Page(
            PATH,
            "site_centres.html",
            {"c": context},
            tables=centre_tables(context),
            search={"name": "各县(市)客户中心考核", "kind": "考核", "detail": f"截至 {context['month']}"},
        )
    ]
