"""Pay statements (one PDF per manager), the centre's summary workbook and pay.csv.

Restricted output: written only under outputs/restricted/, never linked from the site.
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

import pandas as pd

from pipeline.core.contract import PAY, read_csv
from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write
from pipeline.core.months import chinese_month
from pipeline.core.rules import Rules
from pipeline.core.tables import csv_bytes, text_kept_as_text
from pipeline.pay.lines import KIND_LABELS, MONEY_COLUMNS, pay_digest_lines
from pipeline.pay.release import DRAFT, RELEASED
from pipeline.pay.scorecard import ITEM_LABELS, ITEMS
from pipeline.render.pdf import (
    PDFS_APART_FROM,
    document_time,
    load_print_resources,
    render_pdf_html,
    write_pdfs,
)
from pipeline.render.pool import helper_process, worth_a_helper
from pipeline.render.xlsx import write_sheets

ITEM_COLUMN_LABELS = {
    "performance_pay": "业绩工资",
    "marketing_reward": "营销奖励",
    "award": "突出贡献奖",
    "allowance": "外勤津贴",
    "total": "合计",
}


def write_pay_tables(
    folder: Path, summary: pd.DataFrame, lines: pd.DataFrame, versions: dict[str, int], released: set[int]
) -> Path:
    """pay.csv (the data contract) and pay_lines.csv of a version, amounts as 元 with two decimals;
    `version` is that of each manager's statement in force, `state` that version's: released when
    it is one of `released` (the director confirmed it), else draft (not to be paid from yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    version = summary.manager_id.map(versions)
    state = version.map(lambda v: RELEASED if v in released else DRAFT)
    shown = text_kept_as_text(summary.assign(version=version, state=state))
    shown = shown[PAY.names + [c for c in shown.columns if c not in PAY.names]]
    for column in MONEY_COLUMNS:
        shown[column] = shown[column].map(lambda v: f"{v:.2f}")
    atomic_write(folder / "pay.csv", csv_bytes(shown))
    shown_lines = text_kept_as_text(lines).assign(amount=lines.amount.map(lambda v: f"{v:.2f}"))
    atomic_write(folder / "pay_lines.csv", csv_bytes(shown_lines))
    return folder / "pay.csv"


def read_pay_summary(folder: Path) -> pd.DataFrame | None:
    path = folder / "pay.csv"
    if not path.exists():
        return None
    frame = read_csv(path)
    for column in MONEY_COLUMNS:
        frame[column] = frame[column].map(Decimal)
    return frame


STATEMENTS_INDEX = "index.json"


def render_statements(
    month: str,
    version: int,
    rules: Rules,
    summary: pd.DataFrame,
    lines: pd.DataFrame,
    scorecards: pd.DataFrame,
    deltas: pd.DataFrame,
    folder: Path,
    previous: Path | None = None,
    release: tuple[str, str] = (RELEASED, ""),
    claims: pd.DataFrame | None = None,
    compared_with: int | None = None,
    unused: pd.DataFrame | None = None,
    compared_statements: dict[str, int] | None = None,
    stated: dict[str, dict] | None = None,
    changes: pd.DataFrame | None = None,
) -> dict[str, int]:
    """One PDF per manager (fonts and templates are loaded once per process); manager → the
    version of the statement in force.

    A manager whose statement states exactly what it stated in the `previous` version's folder
    keeps that statement (same file, same 第N版): only statements whose amounts or lines changed
    are issued anew (a renamed source file is not such a change). `release`: (draft or
    released, its note); a draft is marked 草稿 on every page and is issued again once released.
    A correction is stated against the pay version `compared_with`, named by the manager's own
    statement in it (`compared_statements`: manager → its 第N版), with the lines that changed
    (`changes`: `pipeline.pay.lines.line_changes`). `stated`: `statements_of` the same pay,
    when the caller has it already.
    """
    when = document_time(month, version)
    folder.mkdir(parents=True, exist_ok=True)
    # A first version issues every statement: the helper process is started now and loads
    # WeasyPrint while the HTML is made. A later version issues only those that changed, often one
    # or two.
    with ExitStack() as stack:
        helper = None
        if previous is None and worth_a_helper(len(summary), PDFS_APART_FROM):
            helper = stack.enter_context(helper_process(load_print_resources))
            helper.submit(int)  # a first task starts it
        index, to_write = {}, []
        before = _read_index(previous)
        state, note = release
        pay = {"summary": summary, "lines": lines, "claims": claims, "unused_rows": unused}
        stated = stated or statements_of(month, rules, pay, scorecards)
        for manager in summary.itertuples():
            s = stated[manager.manager_id]
            digest = statement_hash(s)
            kept = before.get(manager.manager_id)
            if _keeps(kept, digest, state, previous):
                _link(previous / kept["file"], folder / kept["file"])
                index[manager.manager_id] = kept
                continue
            shown = {
                **s,
                "deltas": _deltas_shown(deltas, manager.manager_id),
                "line_changes": _changes_shown(changes, manager.manager_id),
                "compared_with": (compared_statements or {}).get(manager.manager_id, compared_with),
                "version": version,
                "document_time": when.isoformat(),
                "state": state,
                "state_note": note,
            }
            html = render_pdf_html("statement.html", when, s=shown)
            path = folder / f"薪酬明细_{manager.manager_id}_{manager.name}_{month}_第{version}版.pdf"
            to_write.append((html, path))
            index[manager.manager_id] = {
                "version": version,
                "file": path.name,
                "content_hash": digest,
                "state": state,
            }
        # each PDF ~0.2 s, nearly all of it WeasyPrint's layout
        write_pdfs([(html, folder, path, when) for html, path in to_write], helper)
    # a draft's statement kept from an earlier draft and issued anew once released: the folder
    # holds the statements in force only (nobody is handed a superseded draft beside its release)
    in_force = {entry["file"] for entry in index.values()}
    for stale in folder.glob("薪酬明细_*.pdf"):
        if stale.name not in in_force:
            stale.unlink()
    atomic_write(
        folder / STATEMENTS_INDEX,
        json.dumps(index, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8"),
    )
    return {manager_id: entry["version"] for manager_id, entry in index.items()}


def statements_of(month: str, rules: Rules, pay: dict, scorecards: pd.DataFrame) -> dict[str, dict]:
    """manager → what their statement states (`pay`: the pay step's summary, lines, claims and
    unused rows); the deltas against an earlier version are added when it is issued."""
    cards = scorecards.set_index("manager_id")
    out = {}
    for manager in pay["summary"].itertuples():
        card = cards.loc[manager.manager_id]
        s = _statement(month, rules, manager, card, pay["lines"], pay.get("claims"))
        s["unused_rows"] = _unused_rows(pay.get("unused_rows"), manager.manager_id)
        out[manager.manager_id] = s
    return out


def statement_hash(statement: dict) -> str:
    """The amounts and lines a statement states: not its deltas, not the source files' names."""
    stated = {k: v for k, v in statement.items() if k not in ("deltas", "lines", "line_changes")}
    stated["lines"] = pay_digest_lines(statement["lines"])  # as the edition sees them: no file names
    stated["unused_rows"] = [
        {k: v for k, v in r.items() if k != "file"} for r in statement.get("unused_rows", [])
    ]
    for added in ("unused_rows", "score_scaled"):  # empty, they leave the hash a statement had before
        if not stated.get(added):
            stated.pop(added, None)
    return content_hash(stated)


def _keeps(kept: dict | None, digest: str, state: str, previous: Path | None) -> bool:
    """The statement issued before still stands: same figures, and not a draft now released."""
    if not kept or previous is None or kept["content_hash"] != digest:
        return False
    was = kept.get("state", RELEASED)  # statements issued before the sign-off existed were final
    return was in (RELEASED, state) and (previous / kept["file"]).exists()


def _statement(month: str, rules: Rules, manager, card, lines: pd.DataFrame, claims=None) -> dict:
    """What a manager's statement states (its version, date and deltas are added when issued)."""
    weights = rules.get("scorecard.weights")
    refused = (
        claims[(claims.manager_id == manager.manager_id) & ~claims.rewarded]
        if claims is not None and not claims.empty
        else pd.DataFrame(columns=["customer_id", "business_type", "revenue_fen", "reason"])
    )
    return {
        "manager_id": manager.manager_id,
        "name": manager.name,
        "county": manager.county,
        "month_label": chinese_month(month),
        "rules_version": rules.version,
        "rules_title": rules.title,
        **{k: f"{getattr(manager, k):.2f}" for k in MONEY_COLUMNS},
        "held": getattr(manager, "held", ""),
        "held_reason": str(card.get("held", "") or ""),
        "score_total": f"{card.total:.2f}",
        "score_scaled": _scaling_note(card, weights),
        "lines": [
            {
                **line,
                "amount": f"{line['amount']:.2f}",
            }
            for line in lines[lines.manager_id == manager.manager_id].to_dict("records")
        ],
        "not_rewarded": [
            {
                "customer_id": c.customer_id,
                "business_type": c.business_type,
                "revenue": f"{Decimal(int(c.revenue_fen)) / 100:,.2f}",
                "reason": c.reason,
            }
            for c in refused.itertuples()
        ],
        "score_items": [
            {
                "label": ITEM_LABELS[i],
                "weight": weights[i],
                "value": card[f"{i}_value"],
                "points": f"{card[i]:.2f}",
                "note": card[f"{i}_note"],
            }
            for i in ITEMS
        ],
    }


def _deltas_shown(deltas: pd.DataFrame, manager_id: str) -> list[dict]:
    """The manager's changes against the version compared with (the 更正说明)."""
    mine = deltas[deltas.manager_id == manager_id] if not deltas.empty else deltas
    return [
        {
            "label": ITEM_COLUMN_LABELS[d.item],
            "old": f"{d.old:.2f}",
            "new": f"{d.new:.2f}",
            "delta": f"{d.delta:+.2f}",
        }
        for d in mine.itertuples()
    ]


def _manager_rows(frame: pd.DataFrame | None, manager_id: str, columns: list[str]) -> list[dict]:
    """The manager's rows of `frame` (one with a manager_id column), those columns as records."""
    if frame is None or frame.empty:
        return []
    return frame.loc[frame.manager_id == manager_id, columns].to_dict("records")


def _changes_shown(changes: pd.DataFrame | None, manager_id: str) -> list[dict]:
    """The lines behind the manager's deltas: as they were (原) and as they are now (现)."""
    return _manager_rows(changes, manager_id, ["change", "description", "amount"])


def _read_index(folder: Path | None) -> dict[str, dict]:
    path = folder / STATEMENTS_INDEX if folder else None
    return json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else {}


def _link(source: Path, target: Path) -> None:
    """The same statement in the new version's folder (a hard link; a copy where links fail)."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


DRAFT_TOTAL = "合计(草稿:主任确认前不得据此发放)"
MONEY_FORMAT, SCORE_FORMAT = "#,##0.00", "0.00"
HELD_SCORE_NOTE = "暂缓项按 0 计,非实际得分"


def write_summary_workbook(
    path: Path,
    month: str,
    version: int,
    summary: pd.DataFrame,
    lines: pd.DataFrame,
    scorecards: pd.DataFrame,
    draft: bool = False,
) -> Path:
    """The centre's workbook: 汇总 (a row per manager and a total row), 明细 (every line), 考核.
    A draft says so in its first sheet's name and on the total row finance reads; a held item is
    named beside the manager's figures (its 0.00 is not a figure), money is shown with its fen."""
    money = MONEY_COLUMNS
    held = dict(zip(summary.manager_id, summary.held, strict=True))
    totals = [
        DRAFT_TOTAL if draft else "合计",
        "",
        "",
        "",
        *[float(sum(summary[c], Decimal(0))) for c in money],
    ]
    first = "汇总(草稿)" if draft else "汇总"
    sheets = {
        first: (
            ["工号", "姓名", "县(市)", "暂缓发放", *[ITEM_COLUMN_LABELS[c] for c in money]],
            [
                [r.manager_id, r.name, r.county, r.held, *[float(getattr(r, c)) for c in money]]
                for r in summary.itertuples()
            ]
            + [totals],
        ),
        "明细": (
            ["工号", "序号", "类别", "项目与计算", "金额(元)", "依据", "来源"],
            [
                [r.manager_id, r.line, KIND_LABELS[r.kind], r.description, float(r.amount), r.rule, r.source]
                for r in lines.itertuples()
            ],
        ),
        "考核": (
            ["工号", "姓名", *[ITEM_LABELS[i] for i in ITEMS], "合计", "说明"],
            [
                [
                    r["manager_id"],
                    r["name"],
                    *[float(r[i]) for i in ITEMS],
                    float(r["total"]),
                    HELD_SCORE_NOTE if held.get(r["manager_id"]) else "",
                ]
                for r in scorecards.to_dict("records")
            ],
        ),
    }
    formats = {
        first: {4 + i: MONEY_FORMAT for i in range(len(money))},
        "明细": {4: MONEY_FORMAT},
        "考核": {2 + i: SCORE_FORMAT for i in range(len(ITEMS) + 1)},
    }
    return write_sheets(path, sheets, document_time(month, version).replace(tzinfo=None), formats)


def _scaling_note(card, weights: dict) -> str:
    """How the total was put on the full scale when items with nothing to measure were left out
    ("" when every item was scored)."""
    full = sum(Decimal(str(weights[i])) for i in ITEMS)
    possible = card.get("possible")
    if possible is None or possible != possible or Decimal(str(possible)) == full:
        return ""
    earned = sum((Decimal(str(card[i])) for i in ITEMS), Decimal(0))
    return f"不计分项不计入满分:得分 {earned:.2f} ÷ 可得 {Decimal(str(possible)):.2f} × {full:.0f}"


def _unused_rows(unused: pd.DataFrame | None, manager_id: str) -> list[dict]:
    """The manager's customers' 用邮情况 rows not used this month (pipeline.pay.month.unused_rows)."""
    rows = _manager_rows(unused, manager_id, ["customer_id", "file", "row", "reason", "values"])
    return [{**r, "row": str(r["row"])} for r in rows]
