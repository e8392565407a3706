"""One county's 问题反馈 workbook: its own workbook returned with every problem marked.

A first sheet 问题汇总 lists every problem with a link to its cell; the county's sheets follow,
each problem cell filled (red: error, amber: warning) with a comment in Chinese saying what is
wrong, the value read and what to do. An .xlsx is copied (values and layout kept); an .xls, a
CSV or a workbook that cannot be copied safely is rebuilt from the values the reader read. A
problem without a cell (a missing sheet, a second file, a file that cannot be opened) is on the
summary sheet only. A county that sent nothing gets no workbook (feedback.month), only its notice.

No cell of the file is a formula: the county's own formulas are replaced by the values Excel
saved for them (their text where none was saved), and text that a spreadsheet would take for
a formula (= + - @) is written as text. Everything else the county typed, phone numbers
included, stays as it was sent: the file goes back to its owner.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.hyperlink import Hyperlink

from pipeline.core.months import chinese_month, number_of, year_of
from pipeline.core.problems import CODES, ERROR, SEVERITY_LABELS, Problem, label
from pipeline.core.text import formula_like
from pipeline.ingest.grid import Grid, UnreadableFile, cached_grids
from pipeline.ingest.submissions import ACCEPTED, STATUS_LABELS
from pipeline.render.xlsx import reproducible_bytes

SUMMARY_SHEET = "问题汇总"
ERROR_FILL = "FFFF9999"  # red
WARNING_FILL = "FFFFCC66"  # amber
FILLS = {ERROR: ERROR_FILL}
COMMENT_AUTHOR = "州局大客户中心"
COPIED_SUFFIXES = {".xlsx", ".xlsm"}
# openpyxl holds every cell of a workbook it copies: a bigger one is rebuilt from the values read
MAX_COPY_UNPACKED_BYTES = 30 * 2**20
# the file itself cannot be opened, or not told apart from another: nothing to mark in
NO_SHEETS = {"file_unreadable", "file_too_large", "county_duplicate"}
SUMMARY_HEADERS = ["序号", "级别", "问题", "工作表", "位置", "读取的值", "处理意见"]
SUMMARY_WIDTHS = [6, 6, 18, 16, 8, 26, 64]
SUMMARY_HEADER_ROW = 7  # above it: title, file and status, what to do, how the sheets came, legend
_A1 = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
_COMMENT_VALUE_CHARS = 200


@dataclass(frozen=True)
class Feedback:
    """What was made of one county: the workbook and how its sheets came to be."""

    workbook: Workbook
    source: str  # "copied", "rebuilt" or "none"
    note: str  # the sentence on the summary sheet that says so
    marked: int  # problems marked at a cell


def feedback_workbook(
    county: str,
    month: str,
    status: str,
    problems: list[Problem],
    path: Path | None,
    grids_of: Callable[[Path], Iterable[Grid]] = cached_grids,
    failed: str = "",
) -> Feedback:
    """The county's feedback workbook. `path` is its workbook in the month folder (None when
    there is none, or more than one); `status` its submission status (on_time … rejected).
    `failed`: why an earlier attempt failed ("copy: …" rebuilds, "rebuild: …" gives the summary
    alone)."""
    wb, source, note, titles = _sheets(problems, path, grids_of, failed)
    marked = _mark_cells(wb, titles, problems)
    _summary(wb, county, month, status, problems, path, note, titles)
    return Feedback(wb, source, note, marked)


def feedback_file(
    county: str,
    month: str,
    status: str,
    problems: list[Problem],
    path: Path | None,
    grids_of: Callable[[Path], Iterable[Grid]] = cached_grids,
) -> tuple[Feedback, bytes]:
    """The workbook and its bytes, whatever the county's file holds: a copy that cannot be
    marked or saved is rebuilt from the values read, and a rebuild that fails leaves the summary
    sheet alone (the county still gets every problem; one odd file never stops the month)."""
    failed = ""
    for attempt in ("copy", "rebuild"):
        try:
            made = feedback_workbook(county, month, status, problems, path, grids_of, failed)
            return made, feedback_bytes(made, month)
        except Exception as exc:  # openpyxl's many errors on files other programs accept
            failed = f"{attempt}: {type(exc).__name__}"
    made = feedback_workbook(county, month, status, problems, None, grids_of, failed)
    return made, feedback_bytes(made, month)


def feedback_bytes(feedback: Feedback, month: str) -> bytes:
    """The workbook's bytes: the same problems on the same file give the same bytes."""
    return reproducible_bytes(feedback.workbook, datetime(year_of(month), number_of(month), 1))


# -- the county's sheets ----------------------------------------------------------------------


def _sheets(
    problems: list[Problem], path: Path | None, grids_of: Callable[[Path], Iterable[Grid]], failed: str
) -> tuple[Workbook, str, str, dict[str, str]]:
    """(workbook, source, note, problem sheet name → sheet title in the workbook)."""
    refused = sorted({p.code for p in problems} & NO_SHEETS)
    if failed.startswith("rebuild"):
        why = f"报表无法标注({failed.split(': ')[-1]})"
        return _empty_workbook(), "none", f"本反馈只有问题汇总:{why}。", {}
    if path is None or not path.is_file() or refused:
        why = _why_no_sheets(refused)
        return _empty_workbook(), "none", f"本反馈只有问题汇总:{why}。", {}
    suffix = path.suffix.lower()
    why_not_copied = f"复制时出错({failed.split(': ')[-1]})" if failed else ""
    if suffix in COPIED_SUFFIXES and not failed:
        why_not_copied = _unsafe_to_copy(path)
        if not why_not_copied:
            try:
                wb = _copy(path)
            except Exception as exc:  # openpyxl raises many kinds for files other programs accept
                why_not_copied = f"复制时出错({type(exc).__name__})"
            else:
                note = (
                    "以下工作表是你单位报表的副本(数值与格式保留):出错的单元格标为红色,"
                    "需核对的标为橙黄色,批注中写明问题、读取的值和处理意见;点击“位置”可跳转到该单元格。"
                )
                return wb, "copied", note, {ws.title: ws.title for ws in wb.worksheets}
    try:
        grids = list(grids_of(path))
    except (UnreadableFile, OSError):
        return _empty_workbook(), "none", "本反馈只有问题汇总:报表文件无法打开。", {}
    wb, titles = _rebuild(grids)
    why = f"原报表无法原样复制({why_not_copied})" if why_not_copied else f"原报表为 {suffix} 格式"
    note = (
        f"{why},以下工作表按读取到的数值重建(原格式、合并单元格和公式未保留):出错的单元格标为红色,"
        "需核对的标为橙黄色,批注中写明问题、读取的值和处理意见;点击“位置”可跳转到该单元格。"
    )
    return wb, "rebuilt", note, titles


def _why_no_sheets(refused: list[str]) -> str:
    reasons = {
        "county_duplicate": "收到不止一个文件,无法确定以哪个为准",
        "file_unreadable": "报表文件无法打开",
        "file_too_large": "报表文件过大,未打开",
    }
    return "、".join(reasons[c] for c in refused) if refused else "没有可标注的报表文件"


def _empty_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _unsafe_to_copy(path: Path) -> str:
    """Why the workbook is not opened by openpyxl ("" when it may be): too big unpacked, or an
    XML part that declares a DTD (entities are how an XML bomb explodes)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if sum(p.file_size for p in parts) > MAX_COPY_UNPACKED_BYTES:
                return "文件过大"
            for part in parts:
                if part.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(part) as f:
                        head = f.read(4096)
                    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                        return "含有不安全的内容"
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return "不是有效的 .xlsx 文件"
    return ""


def _copy(path: Path) -> Workbook:
    """The workbook as openpyxl reads it, with no formula left: macros and links to other files
    are not carried over."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unsupported extensions (data validation lists …)
        wb = load_workbook(path, keep_vba=False, keep_links=False, rich_text=False)
        saved: Workbook | None = None
        for ws in wb.worksheets:
            for cell in list(ws._cells.values()):  # the cells the file holds, not a whole grid
                if cell.data_type == "f" or isinstance(cell.value, (ArrayFormula, DataTableFormula)):
                    saved = saved or load_workbook(path, data_only=True, keep_links=False)
                    value = saved[ws.title][cell.coordinate].value
                    put(cell, _formula_text(cell.value) if value is None else value)
                elif isinstance(cell.value, str) and formula_like(cell.value):
                    put(cell, cell.value)
    return wb


def _formula_text(value: object) -> str:
    if isinstance(value, ArrayFormula):
        return value.text or ""
    return "" if isinstance(value, DataTableFormula) else str(value)


def _rebuild(grids: list[Grid]) -> tuple[Workbook, dict[str, str]]:
    """One sheet per grid, each value where the reader found it."""
    wb = _empty_workbook()
    titles: dict[str, str] = {}
    for grid in grids:
        ws = wb.create_sheet(_unique_title(grid.name, set(wb.sheetnames)))
        titles[grid.name] = ws.title
        widths: dict[int, int] = {}
        for i, row in enumerate(grid.cells):
            for j, value in enumerate(row):
                if value is None or value == "":
                    continue
                r, c = grid.row0 + i + 1, grid.col0 + j + 1
                put(ws.cell(row=r, column=c), value)
                widths[c] = max(widths.get(c, 0), _display_width(str(value)))
        for c, width in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 40)
    return wb, titles


def _unique_title(name: str, taken: set[str]) -> str:
    base = _SHEET_TITLE_BAD.sub("_", name).strip("'")[:31] or "Sheet"
    title, n = base, 1
    while title in taken or title == SUMMARY_SHEET:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    return title


def put(cell, value: object) -> None:
    """`value` into `cell` as the county sent it, never as a formula."""
    if isinstance(value, str):
        text = clean(value)
        cell.value = text
        if formula_like(text):
            cell.data_type = "s"  # openpyxl takes "=…" for a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return
    if isinstance(value, float) and not math.isfinite(value):
        cell.value = str(value)
        return
    if isinstance(value, (int, float, bool, datetime, date, time, timedelta)) or value is None:
        cell.value = value
        if isinstance(value, (datetime, date)) and not isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd"
        return
    put(cell, str(value))


def clean(text: str) -> str:
    """Text as a cell can hold it: no control characters, at most 32,767 characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:32767]


# -- the marks ---------------------------------------------------------------------------


def located(problem: Problem, titles: dict[str, str]) -> tuple[str, str] | None:
    """(sheet title, cell) of a problem in the feedback workbook, or None when it has no cell."""
    title = titles.get(problem.sheet)
    found = _A1.match(problem.cell.strip().upper()) if problem.cell else None
    if title is None or found is None:
        return None
    return title, found.group(0)


def _mark_cells(wb: Workbook, titles: dict[str, str], problems: list[Problem]) -> int:
    """Fill and comment every problem cell; the problems of a merged range go to its top-left
    cell together (one comment holds them all and the county's own comment, once)."""
    at: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if where := located(p, titles):
            title, coordinate = where
            at.setdefault((title, _anchor(wb[title], coordinate)), []).append(p)
    for (title, coordinate), here in at.items():
        cell = wb[title][coordinate]
        severity = ERROR if any(p.severity == ERROR for p in here) else "warning"
        color = FILLS.get(severity, WARNING_FILL)
        cell.fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
        text = "\n\n".join(comment_text(p, coordinate) for p in here)
        if cell.comment is not None and cell.comment.author != COMMENT_AUTHOR:
            text += f"\n\n(原批注)\n{clean(cell.comment.text)}"
        cell.comment = _comment(text)
    return sum(len(v) for v in at.values())


def _anchor(ws, coordinate: str) -> str:
    """The cell that holds a merged range's value and comment (the top-left one)."""
    for merged in ws.merged_cells.ranges:
        if coordinate in merged:
            return merged.start_cell.coordinate
    return coordinate


def comment_text(p: Problem, at: str = "") -> str:
    """What is wrong, the value read and what to do. Starts with 【, never with = + - @. `at`: the
    cell the comment is on; a problem of another cell of its merged range names its own."""
    value = p.value if len(p.value) <= _COMMENT_VALUE_CHARS else p.value[:_COMMENT_VALUE_CHARS] + "…"
    shown = f"“{value}”" if value else "(空白)"
    severity = SEVERITY_LABELS.get(p.severity, p.severity)
    own = p.cell.strip().upper()
    where = f"({own} 单元格)" if at and own != at else ""
    return clean(f"【{severity}】{label(p.code)}{where}\n读取的值:{shown}\n处理意见:{p.message}")


def _comment(text: str) -> Comment:
    lines = sum(max(1, math.ceil(_display_width(line) / 40)) for line in text.split("\n"))
    return Comment(text, COMMENT_AUTHOR, height=min(18 * lines + 12, 600), width=300)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# -- the summary sheet -------------------------------------------------------------------


def conclusion(status: str, problems: list[Problem]) -> str:
    """What the county has to do, in one sentence."""
    if status == "rejected":
        return "本月报表未采用(退回):请按下表中的“错误”逐项修改后,重新报送完整的报表。"
    rows = rows_left_out(problems)
    if status in ACCEPTED and rows:
        return f"本月报表已采用,但有 {rows} 行因错误未计入:请按下表修改后,重新报送完整的报表。"
    return "本月报表已采用。下表中的“提示”请核对;如需更正,请修改后重新报送完整的报表。"


def rows_left_out(problems: list[Problem]) -> int:
    """Rows not used because of a row error: one per file, sheet and row number."""
    return len(
        {
            (p.file, p.sheet, re.sub(r"\D", "", p.cell))
            for p in problems
            if CODES.get(p.code, ("",))[0] == "row"
        }
    )


def ordered(problems: list[Problem]) -> list[Problem]:
    """Errors first, each in the reader's order (sheet by sheet, row by row)."""
    return sorted(problems, key=lambda p: p.severity != ERROR)


def _summary(
    wb: Workbook,
    county: str,
    month: str,
    status: str,
    problems: list[Problem],
    path: Path | None,
    note: str,
    titles: dict[str, str],
) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET if SUMMARY_SHEET not in wb.sheetnames else "问题汇总(反馈)", 0)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws  # one tab selected: no grouped sheets
    wb.active = 0
    if wb.views:
        wb.views[0].firstSheet = 0
    put(ws["A1"], f"{county} {chinese_month(month)}报表问题反馈(凉山州邮政局大客户中心)")
    ws["A1"].font = Font(bold=True, size=14)
    files = sorted({p.file for p in problems if p.file})
    shown_files = path.name if path is not None else "、".join(files) or "—"
    put(ws["A2"], f"报表文件:{shown_files}    报送状态:{STATUS_LABELS.get(status, status)}")
    put(ws["A3"], conclusion(status, problems))
    ws["A3"].font = Font(bold=True)
    put(ws["A4"], note)
    for col, text, color in (
        ("B", "错误", ERROR_FILL),
        ("C", "报表或该行未采用,须修改后重新报送", None),
        ("E", "提示", WARNING_FILL),
        ("F", "已采用,请核对", None),
    ):
        put(ws[f"{col}5"], text)
        if color:
            ws[f"{col}5"].fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
    header_row = SUMMARY_HEADER_ROW
    for column, title in enumerate(SUMMARY_HEADERS, start=1):
        put(ws.cell(row=header_row, column=column), title)
        ws.cell(row=header_row, column=column).font = Font(bold=True)
    for n, p in enumerate(ordered(problems), start=1):
        _problem_row(ws, header_row + n, n, p, titles)
    for i, width in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{header_row + 1}"


def _problem_row(ws, r: int, n: int, p: Problem, titles: dict[str, str]) -> None:
    severity = SEVERITY_LABELS.get(p.severity, p.severity)
    values = [n, severity, label(p.code), p.sheet, p.cell or "—", p.value, p.message]
    for column, value in enumerate(values, start=1):
        put(ws.cell(row=r, column=column), value)
    color = FILLS.get(p.severity, WARNING_FILL)
    ws.cell(row=r, column=2).fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
    ws.cell(row=r, column=7).alignment = Alignment(wrap_text=True, vertical="top")
    where = located(p, titles)
    if where is None and p.sheet in titles:
        where = (titles[p.sheet], "A1")  # a problem of the whole sheet: to the sheet
    if where is not None:
        link = ws.cell(row=r, column=5)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=internal_link(*where))
        link.font = Font(color="FF0563C1", underline="single")


def internal_link(title: str, coordinate: str) -> str:
    """A link inside the workbook: 'sheet'!A1 (a quote in the title doubled)."""
    return "'{}'!{}".format(title.replace("'", "''"), coordinate)
