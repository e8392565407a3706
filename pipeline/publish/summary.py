"""What `kac run` and `kac status` say about a month: the counties to call and why, the files
that were not read, the statements issued — counties always in the reference order, columns
aligned as a terminal shows Chinese (two columns a character)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from pipeline.ingest.grid import READABLE_SUFFIXES
from pipeline.ingest.reference import PREFECTURE_OFFICE_NAME
from pipeline.ingest.submissions import ACCEPTED, STATUS_LABELS
from pipeline.ingest.system import SYSTEM_FOLDER
from pipeline.pay.release import AWAITING, RELEASED
from pipeline.publish.problem_report import reasons

SHEET_NOT_READ = "optional_column_missing"  # its rejected row is a note for the whole sheet
ROWS_NOTES = (SHEET_NOT_READ, "block_after_footer")  # a rejected row standing for 共 N 行

WORD_SUFFIXES = {".doc", ".docx", ".wps"}
WPS_SHEET_SUFFIXES = {".et", ".ett"}  # WPS 表格's own format: not read, saved as .xlsx it is


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table_lines(headers: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Rows under headers, each column as wide as its widest cell; the last column unpadded."""
    widths = [max(display_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    return [
        "  ".join(
            cell if i == len(row) - 1 else pad(cell, widths[i], i in right) for i, cell in enumerate(row)
        )
        for row in [headers, *rows]
    ]


def status_lines(submissions: pd.DataFrame) -> list[str]:
    """The submissions table, one line per county in the table's (reference) order."""
    rows = [
        [r.county, STATUS_LABELS[r.status], str(r.rows), str(r.errors), str(r.warnings), r.file or "—"]
        for r in submissions.itertuples()
    ]
    return table_lines(["县(市)", "状态", "行数", "错误", "提示", "文件"], rows, frozenset({2, 3, 4}))


def skipped_files(month_dir: Path) -> list[tuple[str, str]]:
    """(name, why) of what a month folder holds that is not read: Word and WPS files, the lock
    files Excel and WPS leave beside an open workbook, anything else not a spreadsheet, and
    folders (a workbook put in one is not found), the 系统数据 folder apart."""
    if not month_dir.is_dir():
        return []
    out = []
    for path in sorted(p for p in month_dir.iterdir() if not p.name.startswith(".")):
        suffix = path.suffix.lower()
        if path.is_dir():
            if path.name != SYSTEM_FOLDER:
                inside = sum(1 for p in path.rglob("*") if p.is_file())
                out.append((f"{path.name}/", f"文件夹中的 {inside} 个文件不读取,报表请直接放在本月文件夹中"))
        elif path.name.startswith("~$"):
            out.append((path.name, "Excel/WPS 打开报表时留下的临时文件,关闭报表后可删除"))
        elif suffix in WORD_SUFFIXES:
            out.append((path.name, "Word 文件不读取,报表请按模板用 .xlsx 报送"))
        elif suffix in WPS_SHEET_SUFFIXES:
            out.append((path.name, "WPS 表格格式不读取,请在 WPS 中另存为 .xlsx 后放入"))
        elif suffix not in READABLE_SUFFIXES:
            out.append((path.name, "不是报表文件,未读取"))
    return out


def file_lines(problems: pd.DataFrame, skipped: list[tuple[str, str]]) -> list[str]:
    """Files of no known county, and files not read, each by name."""
    unknown = problems.file[problems.county == ""] if len(problems) else []
    lines = [f"无法识别所属县(市)的文件:{name}(请在文件名或“填报单位”中注明县名)" for name in unknown]
    return lines + [f"未读取的文件:{name}({why})" for name, why in skipped]


def county_lines(
    submissions: pd.DataFrame,
    problems: pd.DataFrame,
    rejected: pd.DataFrame,
    more_rows: dict[str, int] | None = None,
) -> list[str]:
    """Every county with a problem, in reference order: its status, rows left out, and why;
    `more_rows`: rows left out that `rejected` does not hold (refused by the last run)."""
    rows = []
    for r in submissions.itertuples():
        why = reasons(problems, r.county)
        if not why:
            continue
        left_out = _rows_left_out(rejected, r.county) + (more_rows or {}).get(r.county, 0)
        left_out = left_out if r.status != "rejected" else 0
        rows_said = f"未采用 {left_out} 行" if left_out else ""
        rows.append([r.county, STATUS_LABELS[r.status], rows_said, why])
    if not rows:
        return ["各县(市)报表均无问题"]
    return [
        "需要联系的县(市):",
        *("  " + line for line in table_lines(["县(市)", "状态", "行", "问题"], rows)[1:]),
    ]


CENTRE_FILES = "本中心(州局)的文件有问题(由中心自行更正,详见问题清单):"
# `kac status` reads the 考核评分 again; the register and the 系统数据 are checked against the
# month's data by a run only
CENTRE_FILES_STATUS = "本中心(州局)的文件有问题(考核评分为现在的内容,项目登记、系统数据为上次运行时的结果):"
CHANGED_SINCE_RUN = "运行后文件已改动,重新运行后核对"


def centre_lines(
    problems: pd.DataFrame, changed: set[str] = frozenset(), header: str = CENTRE_FILES
) -> list[str]:
    """The centre's own files with a problem (考核评分, 项目登记, 系统数据 …), each with why: the
    operator's to mend, no county to call; nothing when there is none. `changed`: files changed
    since the run that found their problems (said beside them)."""
    mine = problems[problems.county == PREFECTURE_OFFICE_NAME] if len(problems) else problems
    if not len(mine):
        return []
    files = dict.fromkeys(mine.file.fillna(""))
    rows = [
        [
            name or "—",
            reasons(mine[mine.file.fillna("") == name], PREFECTURE_OFFICE_NAME)
            + (f"({CHANGED_SINCE_RUN})" if name in changed else ""),
        ]
        for name in files
    ]
    return [header, *("  " + line for line in table_lines(["文件", "问题"], rows)[1:])]


def workbooks_changed_lines(published: pd.DataFrame | None, now: pd.DataFrame, month: str) -> list[str]:
    """The counties whose workbook in the month folder is not the one the published month was
    computed from (by the bytes: a file renamed is the same workbook), for `kac status`: what the
    next `kac run` of the month would compute again, and the counties it would stop for (used by
    the published month, not usable now: its guard against a folder mistake). `published`:
    submissions.csv of the last run that published (None before the first)."""
    if published is None or not len(published):
        return []
    before = published.set_index("county")
    digests_then = before.sha256.fillna("")
    changed, lost = [], []
    for county, digest, status in zip(now.county, now.sha256.fillna(""), now.status, strict=True):
        was = digests_then.get(county, "")
        if digest == was:
            continue
        changed.append(f"{county}({'新报送' if not was else '报表已移走' if not digest else '报表已更换'})")
        if before.status.get(county) in ACCEPTED and status not in ACCEPTED:
            lost.append(county)
    if not changed:
        return []
    line = f"发布后报表有变动:{'、'.join(changed)};运行 kac run {month} 重新计算,数字有变化时发布更正版"
    if lost:
        line += f"({'、'.join(lost)}已采用的报表现在不能采用:kac run 会停下并说明,确需舍弃再加 --accept-loss)"
    return [line]


def _rows_left_out(rejected: pd.DataFrame, county: str) -> int:
    if not len(rejected):
        return 0
    mine = rejected[(rejected.county == county) & (rejected.code != "county_rejected")]
    # a sheet not read is one note standing for its rows (整表未读取,共 N 行未使用)
    notes = mine.code.isin(ROWS_NOTES)
    counted = sum(int(re.search(r"共 (\d+) 行", v).group(1)) for v in mine["values"][notes])
    return counted + len(mine[~notes][["file", "sheet", "row"]].drop_duplicates())


def pay_state_lines(state: dict | None, month: str) -> list[str]:
    """Where the month's pay stands (pay_state.json of its last run), for `kac status`: a draft
    is not to be paid from; who confirmed a release. No amounts: the operator reads this."""
    if not state:
        return []
    version = f"薪酬明细第{state['version']}版"
    if state["state"] == RELEASED:
        return [f"{version}:已确认发放({state['note']})"]
    if state.get("blocked"):
        return [f"{version}:草稿,不能确认:{state['blocked']}"]
    why = state.get("note", "")
    why = f";{why}" if why and why != AWAITING else ""  # a confirmation not applied, and why
    return [f"{version}:草稿,主任确认前不得据此发放(kac confirm {month} --by 姓名){why}"]


def pay_line(pay: pd.DataFrame, version: int, statements: Path) -> str:
    """How many statements this version issued anew; the others stay as already issued."""
    new = int((pay.version.astype(int) == version).sum())
    kept = len(pay) - new
    if version == 1 or kept == 0:
        what = f"{new} 份,第{version}版"
    elif new == 0:
        what = f"本版无变化,{kept} 份均沿用已发版本"
    else:
        what = f"第{version}版新出 {new} 份,其余 {kept} 份沿用已发版本"
    return f"薪酬明细:{what}(仅限内部):{statements}"
