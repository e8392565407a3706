"""County workbooks to send out: the template the reader expects, with dropdowns, number checks,
the county's managers and last month's customers filled in, so that a county types figures and
not names."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.core.months import chinese_month, month_range, shift
from pipeline.core.text import formula_like, normalise
from pipeline.ingest.reference import PREFECTURE_OFFICE, Reference
from pipeline.ingest.sheets import (
    ARCHIVE_HEADER,
    CASE_HEADER,
    LISTS_SHEET,
    PROGRESS_HEADER,
    PROGRESS_ITEMS,
    USAGE_HEADER,
    VISIT_HEADER,
)
from pipeline.render.pdf import document_time
from pipeline.render.xlsx import save_reproducible

ROWS = 2000  # rows covered by the dropdowns and number checks
# columns that hold long text: wider than their header
WIDE = {"客户名称": 30, "企业全称": 30, "通信地址": 30, "主要业务及产品": 24, "内容": 40, "客户意见": 24}
WIDE |= {"潜在需求": 20, "处理结果": 24, "邮件号码": 16, "客户编号": 14}
PREFILLED_COLLECTION = "存量"  # a customer × business with usage last month cannot be 新揽收
PREFILL_MONTHS = 12  # months looked back for a county's last accepted customers
PREFILL_COLUMNS = ["county", "customer_id", "customer_name", "business_type", "manager_id"]


def _list_formula(ws, values: list[str]) -> str:
    inline = '"' + ",".join(values) + '"'
    if len(inline) <= 255 and not any("," in v for v in values):
        return inline
    wb = ws.parent
    lists = wb[LISTS_SHEET] if LISTS_SHEET in wb.sheetnames else wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    column = get_column_letter(lists.max_column + (1 if lists["A1"].value is not None else 0))
    for i, value in enumerate(values, start=1):
        lists[f"{column}{i}"] = value
        if formula_like(value):
            lists[f"{column}{i}"].data_type = "s"
    return f"'{LISTS_SHEET}'!${column}$1:${column}${len(values)}"


def column_of(header: list[str], title: str) -> str:
    """The letter of `title`'s column in a sheet written with `header`: a column inserted into a
    header moves its dropdowns and number checks with it."""
    return get_column_letter(header.index(title) + 1)


def _dropdown(ws, column: str, values: list[str], first_row: int, error: str = "请从下拉列表中选择") -> None:
    rule = DataValidation(
        type="list",
        formula1=_list_formula(ws, values),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="取值无效",
        error=error,
    )
    ws.add_data_validation(rule)
    rule.add(f"{column}{first_row}:{column}{first_row + ROWS}")


def _number(ws, column: str, first_row: int, whole: bool, label: str, none: str = "本月无用邮填 0") -> None:
    """Only a number ≥ 0 in the column: the cell the reader most often rejects (text, units,
    a minus sign) is refused where it is typed."""
    kind = "整数" if whole else "数字"
    rule = DataValidation(
        type="whole" if whole else "decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值无效",
        error=f"{label}请填写不小于 0 的{kind},不要带单位、文字或负号" + (f";{none}" if none else ""),
        showInputMessage=True,
        promptTitle=label,
        prompt=f"填写不小于 0 的{kind}",
    )
    ws.add_data_validation(rule)
    rule.add(f"{column}{first_row}:{column}{first_row + ROWS}")


def _as_text(ws, column: int) -> None:
    """A column formatted as text (its style, which cells typed into it take): Excel would turn
    03-15 typed there into a date of this year."""
    ws.column_dimensions[get_column_letter(column)].number_format = "@"


def _append_text(ws, row: list) -> None:
    """`row` appended with its text as text: openpyxl's `append` would write a name such as
    =HYPERLINK(…) (a customer's name as last month's table holds it) as a live formula."""
    ws.append(row)
    for cell in ws[ws.max_row]:
        if formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited


def _widths(ws, header: list[str]) -> None:
    """Each column as wide as its header (a CJK character counts two) or its usual content."""
    for i, title in enumerate(header, start=1):
        shown = sum(2 if ord(ch) > 0x2E7F else 1 for ch in title) + 4
        ws.column_dimensions[get_column_letter(i)].width = max(WIDE.get(title, 0), shown, 10)


def manager_choices(ref: Reference, month: str, county: str) -> dict[str, str]:
    """manager id → what the 客户经理 dropdown shows for the managers employed in `month` as the
    roster stood then who may keep the county's accounts: its own, then the 州局's (the reader
    takes both); the name, or the 工号 where the name would not tell the manager apart."""
    roster = ref.managers_active_in(month)
    roster = pd.concat(
        [
            roster[roster.county == county].sort_values("manager_id"),
            roster[roster.county == PREFECTURE_OFFICE].sort_values("manager_id"),
        ]
    )
    return {
        row.manager_id: row.name
        if ref.resolve_manager(row.name, county, month) == row.manager_id
        else row.manager_id
        for row in roster.itertuples()
    }


def latest_accepted_usage(
    usage_of: Callable[[str], Path], month: str, counties: list[str]
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Each county's accepted usage rows of the latest month, among the `PREFILL_MONTHS` before
    `month`, that has any (`usage_of(m)`: that month's usage.parquet): a county whose last
    workbook was not accepted is filled in from the one before, not left with an empty sheet.
    The rows, and county → the month they come from."""
    wanted, parts, used = set(counties), [], {}
    for earlier in reversed(month_range(shift(month, -PREFILL_MONTHS), shift(month, -1))):
        path = usage_of(earlier)
        if not path.exists():
            continue
        usage = pd.read_parquet(path, columns=PREFILL_COLUMNS)
        for county, rows in usage.groupby("county", sort=False):
            if county in wanted and county not in used:
                used[county] = earlier
                parts.append(rows)
        if len(used) == len(wanted):
            break
    return (pd.concat(parts, ignore_index=True) if parts else None), used


def prefilled_rows(
    previous: pd.DataFrame | None, county_name: str, managers: dict[str, str], business_order: list[str]
) -> list[list]:
    """The county's last accepted usage rows (`latest_accepted_usage`) as usage rows without
    figures: 客户编号, 客户名称, 业务种类, 客户经理 (blank when no longer on the roster that may
    keep the county's accounts), 揽收类型 存量."""
    if previous is None or previous.empty:
        return []
    order = {b: i for i, b in enumerate(business_order)}
    rows = previous[previous.county == county_name]
    rows = sorted(rows.itertuples(), key=lambda r: (r.customer_id, order.get(r.business_type, len(order))))
    return [
        [
            r.customer_id,
            r.customer_name,
            r.business_type,
            None,
            None,
            managers.get(r.manager_id),
            PREFILLED_COLLECTION,
        ]
        for r in rows
    ]


def template_workbook(
    ref: Reference, month: str, county: str, previous: pd.DataFrame | None = None
) -> Workbook:
    """The workbook for one county (its name) and month; `previous`: accepted usage rows of every
    county (`latest_accepted_usage`), whose rows of this county are filled in."""
    code = next(c for c, n in ref.county_names.items() if normalise(n) == normalise(county))
    managers = manager_choices(ref, month, code)
    wb = Workbook()
    ws = wb.active
    ws.title = "用邮情况"
    ws.append([f"凉山州邮政大客户用邮情况月报({chinese_month(month)})"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(USAGE_HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位:{county}邮政分公司", None, None, None, "填报日期:"])
    ws.append(USAGE_HEADER)
    for row in prefilled_rows(previous, county, managers, ref.business_order):
        _append_text(ws, row)
    ws.freeze_panes = "A4"
    usage = partial(column_of, USAGE_HEADER)
    _dropdown(ws, usage("业务种类"), ref.business_order, 4)
    _number(ws, usage("用邮量"), 4, whole=True, label="用邮量")
    _number(ws, usage("收入(元)"), 4, whole=False, label="收入")
    if managers:
        _dropdown(
            ws,
            usage("客户经理"),
            list(managers.values()),
            4,
            error="请从下拉列表中选择本县客户经理;名单有误请联系州大客户中心",
        )
    _dropdown(ws, usage("揽收类型"), list(ref.aliases["values"]["collection"]), 4)
    _widths(ws, USAGE_HEADER)
    archive = wb.create_sheet("客户档案")
    archive.append(ARCHIVE_HEADER)
    archived = partial(column_of, ARCHIVE_HEADER)
    _dropdown(archive, archived("企业性质"), ref.aliases["values"]["natures"]["names"], 2)
    _dropdown(archive, archived("行业合作伙伴"), ["是", "否"], 2)
    if managers:
        _dropdown(archive, archived("客户经理"), list(managers.values()), 2)
    _dropdown(archive, archived("县级重点客户"), ["是", "否"], 2)
    _as_text(archive, ARCHIVE_HEADER.index("关键联系人生日") + 1)
    _widths(archive, ARCHIVE_HEADER)
    visits = wb.create_sheet("走访记录")
    visits.append(VISIT_HEADER)
    if managers:
        _dropdown(visits, column_of(VISIT_HEADER, "客户经理"), list(managers.values()), 2)
    _dropdown(visits, column_of(VISIT_HEADER, "方式"), list(ref.aliases["values"]["visit_method"]), 2)
    _widths(visits, VISIT_HEADER)
    cases = wb.create_sheet("投诉查询理赔")  # optional: left empty in a month without cases
    cases.append(CASE_HEADER)
    case = partial(column_of, CASE_HEADER)
    _dropdown(cases, case("类型"), list(ref.aliases["values"]["case_type"]), 2)
    _dropdown(cases, case("业务种类"), ref.business_order, 2)
    _number(cases, case("理赔金额(元)"), 2, whole=False, label="理赔金额", none="非理赔案件留空")
    if managers:
        _dropdown(cases, case("客户经理"), list(managers.values()), 2)
    _widths(cases, CASE_HEADER)
    progress = wb.create_sheet("工作进展")  # optional: the month's progress report, free text
    progress.append(PROGRESS_HEADER)
    for item in PROGRESS_ITEMS:
        progress.append([item, None])
    progress.column_dimensions["A"].width = 14
    progress.column_dimensions["B"].width = 80
    for row in progress.iter_rows(min_row=2, max_row=1 + len(PROGRESS_ITEMS)):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
        row[0].alignment = Alignment(vertical="top")
    if LISTS_SHEET in wb.sheetnames:  # keep the hidden lists last
        wb.move_sheet(LISTS_SHEET, len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    return wb


def write_templates(
    ref: Reference,
    month: str,
    folder: Path,
    previous: pd.DataFrame | None = None,
    counties: list[str] | None = None,
) -> list[Path]:
    """One workbook per county (names; all when None) into `folder`."""
    paths = []
    for name in ref.county_names.values():
        if counties is not None and name not in counties:
            continue
        path = folder / f"{name}_{chinese_month(month)}_大客户用邮情况.xlsx"
        save_reproducible(
            template_workbook(ref, month, name, previous), path, document_time(month, 1).replace(tzinfo=None)
        )
        paths.append(path)
    return paths
