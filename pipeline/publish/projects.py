"""Marketing projects in the publications: the cadence table of the 信息参考, and at a cycle's end
the evaluation (评估绩效项目效果) as a PDF with the next cycle's draft register row as a workbook.

Both files of a project go to `outputs/projects/YYYY-MM/` (the month its cycle ends):
`项目评估_<编号>.pdf` and `项目登记草稿_<编号>.xlsx`. They are not part of the month's edition
(信息简报/信息参考 versions): an evaluation belongs to its project, is read by the centre and the
lead unit, and is rewritten with the month (the same data gives the same bytes).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from functools import partial
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.analytics.projects import PENDING, SHORT, target_due
from pipeline.core.files import atomic_write
from pipeline.core.months import chinese_month, next_month, shift
from pipeline.core.privacy import mask_phones_in, mask_phones_in_column
from pipeline.ingest.projects import PROJECT_HEADER
from pipeline.render.charts import baseline_chart
from pipeline.render.pdf import document_time, render_pdf_html, write_pdf_if_changed
from pipeline.render.xlsx import reproducible_bytes

NEXT_GROWTH = Decimal(
    "1.10"
)  # the draft's revenue target: this cycle's result + 10 %, at least the old target
ROUND_TO_FEN = 100_00  # … rounded up to whole hundreds of 元
_CYCLE_SUFFIX = re.compile(r"^(.*)-C(\d+)$")


def cadence_section(rows: list[dict], year: int) -> dict:
    """The 信息参考's small table: lead units in three columns, the short ones named."""
    short = [r for r in rows if r["verdict"] == SHORT]
    pending = [r["unit"] for r in rows if r["verdict"] == PENDING]
    third = -(-len(rows) // 3)
    columns = [rows[i * third : (i + 1) * third] for i in range(3)]
    lines = [[c[i] if i < len(c) else None for c in columns] for i in range(third)]
    return {
        "year": year,
        "lines": lines,
        "short": [r["unit"] for r in short],
        "pending": pending,
        "rows": rows,
    }


def project_section(frame: pd.DataFrame, cadence_rows: list[dict], year: int) -> dict:
    """What the 信息参考 says of the projects: the cadence, and the projects that end this month."""
    ending = frame[frame.phase == "本月结束"] if not frame.empty else frame
    return {
        "cadence": cadence_section(cadence_rows, year),
        "running": int((frame.phase == "进行中").sum()) if not frame.empty else 0,
        "ending": [
            {
                "project_id": r.project_id,
                "name": mask_phones_in(r.name),
                "lead": r.lead,
                "revenue_fen": int(r.revenue_fen),
                "target_revenue_fen": int(r.target_revenue_fen),
                "baseline_revenue_fen": int(r.baseline_revenue_fen),
            }
            for r in ending.itertuples()
        ],
    }


def next_project_id(project_id: str) -> str:
    """P-01 → P-01-C2; P-01-C2 → P-01-C3."""
    match = _CYCLE_SUFFIX.match(project_id)
    return f"{match.group(1)}-C{int(match.group(2)) + 1}" if match else f"{project_id}-C2"


def draft_row(result: dict) -> list:
    """The next cycle's register row (制定第二个周期项目计划书): the same customers, business and
    length, starting the month after; revenue target = max(old target, result × 1.1) rounded up
    to 100 元; the count targets kept; 状态 草稿 (a draft counts nowhere until the centre changes it).
    The manager by 工号, which the register reads back whoever shares the name."""
    grown = (Decimal(result["revenue_fen"]) * NEXT_GROWTH / ROUND_TO_FEN).to_integral_value(ROUND_CEILING)
    target_fen = max(int(result["target_revenue_fen"]), int(grown) * ROUND_TO_FEN)
    start = next_month(result["end"])
    return [
        next_project_id(result["project_id"]),
        result["name"],
        result["lead"],
        result["manager_id"],
        result["targets"],
        result["business_types"],
        start,
        shift(start, int(result["cycle_months"]) - 1),
        f"{Decimal(target_fen) / 100:.2f}",
        int(result["target_new_accounts"]),
        int(result["target_converted"]),
        "草稿",
    ]


def write_draft(path: Path, row: list, month: str) -> Path:
    """The draft row under the register's header, in a sheet named like the register's: every
    cell a plain value, text that looks like a formula kept as text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目登记"
    ws.append(PROJECT_HEADER)
    ws.append(row)
    for cell in ws[2]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
    for column, width in zip("ABCDEFGHIJKL", (14, 24, 10, 12, 30, 16, 10, 10, 14, 14, 12, 8), strict=True):
        ws.column_dimensions[column].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, reproducible_bytes(wb, document_time(month, 1)))
    return path


def safe_project_id(project_id: str) -> str:
    """The project id as written into file names (项目评估_<id>.pdf, 项目登记草稿_<id>.xlsx)."""
    return re.sub(r'[\\/:*?"<>|\s]', "_", project_id)


def evaluation_name(project_id: str) -> str:
    """The file name of a project's evaluation PDF in outputs/projects/YYYY-MM/ (the site links it)."""
    return f"项目评估_{safe_project_id(project_id)}.pdf"


def write_evaluations(
    folder: Path,
    month: str,
    results: dict[str, dict],
    customer_names: pd.Series,
    manager_names: dict[str, str],
) -> list[Path]:
    """Every project whose cycle ends in `month`: its evaluation PDF and its draft row workbook.
    Files of projects no longer ending this month are removed (the folder belongs to the month)."""
    written: list[Path] = []
    when = document_time(month, 1)
    # the PDF is read by all staff (and linked from the site): phone numbers typed into names,
    # the register's text and the draft shown in it are masked; the draft workbook is the register's
    customer_names = mask_phones_in_column(customer_names)
    for project_id, r in sorted(results.items()):
        if r["phase"] != "ending":
            continue
        safe = safe_project_id(project_id)
        manager = manager_names.get(r["manager_id"], r["manager_id"])
        row = draft_row(r)
        draft = write_draft(folder / f"项目登记草稿_{safe}.xlsx", row, month)
        won = [
            {
                "customer_id": w.customer_id,
                "name": customer_names.get(w.customer_id, ""),
                "business_types": w.business_types,
                "revenue_fen": int(w.revenue_fen),
            }
            for w in r["_won"].itertuples()
        ]
        e = {
            **{k: v for k, v in r.items() if not k.startswith("_")},
            "name": mask_phones_in(r["name"]),
            "targets": mask_phones_in(r["targets"]),
            "month_label": chinese_month(month),
            "manager_name": manager,
            "curve": r["_curve"],
            "won": won,
            "new_key_account_names": [
                f"{customer_names.get(c, '')}({c})" if customer_names.get(c, "") else c
                for c in r["_new_key_accounts"]
            ],
            "due": _due(r),
            "draft": {k: mask_phones_in(v) for k, v in zip(PROJECT_HEADER, row, strict=True)},
            "draft_file": draft.name,
        }
        evaluation = folder / evaluation_name(project_id)
        write_pdf_if_changed(evaluation, e, partial(_evaluation_html, e, when), folder, when)
        written += [evaluation, draft]
    keep = {p.name for p in written} | {f".{p.name}.source" for p in written}
    for old in [*folder.glob("项目*"), *folder.glob(".项目*.source")] if folder.is_dir() else []:
        if old.name not in keep:
            old.unlink()
    return written


def _due(r: dict) -> dict:
    """What was due of each target over the months counted: the whole target, unless a month was
    left out (a county's workbook not accepted), as in projects.csv and the scorecard."""
    counted, length = int(r["counted_months"]), int(r["cycle_months"])
    counts = {k: target_due(r[f"target_{k}"], counted, length) for k in ("new_accounts", "converted")}
    return {
        "revenue_fen": int(r["target_revenue_due_fen"]),
        **{k: f"{v:.2f}" if v != v.to_integral_value() else f"{v:.0f}" for k, v in counts.items()},
        **{f"{k}_share": v for k, v in counts.items()},
    }


def _evaluation_html(e: dict, when: datetime) -> str:
    """The evaluation's HTML, its chart drawn (only when the PDF is drawn again)."""
    chart = baseline_chart(
        [f"{p['month'][2:4]}/{p['month'][5:]}" for p in e["curve"]],
        [p["revenue_fen"] / 100 if p["revenue_fen"] is not None else float("nan") for p in e["curve"]],
        [p["baseline_fen"] / 100 for p in e["curve"]],
        f"{e['name']}:逐月收入与基线",
        "收入(元)",
    )
    return render_pdf_html("project_evaluation.html", when, e={**e, "chart": chart})
