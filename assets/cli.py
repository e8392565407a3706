"""`kac`: the operator's commands. Everything printed is Chinese; a user mistake never ends
in a traceback but in one line saying what to do."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.layout import REPO, Layout
from pipeline.core.months import (
    FIRST_MONTH,
    chinese_month,
    is_month,
    last_closed_month,
    shift,
    why_not_available,
)

if TYPE_CHECKING:  # pandas is imported late: `kac --help` stays quick
    import pandas as pd

EXIT_FAILED = 1
EXIT_USAGE = 2


class UserError(Exception):
    """A mistake of the operator or of the inputs: printed as one line, exit non-zero."""


def _layout(args: argparse.Namespace) -> Layout:
    """The folders of this command, said on its first line: --inputs, else KAC_INPUTS, else
    inputs/ of the current directory when it holds reference data (outputs/ beside it), else
    the install's; outputs likewise."""
    inputs, source = _inputs_folder(args)
    here = source == "当前目录"
    default_outputs = Path.cwd() / "outputs" if here else REPO / "outputs"
    outputs = Path(args.outputs or os.environ.get("KAC_OUTPUTS") or default_outputs).resolve()
    print(f"输入目录:{inputs}({source})  输出目录:{outputs}")
    return Layout(inputs, outputs)


def _inputs_folder(args: argparse.Namespace) -> tuple[Path, str]:
    """The inputs folder and where it came from, in the operator's words."""
    if args.inputs:
        return Path(args.inputs).resolve(), "--inputs"
    if os.environ.get("KAC_INPUTS"):
        return Path(os.environ["KAC_INPUTS"]).resolve(), "KAC_INPUTS"
    here = Path.cwd() / "inputs"
    if (here / "reference").is_dir():
        return here.resolve(), "当前目录"
    return (REPO / "inputs").resolve(), "安装目录"


def _reference(layout: Layout):
    """The reference data, or one line saying which file is wrong."""
    import tomllib

    from pipeline.ingest.reference import Reference

    if not layout.reference.is_dir():
        raise UserError(f"找不到参考数据目录 {layout.reference}:请检查 --inputs 或 KAC_INPUTS")
    from pipeline.analytics.market import MarketAliases

    try:
        ref = Reference.load(layout.reference)
        MarketAliases.load(layout.reference, ref.business_index)  # read by the month's market step
        return ref
    except FileNotFoundError as exc:
        missing = Path(exc.filename).name
        raise UserError(f"参考数据缺少文件 {missing}:请补齐 {layout.reference}") from None
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise UserError(f"参考数据无法读取({type(exc).__name__}: {exc}):请检查 {layout.reference}") from None
    except ValueError as exc:  # a reference file's own message: the file, the line, what to write
        raise UserError(f"参考数据有误:{exc}(目录 {layout.reference})") from None


def _month(text: str) -> str:
    if is_month(text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}", text):  # the shape is right, the month is not
        raise argparse.ArgumentTypeError(f"月份无效:{text} 中的 {text[5:]} 不是 01–12 之间的月份")
    raise argparse.ArgumentTypeError(f"月份应写作 YYYY-MM,例如 2026-10(收到:{text})")


def _check_closed(layout: Layout, month: str) -> None:
    """Refuse a month that has not closed, saying from which day it can be run."""
    last = last_closed_month()
    if not why_not_available(month, last):
        return
    rules = _reference(layout).rules
    deadline = int(rules.for_month(month).get("submission.deadline_day")) if month >= FIRST_MONTH else None
    raise UserError(why_not_available(month, last, deadline))


def _show_progress() -> None:
    from pipeline.core.progress import progress

    for old in [h for h in progress.handlers if getattr(h, "kac_console", False)]:
        progress.removeHandler(old)  # one console per command, also when `main` is called again
    handler = logging.StreamHandler(sys.stdout)
    handler.kac_console = True
    handler.setFormatter(logging.Formatter("%(message)s"))
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)


def _quiet_libraries() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("dagster").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


# -- argparse in Chinese --------------------------------------------------------------------

# argparse's own messages (Python's msgids) and what the operator reads instead
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.+)", "缺少必填参数:{0}"),
    (r"unrecognized arguments: (.+)", "无法识别的参数:{0}"),
    (r"invalid choice: '?(.+?)'? \(choose from (.+)\)", "无效的选择:{0}(可选:{1})"),
    (r"expected one argument", "需要一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"expected at most one argument", "至多一个值"),
    (r"invalid (\w+) value: (.+)", "无效的值:{1}"),
    (r"ambiguous option: (.+) could match (.+)", "选项 {0} 有歧义,可能是:{1}"),
    (r"one of the arguments (.+) is required", "需要以下参数之一:{0}"),
    (r"argument (.+?) not allowed with argument (.+)", "参数 {0} 不能与 {1} 同时使用"),
]


def chinese_argparse_message(message: str) -> str:
    """An argparse error in Chinese; our own (Chinese) messages lose argparse's English prefix."""
    found = re.fullmatch(r"argument (.+?): (.+)", message, re.S)
    if found:
        name, inner = found.groups()
        inner = chinese_argparse_message(inner)
        return inner if not inner.isascii() and not found.group(2).isascii() else f"参数 {name}:{inner}"
    for pattern, template in _ARGPARSE_MESSAGES:
        found = re.fullmatch(pattern, message, re.S)
        if found:
            return template.format(*found.groups())
    return message


class _ChineseHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, prefix="用法:" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with Chinese usage, headings, help and errors; an error exits 2 with no traceback."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _ChineseHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"错误:{chinese_argparse_message(message)}\n")


# -- commands -----------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    layout = _layout(args)
    return _run(layout, args.month, args.executor, args.accept_loss)


def _run(layout: Layout, month: str, executor: str | None = None, accept_loss: bool = False) -> int:
    from pipeline.render.fonts import cjk_family

    _reference(layout)
    _check_closed(layout, month)  # before the folder: never invite a folder for a future month
    if not layout.month_inputs(month).is_dir():
        raise UserError(
            f"找不到 {layout.month_inputs(month)}:请把 {chinese_month(month)}各县报表放入该文件夹"
        )
    cjk_family()  # stop before any work if the PDFs would show empty boxes
    _show_progress()
    _quiet_libraries()
    from assets.runner import MonthNotAvailable, run_month
    from pipeline.core.runtime import settle_heap

    settle_heap()
    started = time.perf_counter()
    try:
        report = run_month(layout, month, executor=executor, accept_loss=accept_loss)
    except MonthNotAvailable as exc:
        raise UserError(str(exc)) from None
    for recovered in report.recovered:
        print(
            f"上次运行被终止(进程被结束或会话断开),{chinese_month(recovered)}已恢复为该次运行前已发布的内容"
        )
    if report.published:
        _print_done(layout, month, report, time.perf_counter() - started)
    if report.later_failed:
        later = chinese_month(report.later_failed)
        raise UserError(
            f"{chinese_month(month)}已发布,但后续月份{later}未能随之重算:"
            + (report.refused or f"步骤 {report.failed_step} 出错({report.error})")
            + f"。{later}仍是按更正前数据发布的版本;处理后运行 kac run {report.later_failed}"
        )
    if report.refused:  # a folder mistake: the guard's own line says what to do
        raise UserError(report.refused)
    if not report.success and report.interrupted:
        kept = "、".join(chinese_month(m) for m in report.restored)
        raise UserError(
            f"{chinese_month(month)}的运行被中断(Ctrl-C 或终止信号),未发布:"
            + (f"{kept}已发布的内容保持原样;" if kept else "")
            + f"重新运行 kac run {month} 即可"
        )
    if not report.success and "Permission denied" in report.error:  # a folder, not the program
        raise UserError(
            f"{chinese_month(month)}未能发布:{report.error}。没有写权限:请检查 --outputs 指向的文件夹是否可写"
        )
    if not report.success:
        kept = "、".join(chinese_month(m) for m in report.restored)
        raise UserError(
            f"{chinese_month(month)}未能发布:步骤 {report.failed_step} 出错({report.error})。"
            + (f"{kept}已发布的内容保持原样;" if kept else "")
            + "这是程序的问题而非报表的问题,请把本行转告维护人员,修复后重新运行即可补全本月"
        )
    return 0


def _print_done(layout: Layout, month: str, report, seconds: float) -> None:
    from pipeline.publish.issue import notes_of

    print(f"完成 {chinese_month(month)},用时 {seconds:.1f} 秒")
    read = set(report.counties_read.get(month, []))
    ref = _reference(layout)
    names = [ref.county_names[c] for c in ref.counties.code if c in read]  # as `kac status` orders them
    print(f"重新读取的报表:{'、'.join(names) if names else '无(各县文件与上次相同)'}")
    _print_published(layout, month)
    for later, version, new in report.later_months:
        what = f"出第{version}版(内容随本月更正而变)" if new else f"内容未变,仍为第{version}版"
        files = (notes_of(layout.bulletins(later), version) or {}).get("files", []) if new else []
        if files:  # that month's own files changed too: its new version is not this month's alone
            what += f";该月本身也有更新的报表:{'、'.join(f['county'] for f in files)}"
        print(f"后续月份 {chinese_month(later)}:{what}")


def _print_published(layout: Layout, month: str) -> None:
    from pipeline.publish.editions import read_manifest
    from pipeline.publish.problem_report import WORKBOOK_NAME

    labels = {
        "bulletin": "信息简报",
        "brief": "信息参考",
        "quarterly_pdf": "季度用邮情况表",
        "quarterly_xlsx": "季度用邮情况表",
    }
    versions = read_manifest(layout.bulletins(month))["versions"]
    if versions:  # the version is said once, by the step that decided it
        latest = versions[-1]
        for key, path in sorted(latest["files"].items()):
            print(f"{labels.get(key, key)}:{layout.bulletins(month) / path}")
        _print_statements(layout, month)
    print(f"网站首页:{layout.site / 'index.html'}")
    print(f"数据表:  {layout.tables(month)}")
    _print_counties(layout, month)
    _print_feedback(layout, month)
    print(f"问题清单:{layout.problems(month) / WORKBOOK_NAME}")


def _print_feedback(layout: Layout, month: str) -> None:
    from pipeline.feedback.month import read_index

    index = read_index(layout.feedback(month))
    workbooks = sum(bool(entry.get("workbook")) for entry in index.values())  # none: sent nothing
    notices = sum(bool(entry.get("notice")) for entry in index.values())
    if index:
        print(f"问题反馈:{layout.feedback(month)}({workbooks} 个县(市)的标注报表,催报通知 {notices} 份)")


def _print_statements(layout: Layout, month: str) -> None:
    """The pay version in force (its own numbering: an edition that changes no pay keeps it)."""

    import pandas as pd

    from pipeline.pay.release import DRAFT
    from pipeline.publish.summary import pay_line, pay_state_lines

    root = layout.restricted_pay(month)
    state = _pay_state(layout, month)
    if (root / "pay.csv").exists() and state:
        version = int(state["version"])
        pay = pd.read_csv(root / "pay.csv", dtype={"manager_id": str})
        print(pay_line(pay, version, root / f"v{version}" / "statements"))
        if state["state"] == DRAFT:  # not to be paid from: said last, with why (refused, blocked)
            print("\n".join(pay_state_lines(state, month)))


def _print_counties(layout: Layout, month: str) -> None:
    """Every county with a problem and why, then the files that were not read."""

    from pipeline.core.contract import read_csv
    from pipeline.core.tables import rows_not_used
    from pipeline.publish.summary import centre_lines, county_lines, file_lines, skipped_files

    def table(name: str) -> pd.DataFrame:
        return read_csv(layout.tables(month) / f"{name}.csv")

    problems = table("problems")
    for line in county_lines(table("submissions"), problems, rows_not_used(layout.tables(month))):
        print(line)
    for line in centre_lines(problems):
        print(line)
    for line in file_lines(problems, skipped_files(layout.month_inputs(month))):
        print(line)


BEFORE_GO_LIVE_STATUS = "{month}在本中心的第一个报表月份({first})之前:没有该月的报表,也不需要催报"


def cmd_status(args: argparse.Namespace) -> int:
    import pandas as pd

    from pipeline.core.months import shift
    from pipeline.feedback.month import made_from_current, read_index
    from pipeline.ingest.county import ingest_county
    from pipeline.ingest.files import county_files, unknown_file_problems
    from pipeline.ingest.fingerprint import archived_names
    from pipeline.ingest.month import combine
    from pipeline.ingest.submissions import counted_over, submissions_table
    from pipeline.publish.summary import (
        CENTRE_FILES_STATUS,
        centre_lines,
        county_lines,
        file_lines,
        pay_state_lines,
        skipped_files,
        status_lines,
        workbooks_changed_lines,
    )

    layout = _layout(args)
    ref = _reference(layout)
    _status_month_note(layout, args.month)
    folder = layout.month_inputs(args.month)
    first = layout.first_month_received()
    if first and args.month < first and not folder.exists():
        print(BEFORE_GO_LIVE_STATUS.format(month=chinese_month(args.month), first=chinese_month(first)))
        return 0
    files, unknown = county_files(folder, ref)
    # names checked as `kac run` checks them: against last month's archive too
    names = archived_names(layout.tables(shift(args.month, -1)) / "archive.parquet")
    intakes = [ingest_county(code, args.month, files.get(code, []), ref, names) for code in ref.counties.code]
    table = submissions_table(intakes, ref.county_names)
    month = combine(intakes, unknown_file_problems(unknown))
    # what only the run finds (cases against earlier months, 新揽收, 对账) of a county whose files are
    # those the run read stands as found now: it is contacted, and chased, for it
    run = _run_problems(layout, args.month)  # read once: the counties' and the centre's findings
    later = _found_by_the_run(layout, args.month, month.problems, set(table.county), run)
    unchanged = later.county.isin(made_from_current(read_index(layout.feedback(args.month)), table))
    problems = pd.concat([month.problems, later[unchanged]], ignore_index=True)
    print(f"{chinese_month(args.month)}报送情况({folder})")
    pay_state = _pay_state(layout, args.month)
    lines = [
        *status_lines(counted_over(table, problems)),
        *county_lines(table, problems, month.quarantine, _rows_refused(later[unchanged])),
        *centre_lines(*_centre_problems(layout, ref, args.month, run), CENTRE_FILES_STATUS),
        *file_lines(month.problems, skipped_files(folder)),
        *workbooks_changed_lines(_published_submissions(layout, args.month), table, args.month),
        *_changed_since_the_run(layout, args.month, later[~unchanged]),
        *_feedback_and_chase(layout, ref, args.month, table, problems),
        *pay_state_lines(pay_state, args.month),
        *_not_yet_computed(layout, ref, args.month, pay_state),
    ]
    print("\n".join(lines))
    return 0


def _pay_state(layout: Layout, month: str) -> dict | None:
    from pipeline.pay.issue import read_pay_state

    try:
        return read_pay_state(layout.restricted_pay(month))
    except (OSError, ValueError):  # a file not ours to explain (edited, cut short): nothing said
        return None


def _found_by_the_run(
    layout: Layout, month: str, now: pd.DataFrame, counties: set[str], run: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The counties' problems the last run of the month found besides those of the workbooks as
    read here (新揽收 claims, 对账, cases against earlier months: found only when the month is
    computed), so that `status` never shows fewer counties to contact than the run did. `run`: its
    problems.csv where already read (`_run_problems`)."""
    import pandas as pd

    from pipeline.core.problems import found_when_computed

    run = _run_problems(layout, month) if run is None else run
    seen = set(zip(now.county, now.code, now.cell, strict=True)) if len(now) else set()
    # a problem of a county's workbook that reading it again does not find was mended (reference
    # data, the reader): only those found when the month is computed stand
    found = [
        county in counties and (county, code, cell) not in seen and found_when_computed(code)
        for county, code, cell in zip(run.county, run.code, run.cell, strict=True)
    ]
    return run[pd.Series(found, index=run.index, dtype=bool)].reset_index(drop=True)


def _not_yet_computed(layout: Layout, ref, month: str, state: dict | None) -> list[str]:
    """What `kac status` cannot say until the month is run again: all of the pay, the register and
    the 系统数据 before its first run; the pay after its 考核评分 changed: by its bytes against
    those the pay was computed from (`state`, pay_state.json), by modification time where the
    state was written before it recorded them."""
    from pipeline.ingest.files import assessment_files, bytes_sha256
    from pipeline.pay.release import PAY_STATE

    if not (layout.tables(month) / "problems.csv").exists():
        return [f"本月尚未运行:薪酬、项目登记与系统数据在 kac run {month} 时计算与核对"]
    sheets = assessment_files(layout.month_inputs(month), ref)
    if state is not None and "assessment_sha256" in state:
        changed = bytes_sha256(sheets) != state["assessment_sha256"]
    else:
        path = layout.restricted_pay(month) / PAY_STATE
        computed = path.stat().st_mtime if path.exists() else 0.0
        changed = any(p.stat().st_mtime > computed for p in sheets)
    if changed:
        return [f"考核评分在上次计算薪酬后有改动:请先运行 kac run {month},再由主任确认"]
    return []


def _centre_problems(
    layout: Layout, ref, month: str, run: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, set[str]]:
    """The centre's own files' problems for `kac status`: the 考核评分 read now; the others (the
    project register and the 系统数据 export, checked against the month's data; the reference
    data) as the last run found them, with the register and export files changed or removed since
    that run (by modification time: a file copied in with an older time is not seen). `run`: the
    run's problems where already read (`_run_problems`)."""
    import pandas as pd

    from pipeline.core.problems import to_frame
    from pipeline.ingest.assessment import read_assessment
    from pipeline.ingest.files import assessment_files
    from pipeline.ingest.projects import register_files
    from pipeline.ingest.reference import PREFECTURE_OFFICE_NAME
    from pipeline.ingest.system import SYSTEM_FOLDER

    folder = layout.month_inputs(month)
    now = to_frame(read_assessment(assessment_files(folder, ref), ref, month)[1])
    run = _run_problems(layout, month) if run is None else run
    mine = run[run.county == PREFECTURE_OFFICE_NAME]
    registers = {p.name: p for p in register_files(layout.inputs)}
    references = {p.name for p in layout.reference.iterdir()} if layout.reference.is_dir() else set()

    def inputs_of(name: str) -> list[Path]:  # a row repeated across exports names both: 、-joined
        parts = [n for n in name.split("、") if n]
        return [registers[n] if n in registers else folder / n for n in parts]

    def not_assessment(name: str) -> bool:
        return name in registers or name.startswith(f"{SYSTEM_FOLDER}/") or name in references

    earlier = mine[mine.file.fillna("").map(not_assessment).astype(bool)]  # bool also when empty
    path = layout.tables(month) / "problems.csv"
    ran = path.stat().st_mtime if path.exists() else 0.0

    def changed(name: str) -> bool:
        if name in references:
            return False
        return any(not p.is_file() or p.stat().st_mtime > ran for p in inputs_of(name))

    return pd.concat([now, earlier], ignore_index=True), {f for f in set(earlier.file) if changed(f)}


def _published_submissions(layout: Layout, month: str) -> pd.DataFrame | None:
    """The counties' workbooks the published month was computed from (None before its first run)."""
    from pipeline.core.contract import read_csv

    path = layout.tables(month) / "submissions.csv"
    return read_csv(path) if path.exists() else None


def _run_problems(layout: Layout, month: str) -> pd.DataFrame:
    """The problems the last run of the month found (none before a run)."""
    import pandas as pd

    from pipeline.core.contract import PROBLEMS, read_csv

    path = layout.tables(month) / "problems.csv"
    return read_csv(path) if path.exists() else pd.DataFrame(columns=PROBLEMS.names)


def _rows_refused(problems: pd.DataFrame) -> dict[str, int]:
    """Rows a county's problems refused, per county (one per file, sheet and row)."""
    from pipeline.feedback.chase import county_problems
    from pipeline.feedback.workbook import rows_left_out

    return {county: rows_left_out(county_problems(problems, county)) for county in set(problems.county)}


def _changed_since_the_run(layout: Layout, month: str, later: pd.DataFrame) -> list[str]:
    """The run's own problems of counties whose files are not those it read (or whose feedback
    was not made): told, not taken as still true."""
    if not len(later):
        return []
    named = "、".join(dict.fromkeys(later.county))
    return [
        f"上次运行本月另核出 {len(later)} 条问题(新揽收、对账等,本命令不重新核对):"
        f"{named};见 {layout.problems(month) / '问题清单.xlsx'}"
    ]


def _feedback_and_chase(layout: Layout, ref, month: str, table, problems, today=None) -> list[str]:
    """Each county's feedback workbook (made by the last run), and after the counties' deadline
    the chase list: who must send (again), whom to call, the notice to send (rewritten for today)."""
    from pipeline.feedback.chase import beijing_today, chase_lines, chase_list, deadline_text, past_deadline
    from pipeline.feedback.month import feedback_lines, made_from_current, read_index, write_notice

    folder = layout.feedback(month)
    index = read_index(folder)
    current = made_from_current(index, table)
    # counties with a problem now, and those the last run returned a workbook to (problems found
    # only when the month is computed, such as 新揽收 claims, are not read again here)
    named = set(problems.county) if len(problems) else set()
    lines = feedback_lines(
        folder, month, [c for c in table.county if c in named or c in index], index, current
    )
    deadline_day = int(ref.rules.for_month(month).get("submission.deadline_day"))
    today = today or beijing_today()
    if not past_deadline(month, deadline_day, today):
        due = deadline_text(month, deadline_day, today)
        return [*lines, f"报送截止:{due}(截止后在此列出催报清单)"]
    chases = chase_list(table, problems, ref.county_contacts)
    notices = {c: index[c]["notice"] for c in current if index[c].get("notice")}
    where = [f"  通知在 {folder},可直接发给各县(市)"] if notices else []
    try:  # the run may have written them before the deadline: they say 尽快 now
        workbooks = {c: e.get("workbook", "") for c, e in index.items()}
        for chase in (c for c in chases if c.county in notices):
            write_notice(folder, chase, month, problems, deadline_day, today, workbooks)
    except OSError as exc:
        where = [f"  注意:通知未能按今天的日期更新({exc.strerror or exc}),发送前请核对报送时限"]
    return [*lines, *chase_lines(chases, notices), *where]


def _status_month_note(layout: Layout, month: str) -> None:
    """The running month can be looked at (early workbooks) but not yet run; later ones are refused."""
    try:
        _check_closed(layout, month)
    except UserError as exc:
        if month > shift(last_closed_month(), 1):
            raise
        print(f"注意:{exc}")


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.sample.generate import LAST_MONTH, generate

    layout = _layout(args)
    if not any(layout.inputs.glob("20??-??")):
        print(f"写入示例数据到 {layout.inputs} …")
        generate(layout.inputs)
    found = sorted(p.name for p in layout.inputs.glob("20??-??") if is_month(p.name))
    latest = found[-1] if found else LAST_MONTH
    return _run(layout, latest)


def cmd_template(args: argparse.Namespace) -> int:
    from pipeline.ingest.template import PREFILL_MONTHS, latest_accepted_usage, write_templates

    layout = _layout(args)
    ref = _reference(layout)
    counties = None
    if args.county:
        code = ref.county_of_text(args.county)
        if code is None:
            raise UserError(f"无法识别的县(市):{args.county}")
        counties = [ref.county_names[code]]
    folder = layout.outputs / "templates" / args.month
    names = counties or list(ref.county_names.values())

    def usage_of(m: str) -> Path:
        return layout.tables(m) / "usage.parquet"

    previous, used = latest_accepted_usage(usage_of, args.month, names)
    paths = write_templates(ref, args.month, folder, previous, counties)
    print(f"已生成 {len(paths)} 个县(市)报表:{folder}")
    last = shift(args.month, -1)
    last_run = usage_of(last).exists()  # a month not yet run is no rejection: its data is not in yet
    if last in used.values():
        print(f"已预填{chinese_month(last)}已采用的客户(客户编号、客户名称、业务种类、客户经理)")
    for name in names:
        if name not in used:
            print(f"  {name}:近{PREFILL_MONTHS}个月没有已采用的用邮数据,报表未预填客户")
        elif used[name] != last:
            why = "报表未被采用" if last_run else "尚未运行(kac run)"
            print(f"  {name}:{chinese_month(last)}{why},已预填{chinese_month(used[name])}已采用的客户")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from pipeline.sample.generate import Scale, generate

    out = Path(args.out).resolve()
    generate(out, seed=args.seed, scale=Scale(customers=args.customers, counties=args.counties))
    print(f"示例数据已写入 {out}")
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    """The director confirms the month's scorecards and pay: show the totals, write the
    confirmation file, run the month so that the statements are issued as released."""

    import pandas as pd

    from pipeline.pay.release import (
        RELEASED,
        confirmer_named,
        confirmers,
        not_a_confirmer,
        write_confirmation,
    )
    from pipeline.pay.statements import ITEM_COLUMN_LABELS

    layout = _layout(args)
    root = layout.restricted_pay(args.month)
    state = _pay_state(layout, args.month)
    if state is None:
        raise UserError(f"{chinese_month(args.month)}尚未计算薪酬:请先运行 kac run {args.month}")
    pay = pd.read_csv(root / "pay.csv", dtype=str, keep_default_na=False)
    totals = {label: _sum_yuan(pay[column]) for column, label in ITEM_COLUMN_LABELS.items()}
    version, fingerprint = state["version"], state["fingerprint"][:12]
    if state.get("blocked"):  # said first: the totals of a month that cannot be confirmed are moot
        raise UserError(f"{chinese_month(args.month)}不能确认:{state['blocked']}")
    print(f"{chinese_month(args.month)}客户经理考核与薪酬 第{version}版(指纹 {fingerprint})")
    print(f"人数 {len(pay)}," + ",".join(f"{k} {v:,.2f} 元" for k, v in totals.items()))
    for r in pay[pay.held != ""].itertuples():
        print(f"暂缓:{r.manager_id} {r.name}({r.county})的{r.held}")
    if state["state"] == RELEASED:
        print(f"该版本已确认发放,无需再次确认:{state['note']}")
        return 0
    ref = _reference(layout)
    allowed = confirmers(ref.managers_active_in(args.month))
    if why := not_a_confirmer(args.by, allowed, ref.roster_in_force(args.month), args.month):
        raise UserError(
            f"{why}。请由中心主任或副主任确认(--by 姓名或工号);名册:{layout.reference / 'managers.csv'}"
        )
    by = confirmer_named(args.by, allowed)  # a manager id given: the name is what the file records
    write_confirmation(layout.confirmation(args.month), args.month, state["fingerprint"], by, totals)
    print(f"已写入确认文件:{layout.confirmation(args.month)}")
    code = _run(layout, args.month)
    after = _pay_state(layout, args.month)
    if code == 0 and (after is None or after["state"] != RELEASED):  # the inputs changed since the run
        print(f"确认未生效:{(after or {}).get('note', '')}", file=sys.stderr)
        return 1
    return code


def cmd_celery_config(args: argparse.Namespace) -> int:
    """The Celery workers' file (`dagster-celery worker start -y FILE`): the broker and settings
    the runs' executor uses, from KAC_CELERY_BROKER where set."""
    from assets.workers import worker_config_yaml

    sys.stdout.write(worker_config_yaml())
    return 0


def _sum_yuan(column) -> Decimal:
    return sum((Decimal(v) for v in column), Decimal("0.00"))


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="kac", description="凉山州邮政局大客户中心 数据处理")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    def folders(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--inputs",
            metavar="目录",
            help="输入目录(默认 KAC_INPUTS,否则当前目录下的 inputs/,否则安装目录的)",
        )
        p.add_argument(
            "--outputs",
            metavar="目录",
            help="输出目录(默认 KAC_OUTPUTS;输入目录取自当前目录时为其旁的 outputs/,否则安装目录的)",
        )

    p = sub.add_parser("run", help="处理并发布一个月份")
    p.add_argument("month", type=_month, metavar="月份", help="YYYY-MM,例如 2026-10")
    folders(p)
    p.add_argument(
        "--executor",
        choices=["in_process", "multiprocess", "celery"],
        help="Dagster 执行方式(默认按 rules.toml 的县数阈值选择,或 KAC_EXECUTOR)",
    )
    p.add_argument(
        "--accept-loss",
        action="store_true",
        help="确认发布:已发布版本采用过的县(市)报表本次被退回或缺失时仍然发布(更正说明中注明)",
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("status", help="查看各县(市)报送情况")
    p.add_argument("month", type=_month, metavar="月份", help="YYYY-MM,例如 2026-10")
    folders(p)
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("confirm", help="主任确认本月客户经理考核结果(确认后薪酬明细由草稿转为正式)")
    p.add_argument("month", type=_month)
    # who released the pay is on record: no default name stands in for the director's own
    p.add_argument(
        "--by",
        required=True,
        metavar="姓名",
        help="确认人姓名或工号:本月名册中的中心主任或副主任(写入确认文件,必填)",
    )
    folders(p)
    p.set_defaults(func=cmd_confirm)
    p = sub.add_parser("demo", help="用示例数据运行最新月份")
    folders(p)
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("template", help="生成下发各县的空白报表")
    p.add_argument("month", type=_month, metavar="月份", help="YYYY-MM,例如 2026-10")
    p.add_argument("county", nargs="?", metavar="县(市)", help="只生成这个县(市)的报表;省略时生成全部")
    folders(p)
    p.set_defaults(func=cmd_template)
    p = sub.add_parser("sample", help="生成示例数据(可指定规模,用于测试与基准)")
    p.add_argument("--out", required=True, metavar="目录", help="写入的目录")
    p.add_argument("--seed", type=int, metavar="种子", default=20250101, help="随机种子")
    p.add_argument("--customers", type=int, metavar="数量", default=2000, help="客户数")
    p.add_argument("--counties", type=int, metavar="数量", default=17, help="县(市)数")
    p.set_defaults(func=cmd_sample)
    p = sub.add_parser(
        "celery-config", help="输出 Celery 工作进程的配置(kac celery-config > celery-worker.yaml)"
    )
    p.set_defaults(func=cmd_celery_config)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pipeline.render.fonts import MissingFont

    # a closed terminal or SSH session (SIGHUP) stops a run as Ctrl-C does: what it wrote is put back
    signal.signal(signal.SIGHUP, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    try:
        return args.func(args)
    except (UserError, MissingFont) as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return EXIT_FAILED
    except PermissionError as exc:  # a read-only share, a folder of another user
        where = exc.filename or "输出文件夹"
        print(
            f"错误:无法写入 {where}(没有写权限):请检查 --outputs(或 KAC_OUTPUTS)指向的文件夹是否可写",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into `head` or a pager that was closed: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
