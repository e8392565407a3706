"""大客户用邮情况表: at quarter-end months, per county, each key account's usage by business type
over the quarter (the counties' quarterly report of the plan, 按季逐级填报)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.analytics.tiers import key_accounts
from pipeline.core.months import number_of, quarter_of, shift, year_of

QUARTERLY_COLUMNS = [
    "quarter",
    "county",
    "customer_id",
    "customer_name",
    "tier",
    "business_type",
    "volume",
    "revenue_fen",
]


def is_quarter_end(month: str) -> bool:
    return number_of(month) % 3 == 0


def quarter_label(month: str) -> str:
    return f"{year_of(month)}年第{quarter_of(month)}季度"


def quarterly_usage(
    usage_by_month: dict[str, pd.DataFrame], month: str, tiers: pd.DataFrame, archive: pd.DataFrame
) -> pd.DataFrame:
    """Key accounts' volume and revenue by business type over the quarter ending at `month`."""
    if not is_quarter_end(month):
        return pd.DataFrame(columns=QUARTERLY_COLUMNS)
    frames = [usage_by_month[m] for m in (shift(month, -2), shift(month, -1), month) if m in usage_by_month]
    keys = key_accounts(tiers).set_index("customer_id")
    usage = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["customer_id"])
    usage = usage[usage.customer_id.isin(keys.index)]
    out = usage.groupby(["customer_id", "business_type"], as_index=False)[["volume", "revenue_fen"]].sum()
    out["county"] = out.customer_id.map(keys.county)
    out["tier"] = out.customer_id.map(keys.tier)
    out["customer_name"] = out.customer_id.map(archive.set_index("customer_id").name).fillna("")
    out["quarter"] = quarter_label(month)
    return out.sort_values(["county", "customer_id", "business_type"], kind="mergesort")[
        QUARTERLY_COLUMNS
    ].reset_index(drop=True)


# -- the publication -----------------------------------------------------------------------

XLSX_HEADERS = ["客户编号", "客户名称", "级别", "业务种类", "用邮量", "收入(元)"]


def render_quarterly(table: pd.DataFrame, content: dict, version: int, folder: Path) -> tuple[Path, Path]:
    """大客户用邮情况表 of the quarter: a PDF (a section per county) and an xlsx (a sheet per county)."""
    from pipeline.analytics.tiers import TIER_LABELS
    from pipeline.render.pdf import document_time, render_pdf_html, write_pdf
    from pipeline.render.xlsx import write_sheets

    when = document_time(content["month"], version)
    shown = table.assign(tier_label=table.tier.map(TIER_LABELS))
    order = [r["business_type"] for r in content["by_business"]]
    counties = []
    for county, rows in shown.groupby("county", sort=True):
        # the PDF: a customer per row, 收入 by business type across (the xlsx keeps every figure)
        matrix = rows.pivot_table(
            index=["customer_id", "customer_name", "tier_label"],
            columns="business_type",
            values="revenue_fen",
            aggfunc="sum",
        )
        businesses = [b for b in order if b in matrix.columns]
        matrix = matrix.reindex(columns=businesses)
        matrix["total"] = matrix.sum(axis=1)
        customers = [
            {
                "customer_id": i[0],
                "customer_name": i[1],
                "tier_label": i[2],
                "cells": [None if v != v else int(v) for v in r[businesses]],
                "total": int(r["total"]),
            }
            for i, r in matrix.sort_values("total", ascending=False, kind="mergesort").iterrows()
        ]
        counties.append(
            {
                "county": county,
                "rows": rows.to_dict("records"),
                "businesses": businesses,
                "customers": customers,
                "revenue_fen": int(rows.revenue_fen.sum()),
            }
        )
    quarter = quarter_label(content["month"])
    stem = f"大客户用邮情况表_{quarter}_第{version}版"
    html = render_pdf_html(
        "quarterly.html",
        when,
        b={
            **content,
            "version": version,
            "document_time": when.isoformat(),
            "quarter": quarter,
            "counties": counties,
        },
    )
    pdf = write_pdf(html, folder, folder / f"{stem}.pdf", when)
    sheets = {
        c["county"]: (
            XLSX_HEADERS,
            [
                [
                    r["customer_id"],
                    r["customer_name"],
                    r["tier_label"],
                    r["business_type"],
                    int(r["volume"]),
                    round(r["revenue_fen"] / 100, 2),
                ]
                for r in c["rows"]
            ],
        )
        for c in counties
    }
    xlsx = write_sheets(folder / f"{stem}.xlsx", sheets, when.replace(tzinfo=None))
    return pdf, xlsx
