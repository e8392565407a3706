"""信息简报 and 信息参考: what a month's bulletins state (plain data), and their PDFs.

The content is built once per month from the analytics; the 信息简报 shows all of it, the
信息参考 for leadership the figures and risks that need a decision. The content, not the PDF
bytes, decides whether a month gets a new version.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.analytics.alerts import KIND_LABELS, REVENUE_ALERTS
from pipeline.analytics.cases import OPEN, TYPE_LABELS, case_summary
from pipeline.analytics.tiers import CHANGE_LABELS, TIER_LABELS, key_accounts
from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write
from pipeline.core.money import percent
from pipeline.core.months import CHINESE_NUMBERS, chinese_month, month_range, number_of, shift, year_of
from pipeline.core.privacy import mask_phones_in, mask_phones_in_column
from pipeline.core.rules import Rules
from pipeline.ingest.reference import Reference
from pipeline.ingest.submissions import counted_over, with_labels
from pipeline.render.charts import bar_chart, pareto_chart, trend_chart
from pipeline.render.market_charts import breadth_chart
from pipeline.render.pdf import document_time, render_pdf_html, rendering_digest, write_pdf

TREND_MONTHS = 13
TOP_CUSTOMERS = 10
LIST_LIMIT = 30  # rows of a list in the PDF; the attached CSV holds all
PARETO_STEPS = (5, 10, 20, 30, 50)  # % of customers in the concentration table
PROGRESS_CHARS = 30  # of each item of a county's 工作进展 in the 信息参考 (two pages); progress.csv has all
PROGRESS_ITEMS = {"工作进展": "进展", "存在问题": "问题", "需协调事项": "需协调"}  # item → its short label


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts; NaN becomes None (shown as —), numpy scalars become Python ones."""
    out = []
    for row in frame.to_dict("records"):
        out.append({k: _plain(v) for k, v in row.items()})
    return out


def _plain(value):
    if isinstance(value, float | np.floating):
        return None if value != value else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def month_content(
    month: str,
    ref: Reference,
    volumes: dict[str, pd.DataFrame],
    submissions: pd.DataFrame,
    usage_by_month: dict[str, pd.DataFrame],
    tiers: pd.DataFrame,
    alerts: pd.DataFrame,
    visits_by_county: pd.DataFrame,
    archive: pd.DataFrame,
    cases: pd.DataFrame | None = None,
    progress: pd.DataFrame | None = None,
    problems: pd.DataFrame | None = None,
) -> dict:
    """Everything the month's bulletins state, as plain data (hashable for versions); `problems`:
    the month's complete problems, counted per county in the submissions."""
    usage = usage_by_month.get(
        month, pd.DataFrame(columns=["customer_id", "county", "volume", "revenue_fen"])
    )
    names = mask_phones_in_column(archive.set_index("customer_id").name)  # all staff read these
    labelled = with_labels(submissions)
    return {
        "month": month,
        "month_label": chinese_month(month),
        "issue_label": f"{year_of(month)}年第{number_of(month)}期",
        "rules_version": ref.rules.for_month(month).version,
        "county_count": len(ref.county_names),
        "submitted": int(submissions.status.isin(["on_time", "late", "received"]).sum()),
        "on_time": int((submissions.status == "on_time").sum()),
        "late": int((submissions.status == "late").sum()),
        "rejected": list(submissions.county[submissions.status == "rejected"]),
        "missing": list(submissions.county[submissions.status == "missing"]),
        "late_counties": list(submissions.county[submissions.status == "late"]),
        "total": _total(volumes, usage),
        "by_business": _by_business(volumes, ref),
        "by_county": _by_county(volumes, labelled, usage, ref, visits_by_county),
        "trend": _trend(usage_by_month, month),
        "pareto": _pareto(usage),
        "top_customers": _top_customers(volumes, names, tiers),
        "tiers": _tier_section(tiers, names),
        "alerts": _alert_section(alerts, names),
        "cases": case_section(cases, month, names, ref),
        "progress": progress_section(progress, submissions, ref),
        "submissions": records(counted_over(labelled, problems) if problems is not None else labelled),
    }


def _total(volumes: dict[str, pd.DataFrame], usage: pd.DataFrame) -> dict:
    total = records(volumes["total"])
    row = total[0] if total else {"volume": None, "revenue_fen": None}
    row.pop("scope", None)
    return {**row, "customers": int(usage.customer_id.nunique()), "rows": len(usage)}


def _by_business(volumes: dict[str, pd.DataFrame], ref: Reference) -> list[dict]:
    table = volumes["business"].set_index("business_type")
    table = table.reindex([b for b in ref.business_order if b in table.index]).reset_index()
    table["unit"] = table.business_type.map(ref.business_units)
    return records(table)


def _by_county(volumes, labelled, usage, ref, visits_by_county) -> list[dict]:
    status = labelled.set_index("county")
    table = volumes["county"].set_index("county").reindex(list(ref.county_names.values()))
    table["status"] = status.status
    table["status_label"] = status.status_label
    table["customers"] = usage.groupby("county").customer_id.nunique() if not usage.empty else 0
    visits = visits_by_county.set_index("county") if not visits_by_county.empty else pd.DataFrame()
    for column in ("key_accounts", "visited", "coverage"):
        table[column] = visits.get(column, np.nan)
    reported = table.status.isin(["on_time", "late", "received"])
    table.loc[~reported, ["volume", "revenue_fen", "customers", "visited", "coverage"]] = (
        np.nan
    )  # unknown, not zero
    return records(table.reset_index())


def _trend(usage_by_month: dict[str, pd.DataFrame], month: str) -> list[dict]:
    months = [m for m in month_range(shift(month, -(TREND_MONTHS - 1)), month) if m in usage_by_month]
    return [
        {
            "month": m,
            "volume": int(usage_by_month[m].volume.sum()),
            "revenue_fen": int(usage_by_month[m].revenue_fen.sum()),
        }
        for m in months
    ]


def _pareto(usage: pd.DataFrame) -> dict:
    """Concentration of this month's revenue: share of revenue held by the top x % of customers."""
    revenue = usage.groupby("customer_id").revenue_fen.sum().sort_values(ascending=False, kind="mergesort")
    if revenue.empty or revenue.sum() == 0:
        return {"steps": [], "curve": [], "customers_for_80": None}
    cumulative = revenue.cumsum() / revenue.sum()
    n = len(revenue)
    steps = [
        {"customers_pct": p, "revenue_share": float(cumulative.iloc[max(int(np.ceil(n * p / 100)) - 1, 0)])}
        for p in PARETO_STEPS
    ]
    points = np.linspace(0, n - 1, num=min(n, 50)).round().astype(int)
    curve = [
        {"customers_share": float((i + 1) / n), "revenue_share": float(cumulative.iloc[i])} for i in points
    ]
    reach = int(np.searchsorted(cumulative.to_numpy(), 0.8) + 1)
    return {"steps": steps, "curve": curve, "customers_for_80": reach, "customers": n}


def _top_customers(volumes, names: pd.Series, tiers: pd.DataFrame) -> list[dict]:
    top = (
        volumes["customer"]
        .sort_values(["revenue_fen", "customer_id"], ascending=[False, True])
        .head(TOP_CUSTOMERS)
    )
    top = top.assign(
        name=top.customer_id.map(names).fillna(""),
        tier_label=top.customer_id.map(tiers.set_index("customer_id").tier).map(TIER_LABELS).fillna(""),
    )
    return records(
        top[["customer_id", "name", "county", "tier_label", "revenue_fen", "revenue_mom", "revenue_yoy"]]
    )


def _tier_section(tiers: pd.DataFrame, names: pd.Series) -> dict:
    keys = key_accounts(tiers)
    changes = {}
    for change in ("new", "returning", "promoted", "demoted", "lost"):  # 回归: back within a year
        rows = tiers[tiers.change == change].assign(
            name=lambda t: t.customer_id.map(names).fillna(""),
            tier_label=lambda t: t.tier.map(TIER_LABELS),
            previous_label=lambda t: t.previous_tier.map(TIER_LABELS).fillna("—"),
        )
        changes[change] = {
            "label": CHANGE_LABELS[change],
            "count": len(rows),
            "rows": records(
                rows[["customer_id", "name", "county", "previous_label", "tier_label", "reasons"]].head(
                    LIST_LIMIT
                )
            ),
        }
    return {
        "prefecture": int((keys.tier == "prefecture").sum()),
        "county": int((keys.tier == "county").sum()),
        "changes": changes,
    }


def _alert_section(alerts: pd.DataFrame, names: pd.Series) -> dict:
    complaints = int((alerts.kind == "complaint").sum())
    alerts = alerts[alerts.kind.isin(REVENUE_ALERTS)]  # the complaint alerts are in the cases section
    shown = alerts.assign(
        name=alerts.customer_id.map(names).fillna(""),
        drop_fen=alerts.reference_fen - alerts.this_month_fen,
        kind_label=alerts.kind.map(KIND_LABELS),
    )
    shown = shown.sort_values(
        ["kind", "drop_fen", "customer_id"], ascending=[False, False, True], kind="mergesort"
    )
    columns = [
        "customer_id",
        "name",
        "county",
        "manager_id",
        "kind_label",
        "this_month_fen",
        "reference_fen",
        "ratio",
        "basis",
    ]
    by_county = alerts.pivot_table(
        index="county", columns="kind", values="customer_id", aggfunc="count", fill_value=0
    )
    by_county = by_county.reindex(columns=["loss", "decline"], fill_value=0).reset_index()
    return {
        "loss": int((alerts.kind == "loss").sum()),
        "decline": int((alerts.kind == "decline").sum()),
        "complaint": complaints,
        "rows": records(shown[columns].head(LIST_LIMIT)),
        "by_county": records(by_county),
    }


def case_section(cases: pd.DataFrame | None, month: str, names: pd.Series, ref: Reference) -> dict:
    """投诉、查询、理赔: the month's figures, by county, and the cases open past their limit
    (oldest first). Claim amounts in fen: received in the month, and still open."""
    if cases is None or cases.empty:
        empty = {k: 0 for k in ("opened", "closed", "open", "overdue", "overdue_complaints")}
        return {
            **empty,
            "claim_amount_fen": 0,
            "open_claim_amount_fen": 0,
            "by_county": [],
            "overdue_rows": [],
        }
    by_county = case_summary(cases, month, "county")
    order = {name: i for i, name in enumerate(ref.county_names.values())}
    by_county = by_county.sort_values("county", key=lambda c: c.map(order), kind="mergesort")
    overdue = cases[cases.status == "overdue"].assign(
        name=lambda f: f.customer_id.map(names).fillna(""),
        type_label=lambda f: f.type.map(TYPE_LABELS),
        manager=lambda f: f.manager_id.map(ref.manager_names).fillna(f.manager_id),
    )
    overdue = overdue.sort_values(["age_days", "case_id"], ascending=[False, True], kind="mergesort")
    columns = ["customer_id", "name", "county", "manager", "type_label", "opened", "age_days", "limit_days"]
    total = by_county.sum(numeric_only=True)
    return {
        "opened": int(total.opened),
        "closed": int(total.closed),
        "open": int(cases.status.isin(OPEN).sum()),
        "overdue": int((cases.status == "overdue").sum()),
        "overdue_complaints": int(((cases.status == "overdue") & (cases.type == "complaint")).sum()),
        "claim_amount_fen": int(total.claim_amount_fen),
        "open_claim_amount_fen": int(total.open_claim_amount_fen),
        "by_county": records(by_county),
        "overdue_rows": records(overdue[columns].head(LIST_LIMIT)),
    }


def shorten(text: str, limit: int = PROGRESS_CHARS) -> tuple[str, bool]:
    """`text` on one line, cut to `limit` characters with "…" at the end; and whether it was cut."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat, False
    return flat[: limit - 1] + "…", True


def progress_section(progress: pd.DataFrame | None, submissions: pd.DataFrame, ref: Reference) -> dict:
    """各县(市)工作进展: each county that sent a 工作进展 sheet with its items, shortened, in the
    counties' order; the counties that sent none (no sheet, an empty one, no workbook) and those
    whose workbook was rejected (its sheet not used) by name. Phone numbers in the texts are
    masked: the 信息参考 is also on the site, read by all staff. The full texts are in progress.csv."""
    progress = progress if progress is not None else pd.DataFrame(columns=["county", "item", "text"])
    texts = {(r.county, r.item): r.text for r in progress.itertuples()}
    status = dict(zip(submissions.county, submissions.status, strict=True))
    rows, none, rejected = [], [], []
    cut = False
    for county in ref.county_names.values():
        if status.get(county) == "rejected":
            rejected.append(county)
            continue
        items = []
        for item, label in PROGRESS_ITEMS.items():
            if (county, item) in texts:
                flat = " ".join(str(texts[(county, item)]).split())  # a number across lines too
                text, shortened = shorten(mask_phones_in(flat))
                cut |= shortened
                items.append({"item": item, "label": label, "text": text})
        if items:
            rows.append({"county": county, "entries": items})
        else:
            none.append(county)
    return {"rows": rows, "none": none, "rejected": rejected, "shortened": cut, "table": "progress.csv"}


def scorecard_ranking(scorecards: pd.DataFrame, bands: dict[str, int] | None = None) -> list[dict]:
    """Managers ranked by scorecard total, shown as rank and band only (优秀/良好/合格/待改进,
    thresholds in the rules): performance pay is a multiple of the exact total, so the total
    stays with the statements. Equal totals share a rank (1, 1, 3). A held scorecard has no band
    yet."""
    bands = bands or {}
    held = scorecards.get("held", pd.Series("", index=scorecards.index)).fillna("") != ""
    ranked = scorecards.assign(_held=held).sort_values(
        ["_held", "total", "manager_id"], ascending=[True, False, True], kind="mergesort"
    )
    held = ranked._held
    rank = ranked.total.map(float).where(~held).rank(method="min", ascending=False)
    return [
        {
            "rank": "—" if is_held else int(place),
            "manager_id": r.manager_id,
            "name": r.name,
            "county": r.county,
            "band": "暂缓评定" if is_held else band_of(r.total, bands),
        }
        for r, is_held, place in zip(ranked.itertuples(), held, rank, strict=True)
    ]


def band_of(total, bands: dict[str, int]) -> str:
    """The highest band whose minimum the total reaches."""
    for label, minimum in sorted(bands.items(), key=lambda b: -b[1]):
        if total >= minimum:
            return label
    return ""


def held_pay(scorecards: pd.DataFrame) -> list[dict]:
    """Whose pay is held this month and why (no amounts: those stay with the statements)."""
    held = scorecards[scorecards.get("held", pd.Series("", index=scorecards.index)).fillna("") != ""]
    return [
        {"manager_id": r.manager_id, "name": r.name, "county": r.county, "reason": r.held}
        for r in held.itertuples()
    ]


# -- PDFs ---------------------------------------------------------------------------------


def charts(content: dict, kept_in: Path | None = None) -> dict[str, str]:
    """The SVG charts of the month (same input, same bytes). Drawn once per process for the
    same figures: the bulletin and the site's month page show the same charts. `kept_in` (an
    edition's folder) keeps them beside its content for later runs: a correction re-renders
    the pages of the older versions too, whose charts are as they were (≈ 1.6 s a set)."""
    figures = [content[k] for k in ("by_business", "by_county", "trend", "pareto")]
    key = content_hash([rendering_digest(), *figures, _breadth_trend(content)])  # code changed: redrawn
    kept = _kept_charts(kept_in, key)
    if key not in _CHARTS:
        if len(_CHARTS) >= 8:
            _CHARTS.pop(next(iter(_CHARTS)))
        _CHARTS[key] = kept or _draw_charts(content)
    if kept_in is not None and kept is None:
        atomic_write(kept_in / CHARTS_FILE, json.dumps({"key": key, "charts": _CHARTS[key]}).encode("utf-8"))
    return _CHARTS[key]


_CHARTS: dict[str, dict[str, str]] = {}
CHARTS_FILE = "charts.json"  # an edition's charts, beside its content.json


def _kept_charts(folder: Path | None, key: str) -> dict[str, str] | None:
    try:
        kept = json.loads((folder / CHARTS_FILE).read_text(encoding="utf-8")) if folder else {}
    except (OSError, ValueError):
        return None
    return kept.get("charts") if kept.get("key") == key else None


def _breadth_trend(content: dict) -> list[dict]:
    """叠加使用: the months of the key accounts' breadth of use (none in content made before it)."""
    return (content.get("market") or {}).get("cross_sell", {}).get("trend", [])


def _draw_charts(content: dict) -> dict[str, str]:
    breadth = _breadth_trend(content)
    extra = {"breadth": breadth_chart(breadth, "大客户使用业务种类数(近13个月)")} if breadth else {}
    business = [r for r in content["by_business"] if r["revenue_fen"]]
    counties = sorted((r for r in content["by_county"] if r["revenue_fen"]), key=lambda r: -r["revenue_fen"])
    return {
        "trend": trend_chart(pd.DataFrame(content["trend"]), "全州收入与用邮量(近13个月)"),
        "business": bar_chart(
            [r["business_type"] for r in business],
            [r["revenue_fen"] / 1e6 for r in business],
            "分业务种类收入",
            "收入(万元)",
        ),
        "county": bar_chart(
            [r["county"] for r in counties],
            [r["revenue_fen"] / 1e6 for r in counties],
            "分县(市)收入",
            "收入(万元)",
        ),
        "pareto": pareto_chart(content["pareto"]["curve"], "客户收入集中度(帕累托曲线)"),
        **extra,
    }


def alert_wording(rules: Rules) -> dict[str, str]:
    """How the bulletins word the alert rules of the month (三个月, 80%): from the rules in force,
    not the templates, so that a changed rule is never described by the old one. Not part of the
    month's content: a new rule is a new `rules_version` there already."""

    def months(key: str) -> str:
        n = int(rules.get(key))
        return CHINESE_NUMBERS.get(n, str(n))

    return {
        "loss_months": months("alerts.loss_months"),
        "fallback_months": months("alerts.decline_fallback_months"),
        "decline_pct": f"{percent(float(rules.get('alerts.decline_ratio')), 0)}%",
    }


def render_bulletin(
    content: dict, version: int, folder: Path, attachments: list[Path], wording: dict[str, str]
) -> Path:
    """信息简报 PDF of `version` in `folder` (PDF/A-3b with the month's tables attached);
    `wording`: alert_wording of the month's rules."""
    when = document_time(content["month"], version)
    b = {**content, "version": version, "document_time": when.isoformat(), "charts": charts(content, folder)}
    html = render_pdf_html("bulletin.html", when, b=b, w=wording)
    out = folder / f"信息简报_{content['issue_label']}_第{version}版.pdf"
    return write_pdf(html, folder, out, when, attachments)


def render_brief(content: dict, version: int, folder: Path, wording: dict[str, str]) -> Path:
    """信息参考 PDF for leadership: at most two pages of figures and risks."""
    when = document_time(content["month"], version)
    b = {**content, "version": version, "document_time": when.isoformat()}
    html = render_pdf_html("brief.html", when, b=b, w=wording)
    out = folder / f"信息参考_{content['issue_label']}_第{version}版.pdf"
    return write_pdf(html, folder, out, when)
