"""Each manager's to-do list (工作清单) for the month: one xlsx and one PDF per manager under
`outputs/managers/YYYY-MM/<工号>_<姓名>_工作清单.{xlsx,pdf}`, and `todo_items.csv` under restricted/
(every item of every list, the contract table TODO_ITEMS).

The folder is restricted like the pay statements: it holds key persons' birthdays, which appear
nowhere else (not in outputs/tables/, the bulletins or the site). Each list is what the manager
does next: the key accounts not visited this month (alerted ones first), visits planned and not
made, open and overdue cases, the greetings due next month, archive records to refresh and the
survey follow-ups still waiting.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.analytics.cases import OPEN, STATUS_LABELS, TYPE_LABELS
from pipeline.analytics.todo import greetings_due, missed_plans, not_visited, stale_archive
from pipeline.analytics.visits import visits_in_month
from pipeline.core.contract import TODO_ITEMS
from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write
from pipeline.core.layout import Layout
from pipeline.core.months import chinese_month, next_month
from pipeline.core.tables import write_table
from pipeline.ingest.reference import PREFECTURE_OFFICE_NAME
from pipeline.render.pdf import document_time, render_pdf_html, rendering_digest, write_pdfs
from pipeline.render.xlsx import write_sheets
from pipeline.surveys.followup import STATUS_LABELS as FOLLOWUP_LABELS
from pipeline.surveys.followup import WAITING

# section → its heading, in the order of the list
SECTIONS = {
    "not_visited": "本月未走访的大客户",
    "missed_visit": "计划走访未完成",
    "case": "未办结的投诉、查询、理赔",
    "greeting": "下月及次月初的节日与生日问候",
    "archive": "待更新的客户档案",
    "survey_followup": "满意度测评待回访客户",
}
SECTION_COLUMNS = {  # the xlsx sheet's and the PDF table's columns of each section
    "not_visited": ["客户编号", "客户名称", "级别", "预警"],
    "missed_visit": ["计划日期", "客户编号", "客户名称", "来源"],
    "case": ["受理日期", "客户编号", "客户名称", "类型", "状态", "说明"],
    "greeting": ["日期", "事由", "客户编号", "客户名称", "对象"],
    "archive": ["最近更新", "客户编号", "客户名称", "说明"],
    "survey_followup": ["回访期限", "客户编号", "客户名称", "状态", "说明"],
}
INDEX_FILE = "index.json"


def list_name(manager_id: str, name: str) -> str:
    return f"{manager_id}_{name}_工作清单"


def month_todo_items(
    month: str,
    managers: pd.DataFrame,
    archive: pd.DataFrame,
    tiers: pd.DataFrame,
    visits: pd.DataFrame,
    alerts: pd.DataFrame,
    cases: pd.DataFrame,
    holidays: pd.DataFrame,
    birthdays: pd.DataFrame,
    followups: pd.DataFrame,
    refresh_months: int,
    unverified_counties: set[str] = frozenset(),
    greetings_early_days: int = 0,
    stand_in: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The month's items, each section drawn from the analytics it comes from.
    `unverified_counties`: counties whose workbook was not accepted: their visits are not known."""
    return todo_items(
        month,
        managers,
        archive,
        not_visited(tiers, visits_in_month(visits, month), alerts),
        missed_plans(visits, month),
        cases,
        greetings_due(month, tiers, holidays, birthdays, archive, greetings_early_days),
        stale_archive(tiers, archive, month, refresh_months),
        followups,
        refresh_months,
        unverified_counties,
        stand_in,
    )


def todo_items(
    month: str,
    managers: pd.DataFrame,
    archive: pd.DataFrame,
    not_visited: pd.DataFrame,
    missed: pd.DataFrame,
    cases: pd.DataFrame,
    greetings: pd.DataFrame,
    stale: pd.DataFrame,
    followups: pd.DataFrame,
    refresh_months: int,
    unverified_counties: set[str] = frozenset(),
    stand_in: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Every item of every manager's list as one table (TODO_ITEMS), in the lists' order.

    `managers`: manager_id, name, county (name) of the managers who get a list. A key account of
    an `unverified_counties` county is listed as not checked, not as not visited. An open case
    goes to the manager who took it, or, when that manager has no list this month (left), to
    the customer's manager now. An item whose manager has no list (left, or none named) goes to
    `stand_in` of the customer's county (county name → manager id; "" for any other county),
    saying whose it was: no key account is lost from view."""
    names = archive.set_index("customer_id").name if len(archive) else pd.Series(dtype=str)
    owner = archive.set_index("customer_id").manager_id if len(archive) else pd.Series(dtype=str)
    rows: list[dict] = []

    def add(section: str, manager: str, customer: str, day: str, what: str, status: str, detail: str) -> None:
        rows.append(
            {
                "manager_id": manager,
                "section": section,
                "customer_id": customer,
                "customer_name": str(names.get(customer, "")) if customer else "",
                "date": day,
                "what": what,
                "status": status,
                "detail": detail,
            }
        )

    for r in not_visited.itertuples():
        if r.county in unverified_counties:
            detail = "、".join(filter(None, [r.alerts, UNVERIFIED_NOTE]))
            add("not_visited", r.manager_id, r.customer_id, "", r.tier_label, UNVERIFIED, detail)
            continue
        add(
            "not_visited",
            r.manager_id,
            r.customer_id,
            "",
            r.tier_label,
            "alerted" if r.alerts else "",
            r.alerts,
        )
    for r in missed.itertuples():
        add(
            "missed_visit",
            r.manager_id,
            r.customer_id,
            r.planned,
            "计划走访",
            "missed",
            f"{r.source_file} 第{r.source_row}行",
        )
    open_cases = cases[cases.status.isin(OPEN)].sort_values(["opened", "case_id"], kind="mergesort")
    listed = set(managers.manager_id)
    for r in open_cases.itertuples():
        manager = (
            r.manager_id if r.manager_id in listed else str(owner.get(r.customer_id, "") or r.manager_id)
        )
        detail = f"已受理 {r.age_days} 天,时限 {r.limit_days} 天" + (f";{r.content}" if r.content else "")
        add("case", manager, r.customer_id, r.opened, _case_label(r.type), r.status, detail)
    for r in greetings.itertuples():
        if r.customer_id:
            add("greeting", r.manager_id, r.customer_id, r.date, r.occasion, "", r.contact)
        else:
            add("greeting", r.manager_id, "", r.date, r.occasion, "", f"全部大客户({r.accounts} 户)")
    for r in stale.itertuples():
        since = r.changed_month or "无档案记录"
        add(
            "archive",
            r.manager_id,
            r.customer_id,
            r.updated,  # 更新日期 as given (blank where none); the month in the detail
            "档案更新",
            "",
            f"超过 {refresh_months} 个月未更新(最近 {since})",
        )
    waiting = followups[followups.status.isin(WAITING)].sort_values(["due", "customer_id"], kind="mergesort")
    for r in waiting.itertuples():
        detail = f"{r.wave} 测评 {r.surveyed}:{r.low_dimensions}"
        add("survey_followup", r.manager_id, r.customer_id, r.due, "回访", r.status, detail)
    out = pd.DataFrame(
        rows, columns=[c for c in TODO_ITEMS.names if c not in ("month", "manager_name", "county")]
    )
    out = _to_stand_in(out, listed, archive, stand_in or {})
    out = out[out.manager_id.isin(managers.manager_id)]
    out = out.merge(
        managers[["manager_id", "name", "county"]].rename(columns={"name": "manager_name"}), on="manager_id"
    )
    out["month"] = month
    order = {s: i for i, s in enumerate(SECTIONS)}
    out = out.assign(_s=out.section.map(order), _i=range(len(out)))
    out = out.sort_values(["manager_id", "_s", "_i"], kind="mergesort").drop(columns=["_s", "_i"])
    return out[TODO_ITEMS.names].reset_index(drop=True)


def stand_ins(roster: pd.DataFrame, county_display) -> dict[str, str]:
    """County name → the head (主任, else 副主任) of its centre in post; "" → the 州局's: who is
    told of the key accounts of a manager who left, until the county gives them to another."""
    out: dict[str, str] = {}
    for role in ("副主任", "主任"):  # a 主任 overrides a 副主任 of the same centre
        heads = roster[roster.role == role]
        out.update({county_display(c): m for c, m in zip(heads.county, heads.manager_id, strict=True)})
    out[""] = out.get(PREFECTURE_OFFICE_NAME, "")
    return out


def _to_stand_in(
    items: pd.DataFrame, listed: set[str], archive: pd.DataFrame, stand_in: dict[str, str]
) -> pd.DataFrame:
    """Items of managers without a list this month, given to the stand-in of their customer's
    county (a holiday line, which names no customer, to the stand-in for any county)."""
    orphan = ~items.manager_id.isin(listed)
    if not orphan.any() or not stand_in:
        return items
    counties = archive.set_index("customer_id").county if len(archive) else pd.Series(dtype=str)
    items = items.copy()
    for i in items.index[orphan]:
        was = items.at[i, "manager_id"]
        county = str(counties.get(items.at[i, "customer_id"], "")) if items.at[i, "customer_id"] else ""
        items.at[i, "manager_id"] = stand_in.get(county) or stand_in.get("", "")
        note = f"原客户经理 {was} 本月不在岗,请安排接管" if was else "未指定客户经理,请安排"
        items.at[i, "detail"] = "、".join(filter(None, [items.at[i, "detail"], note]))
    return items


def _case_label(case_type: str) -> str:
    return TYPE_LABELS.get(case_type, case_type)


UNVERIFIED = "unverified"  # a not_visited item of a county whose workbook was not accepted
UNVERIFIED_NOTE = "本县(市)本月报表未被采用,走访情况未能核对"


def _cells(section: str, r: dict) -> list[str]:
    if section == "not_visited":
        return [r["customer_id"], r["customer_name"], r["what"], r["detail"]]
    if section == "missed_visit":
        return [r["date"], r["customer_id"], r["customer_name"], r["detail"]]
    if section == "case":
        return [
            r["date"],
            r["customer_id"],
            r["customer_name"],
            r["what"],
            STATUS_LABELS.get(r["status"], r["status"]),
            r["detail"],
        ]
    if section == "greeting":
        return [r["date"], r["what"], r["customer_id"], r["customer_name"], r["detail"]]
    if section == "archive":
        return [r["date"] or "—", r["customer_id"], r["customer_name"], r["detail"]]
    return [
        r["date"],
        r["customer_id"],
        r["customer_name"],
        FOLLOWUP_LABELS.get(r["status"], r["status"]),
        r["detail"],
    ]


def list_content(month: str, manager: dict, items: pd.DataFrame, years_missing: list[int]) -> dict:
    """What one manager's list states (the xlsx and the PDF are drawn from it); `years_missing`:
    the years the greetings reach that the holiday calendar lacks, named in its note."""
    records = items.to_dict("records")
    unverified = sum(1 for r in records if r["section"] == "not_visited" and r["status"] == UNVERIFIED)
    sections = []
    for key, title in SECTIONS.items():
        mine = [r for r in records if r["section"] == key]
        sections.append(
            {
                "key": key,
                "title": title,
                "columns": SECTION_COLUMNS[key],
                "rows": [_cells(key, r) for r in mine],
                # what is known not visited: the accounts not checked are listed, not counted
                "count": len(mine) - (unverified if key == "not_visited" else 0),
            }
        )
    counts = {s["key"]: s["count"] for s in sections}
    alerted = sum(1 for r in records if r["section"] == "not_visited" and r["status"] == "alerted")
    overdue = sum(1 for r in records if r["section"] == "case" and r["status"] == "overdue")
    return {
        "month": month,
        "month_label": chinese_month(month),
        "next_label": chinese_month(next_month(month)),
        "manager_id": manager["manager_id"],
        "name": manager["name"],
        "county": manager["county"],
        "sections": sections,
        "counts": counts,
        "alerted": alerted,
        "unverified": unverified,
        "overdue": overdue,
        "notes": _section_notes(unverified, years_missing),
    }


def _section_notes(unverified: int, years_missing: list[int]) -> dict[str, str]:
    """What a section of the list does not show, and why: under its heading in the PDF, on the
    workbook's 汇总 sheet."""
    notes = {}
    if unverified:
        notes["not_visited"] = (
            f"另列 {unverified} 户:所在县(市)本月报表未被采用,走访情况未能核对,未计入本项条数。"
        )
    if years_missing:
        years = "、".join(f"{y}年" for y in years_missing)
        notes["greeting"] = (
            f"节日日历中没有{years}的节日,本节未列该年的节日问候;请中心补充 inputs/reference/holidays.csv。"
        )
    return notes


def move_old_items(layout: Layout) -> None:
    """The items tables that versions before wrote beside the managers' lists (they hold every
    key person's birthday) moved once under restricted/, also for months never run again."""
    for path in sorted((layout.outputs / "managers").glob(f"*/{TODO_ITEMS.name}.*")):
        target = layout.restricted_todo(path.parent.name) / path.name
        if target.exists():  # the month was run since: its table is there already
            path.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)


def write_todo_lists(
    folder: Path,
    month: str,
    managers: pd.DataFrame,
    items: pd.DataFrame,
    years_missing: list[int],
    items_folder: Path,
) -> dict:
    """Every manager's xlsx and PDF in `folder`, and todo_items.csv (every manager's items, key
    persons' birthdays among them) in the restricted `items_folder`. A list whose content is
    unchanged since the last run is not drawn again (index.json keeps each list's hash); files of
    managers no longer listed are removed. Returns {"written": n, "unchanged": n, "lists": n}."""
    folder.mkdir(parents=True, exist_ok=True)
    items_folder.mkdir(parents=True, exist_ok=True)
    write_table(items, items_folder, TODO_ITEMS)
    for old in folder.glob(f"{TODO_ITEMS.name}.*"):  # where versions before wrote it (csv, parquet)
        old.unlink()
    index_path = folder / INDEX_FILE
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = {}
    when = document_time(month, 1)
    stamp = when.replace(tzinfo=None)
    kept, new_index, pdfs = set(), {}, []
    by_manager = dict(tuple(items.groupby("manager_id", sort=False)))
    for manager in managers.to_dict("records"):
        mine = by_manager.get(manager["manager_id"], items.iloc[0:0])
        content = list_content(month, manager, mine, years_missing)
        digest = content_hash([content, rendering_digest()])  # a template changed: drawn again
        base = list_name(manager["manager_id"], manager["name"])
        xlsx, pdf = folder / f"{base}.xlsx", folder / f"{base}.pdf"
        kept |= {xlsx.name, pdf.name}
        new_index[base] = digest
        if index.get(base) == digest and xlsx.exists() and pdf.exists():
            continue
        summary = [[s["title"], s["count"], content["notes"].get(s["key"], "")] for s in content["sections"]]
        sheets = {"汇总": (["事项", "条数", "说明"], summary)}
        for s in content["sections"]:
            sheets[s["title"]] = (s["columns"], s["rows"])
        write_sheets(xlsx, sheets, stamp)
        pdfs.append((render_pdf_html("todo.html", when, s=content), folder, pdf, when))
    write_pdfs(pdfs)
    written = len(pdfs)
    for path in folder.glob("*_工作清单.*"):
        if path.name not in kept:
            path.unlink()
    atomic_write(
        index_path, json.dumps(new_index, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    )
    return {"lists": len(managers), "written": written, "unchanged": len(managers) - written}
