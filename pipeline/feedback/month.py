"""A month's feedback folder, `outputs/feedback/YYYY-MM/`: a 问题反馈 workbook for every county
with a problem that sent something, a 通知 for every county that must send (again), and
`index.json` (which county has which file, and the sha256 of the workbook it was made from).

The folder is the month's as a whole: each run writes every file (each in one rename, and only
when its bytes change; a workbook made from the same as last time is not made again) and then
removes what it did not write — the feedback of a county that
has no problem any more, a notice nobody needs. Same problems, same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.code import package_digest
from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write
from pipeline.core.problems import Problem
from pipeline.feedback.chase import Chase, chase_list, county_problems, notice_bytes, notice_text
from pipeline.feedback.workbook import feedback_file
from pipeline.ingest.grid import Grid, cached_grids
from pipeline.ingest.reference import Contact
from pipeline.publish.summary import table_lines

INDEX = "index.json"
WORKBOOK_SUFFIX = "_问题反馈.xlsx"
NOTICE_SUFFIX = "_通知.txt"


def workbook_name(county: str) -> str:
    return f"{county}{WORKBOOK_SUFFIX}"


def notice_name(county: str) -> str:
    return f"{county}{NOTICE_SUFFIX}"


@dataclass
class MonthFeedback:
    folder: Path
    workbooks: dict[str, str] = field(default_factory=dict)  # county → file name
    notices: dict[str, str] = field(default_factory=dict)  # county → file name
    chase: list[Chase] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)  # counties whose sheets were rebuilt
    written: int = 0  # files whose bytes changed
    removed: list[str] = field(default_factory=list)


def source_file(month_dir: Path, problems: list[Problem]) -> Path | None:
    """The one workbook the county's problems name, where it is in the month folder."""
    names = {p.file for p in problems if p.file}
    if len(names) != 1:
        return None  # none sent, or two files for one county
    path = month_dir / names.pop()
    return path if path.is_file() else None


def write_month_feedback(
    folder: Path,
    month: str,
    month_dir: Path,
    submissions: pd.DataFrame,
    problems: pd.DataFrame,
    contacts: dict[str, Contact],
    deadline_day: int,
    today: date,
    grids_of: Callable[[Path], Iterable[Grid]] = cached_grids,
) -> MonthFeedback:
    """Write the month's feedback folder from the month's complete problems (the counties'
    and those found later, such as 新揽收 claims) and its submissions table."""
    folder.mkdir(parents=True, exist_ok=True)
    out = MonthFeedback(folder)
    before = read_index(folder)
    index: dict[str, dict] = {}
    for r in submissions.itertuples():
        mine = county_problems(problems, r.county)
        if not mine:
            continue
        index[r.county] = {"status": r.status, "sha256": r.sha256, "workbook": "", "notice": ""}
        if r.status != "missing":  # one that sent nothing has nothing to mark: its notice says it
            index[r.county] |= _county_workbook(out, before, month, month_dir, r, mine, grids_of)
    out.chase = chase_list(submissions, problems, contacts)
    for chase in out.chase:
        name = notice_name(chase.county)
        out.written += write_notice(folder, chase, month, problems, deadline_day, today, out.workbooks)
        out.notices[chase.county] = name
        index[chase.county]["notice"] = name
    data = {"month": month, "counties": index}
    out.written += _write(folder / INDEX, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    wanted = {INDEX, *out.workbooks.values(), *out.notices.values()}
    for path in sorted(folder.iterdir()):
        if path.name not in wanted and (path.is_file() or path.is_symlink()):
            path.unlink()
            out.removed.append(path.name)
    return out


def _county_workbook(
    out: MonthFeedback,
    before: dict[str, dict],
    month: str,
    month_dir: Path,
    r: Any,  # a row of submissions.itertuples()
    mine: list[Problem],
    grids_of: Callable[[Path], Iterable[Grid]],
) -> dict:
    """Write the county's (submission `r`) workbook unless made from the same as last time; its
    index fields."""
    source, name = source_file(month_dir, mine), workbook_name(r.county)
    made_from = _made_from(month, r.status, r.sha256, source, mine)
    last = before.get(r.county, {})
    if last.get("made_from") == made_from and (out.folder / name).is_file():
        rebuilt = bool(last.get("rebuilt"))  # made from the same: the same bytes, not made again
    else:
        made, data = feedback_file(r.county, month, r.status, mine, source, grids_of)
        out.written += _write(out.folder / name, data)
        rebuilt = made.source == "rebuilt"
    out.workbooks[r.county] = name
    if rebuilt:
        out.rebuilt.append(r.county)
    return {"workbook": name, "made_from": made_from, "rebuilt": rebuilt}


def write_notice(
    folder: Path,
    chase: Chase,
    month: str,
    problems: pd.DataFrame,
    deadline_day: int,
    today: date,
    workbooks: dict[str, str],
) -> int:
    """The county's notice as of `today` (its deadline wording depends on the day), for `kac run`
    and for `kac status`, which rewrites the notices it lists; 1 when its bytes changed."""
    mine = county_problems(problems, chase.county)
    text = notice_text(chase, month, mine, deadline_day, today, workbooks.get(chase.county, ""))
    return _write(folder / notice_name(chase.county), notice_bytes(text))


def _made_from(month: str, status: str, sha256: str, source: Path | None, problems: list[Problem]) -> str:
    """What a county's workbook is made from: its file's bytes (sha256) and name, its status, its
    problems, and the code that marks them. The same gives the same bytes (≈ 0.3 s a workbook)."""
    code = package_digest("feedback", "render")
    return content_hash([month, status, sha256, source.name if source else "", *map(asdict, problems), code])


def _write(path: Path, data: bytes) -> int:
    """1 when the file was (re)written; an unchanged file keeps its bytes and its time."""
    if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
        return 0
    atomic_write(path, data)
    return 1


def read_index(folder: Path) -> dict[str, dict]:
    """County → {"status", "sha256", "workbook", "notice"} of the last run; {} when the month has
    not been run, or the index cannot be read."""
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
        counties = data["counties"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(counties, dict):
        return {}
    return {str(c): entry for c, entry in counties.items() if isinstance(entry, dict)}


def made_from_current(index: dict[str, dict], submissions: pd.DataFrame) -> set[str]:
    """Counties whose feedback was made from the workbook (or the absence of one) they have in
    the month folder now: the others sent something since the last run."""
    now = dict(zip(submissions.county, submissions.sha256.fillna(""), strict=True))
    return {c for c, entry in index.items() if c in now and entry.get("sha256", "") == now[c]}


def feedback_lines(
    folder: Path, month: str, counties: list[str], index: dict[str, dict], current: set[str]
) -> list[str]:
    """Where each county's feedback workbook is (`kac status`): `counties` those with a problem
    now, in reference order."""
    if not counties:
        return []
    if not index:
        return [f"问题反馈:尚未生成(运行 kac run {month} 后写入 {folder})"]
    rows = []
    for county in counties:
        entry = index.get(county)
        if entry is not None and entry.get("status") == "missing" and county in current:
            rows.append([county, "未报送,无报表可标注,发催报通知即可"])
        elif entry is None or not entry.get("workbook"):
            rows.append([county, f"未生成(运行 kac run {month} 后生成)"])
        elif county not in current:
            rows.append([county, f"{entry['workbook']}(报表已更换,运行 kac run {month} 后更新)"])
        else:
            rows.append([county, entry["workbook"]])
    return [
        f"问题反馈(发回各县(市)的标注报表):{folder}",
        *("  " + line for line in table_lines(["", ""], rows)[1:]),
    ]
