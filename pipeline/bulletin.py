"""信息简报: what the monthly bulletin states (a plain dict), and its PDF."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.charts import trend_chart
from pipeline.months import chinese_month, month_range, shift
from pipeline.reference import Reference
from pipeline.render import document_time, render_html, stylesheet, write_pdf
from pipeline.submissions import with_labels
from pipeline.versions import content_hash, record_version, version_for

TREND_MONTHS = 13


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with NaN turned into None (templates show — for None)."""
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        for r in frame.to_dict("records")
    ]


def bulletin_content(
    month: str,
    ref: Reference,
    tables: dict[str, pd.DataFrame],
    submissions: pd.DataFrame,
    usage_by_month: dict[str, pd.DataFrame],
) -> dict:
    """Everything the 信息简报 states for `month`, as plain data (hashable for versions)."""
    usage = usage_by_month.get(month, pd.DataFrame(columns=["customer_id", "volume", "revenue_fen"]))
    total_row = _total_row(usage_by_month, month)
    by_business = (
        tables["business"]
        .set_index("business_type")
        .reindex([b for b in ref.business_order if b in set(tables["business"].business_type)])
        .reset_index()
    )
    by_business["unit"] = by_business.business_type.map(ref.business_units)
    labelled = with_labels(submissions)
    status = labelled.set_index("county")
    by_county = tables["county"].set_index("county").reindex(list(ref.county_names.values())).reset_index()
    by_county["status"] = by_county.county.map(status.status)
    by_county["status_label"] = by_county.county.map(status.status_label)
    customers = usage.groupby("county").customer_id.nunique() if not usage.empty else pd.Series(dtype=int)
    by_county["customers"] = by_county.county.map(customers).fillna(0).astype(int)
    by_county["revenue_fen"] = by_county.revenue_fen.fillna(0).astype("int64")
    trend_months = [m for m in month_range(shift(month, -(TREND_MONTHS - 1)), month) if m in usage_by_month]
    trend = [
        {
            "month": m,
            "volume": int(usage_by_month[m].volume.sum()),
            "revenue_fen": int(usage_by_month[m].revenue_fen.sum()),
        }
        for m in trend_months
    ]
    return {
        "month": month,
        "month_label": chinese_month(month),
        "issue_label": f"{month[:4]}年第{int(month[5:])}期",
        "rules_version": ref.rules.for_month(month).version,
        "county_count": len(ref.county_names),
        "submitted": int(submissions.status.isin(["on_time", "late", "received"]).sum()),
        "on_time": int((submissions.status == "on_time").sum()),
        "late": int((submissions.status == "late").sum()),
        "rejected": list(submissions.county[submissions.status == "rejected"]),
        "missing": list(submissions.county[submissions.status == "missing"]),
        "total": {**total_row, "customers": int(usage.customer_id.nunique()), "rows": len(usage)},
        "by_business": _records(by_business),
        "by_county": _records(by_county),
        "trend": trend,
        "submissions": _records(labelled),
    }


def _total_row(usage_by_month: dict[str, pd.DataFrame], month: str) -> dict:
    def total(m: str, col: str) -> int | None:
        frame = usage_by_month.get(m)
        return None if frame is None or frame.empty else int(frame[col].sum())

    out: dict = {"volume": total(month, "volume"), "revenue_fen": total(month, "revenue_fen")}
    for suffix, other in (("mom", shift(month, -1)), ("yoy", shift(month, -12))):
        for col, label in (("volume", "volume"), ("revenue_fen", "revenue")):
            now, before = out[col], total(other, col)
            out[f"{label}_{suffix}"] = (now / before - 1) if now is not None and before else None
    return out


def publish_bulletin(content: dict, folder: Path, attachments: list[Path]) -> tuple[Path, int, bool]:
    """Render the 信息简报 PDF into `folder`/v<N>/; a new version only if the content changed."""
    digest = content_hash(content)
    version, is_new = version_for(folder, digest)
    name = f"信息简报_{content['issue_label']}_第{version}版.pdf"
    out = folder / f"v{version}" / name
    if is_new or not out.exists():
        when = document_time(content["month"], version)
        html = bulletin_html(content, version, when.isoformat())
        write_pdf(html, folder, out, when, attachments)
        record_version(folder, content["month"], version, digest, {"brief": f"v{version}/{name}"})
    return out, version, is_new


def bulletin_html(content: dict, version: int, when: str) -> str:
    trend_svg = trend_chart(pd.DataFrame(content["trend"]), "全州收入与用邮量(近13个月)")
    b = {**content, "version": version, "document_time": when, "trend_svg": trend_svg}
    return render_html("bulletin.html", b=b, inline_css=stylesheet(), root="")
