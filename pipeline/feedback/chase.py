"""催报: the counties that must send their workbook (again), whom to call there, and a notice
ready to send to each.

A county must send (again) when its workbook was not received (未报送), was rejected as a whole
(退回), or was used without some rows because of errors in them (部分行未采用: the month's figures
are incomplete until a corrected workbook arrives). Warnings alone ask for no new workbook.

The deadline in a notice: the counties' deadline of the month (`submission.deadline_day` of the
following month) while it has not passed on the day the notice is written, else 尽快 (as soon
as possible) with the date that was missed. It is the only wording that depends on the day.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from pipeline.core.months import TIMEZONE, chinese_day, chinese_month, next_month, number_of, year_of
from pipeline.core.problems import ERROR, Problem, effect, label
from pipeline.feedback.workbook import ordered, rows_left_out
from pipeline.ingest.reference import Contact
from pipeline.publish.summary import table_lines

MISSING, REJECTED, ROWS = "missing", "rejected", "rows"
SITUATIONS = {MISSING: "未报送", REJECTED: "退回", ROWS: "部分行未采用"}
NOTICE_ITEMS = 30  # errors listed one by one in a notice; the rest are in the feedback workbook
_VALUE_CHARS = 60


@dataclass(frozen=True)
class Chase:
    """A county to chase: what is wrong and whom to call."""

    county: str
    situation: str  # missing, rejected, rows
    reasons: str  # the errors by kind, most frequent first: "必填项为空 3 处、业务种类无法识别"
    rows: int  # rows not used (situation rows)
    file: str
    contact: Contact | None

    @property
    def what(self) -> str:
        if self.situation == ROWS:
            return f"未采用 {self.rows} 行"
        return SITUATIONS[self.situation]


def county_problems(problems: pd.DataFrame, county: str) -> list[Problem]:
    """The county's problems of a month's problem table, in its order."""
    if not len(problems):
        return []
    mine = problems[problems.county == county]
    return [
        Problem(**{k: _text(v) for k, v in row.items()})
        for row in mine[list(Problem.__dataclass_fields__)].to_dict("records")
    ]


def _text(value: object) -> str:
    return "" if value is None or value != value else str(value)  # NaN: nothing read


def chase_list(
    submissions: pd.DataFrame, problems: pd.DataFrame, contacts: dict[str, Contact]
) -> list[Chase]:
    """The counties that must send (again), in the submissions' (reference) order."""
    out = []
    for r in submissions.itertuples():
        mine = county_problems(problems, r.county)
        rows = rows_left_out(mine)
        if r.status == "missing":
            situation = MISSING
        elif r.status == "rejected":
            situation = REJECTED
        elif rows:
            situation = ROWS
        else:
            continue
        out.append(Chase(r.county, situation, _error_reasons(mine), rows, r.file, contacts.get(r.county)))
    return out


def _error_reasons(problems: list[Problem]) -> str:
    counts = Counter(label(p.code) for p in problems if p.severity == ERROR)
    return "、".join(name + (f" {n} 处" if n > 1 else "") for name, n in counts.most_common())


def deadline(month: str, deadline_day: int) -> date:
    """The counties' deadline for `month`: `deadline_day` of the following month."""
    following = next_month(month)
    return date(year_of(following), number_of(following), deadline_day)


def beijing_today() -> date:
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def deadline_text(month: str, deadline_day: int, today: date) -> str:
    """ "2026年11月3日前", or "尽快(…已过)" from the day after it."""
    due = chinese_day(next_month(month), deadline_day)
    if today <= deadline(month, deadline_day):
        return f"{due}前"
    return f"尽快(本月报表原定截止日期 {due} 已过)"


def past_deadline(month: str, deadline_day: int, today: date) -> bool:
    return today > deadline(month, deadline_day)


# -- the notice --------------------------------------------------------------------------


def notice_text(
    chase: Chase,
    month: str,
    problems: list[Problem],
    deadline_day: int,
    today: date,
    feedback_file: str = "",
) -> str:
    """The notice to the county, in Chinese, ready to send (lines joined by \\n)."""
    cm = chinese_month(month)
    person = chase.contact.person if chase.contact else ""
    verb = "报送" if chase.situation == MISSING else "重新报送"
    lines = [
        f"关于{verb}{cm}大客户用邮情况月报的通知",
        "",
        f"{chase.county}大客户中心{' ' + person + '同志' if person else ''}:",
        "",
    ]
    if chase.situation == MISSING:
        lines.append(
            f"州局大客户中心尚未收到你单位{cm}的大客户用邮情况月报。请使用中心下发的模板"
            "(用邮情况、客户档案、走访记录三张工作表)填报,在“填报单位”中写明县(市)名称、"
            "在“填报日期”中写明日期,审核后报送。"
        )
    else:
        errors = [p for p in ordered(problems) if p.severity == ERROR]
        if chase.situation == REJECTED:
            lines.append(
                f"你单位报送的{cm}大客户用邮情况月报(文件:{chase.file})经州局大客户中心校验,"
                "未能采用(整表退回),原因如下:"
            )
        else:
            lines.append(
                f"你单位报送的{cm}大客户用邮情况月报(文件:{chase.file})已采用,"
                f"但以下 {chase.rows} 行因有错误未计入本月数据:"
            )
        errors = sorted(errors, key=lambda p: effect(p.code) != "county")  # what rejects the file first
        items = list(dict.fromkeys(_item(p) for p in errors))  # two files: one "两个文件" line, not two
        lines += [f"{i}. {item}" for i, item in enumerate(items[:NOTICE_ITEMS], start=1)]
        if len(items) > NOTICE_ITEMS:
            lines.append(f"……共 {len(items)} 处错误,其余见问题反馈表。")
        warnings = sum(p.severity != ERROR for p in problems)
        if warnings:
            lines.append(f"另有 {warnings} 处提示(不影响采用),请一并核对,详见问题反馈表。")
        if chase.situation == REJECTED:
            lines.append("请按以上意见修改后,重新报送完整的报表。")
        else:
            lines.append("请更正后重新报送完整的报表(整个文件,不是只报更正的行),更正后的数据将计入本月。")
    lines += ["", f"报送时限:{deadline_text(month, deadline_day, today)}。"]
    if feedback_file and chase.situation != MISSING:
        marked = any(p.cell for p in problems)  # a missing sheet or a second file has no cell
        lines.append(
            f"随本通知附《{feedback_file}》:"
            + (
                "出错的单元格已标为红色,需核对的标为橙黄色,批注中写明了读取的值和处理意见。"
                if marked
                else "首页“问题汇总”列出了以上问题和处理意见。"
            )
        )
    lines += [
        "重新报送的报表将替换原报表,州局大客户中心收到后重新处理本月数据。",
        "",
        "凉山州邮政局大客户中心",
    ]
    return "\n".join(lines) + "\n"


def _item(p: Problem) -> str:
    """'业务种类无法识别(“用邮情况”工作表 C10 单元格,读取的值“快件”):业务种类无法识别,请…'"""
    detail = []
    if p.sheet:
        detail.append(f"“{p.sheet}”工作表" + (f" {p.cell} 单元格" if p.cell else ""))
    value = _one_line(p.value)
    if value:
        detail.append(f"读取的值“{value}”")
    message = p.message if p.message.endswith(("。", "…")) else p.message + "。"
    return f"{label(p.code)}{'(' + ','.join(detail) + ')' if detail else ''}:{message}"


def _one_line(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= _VALUE_CHARS else text[:_VALUE_CHARS] + "…"


def notice_bytes(text: str) -> bytes:
    """UTF-8 with a byte-order mark and CRLF: Notepad and WPS on the counties' Windows
    machines show the Chinese right."""
    return text.replace("\n", "\r\n").encode("utf-8-sig")


# -- the chase list as `kac status` and the Dagster UI show it -------------------------------


def _contact_cells(chase: Chase) -> list[str]:
    if chase.contact is None or not (chase.contact.person or chase.contact.phone):
        return ["未登记", "—"]
    return [chase.contact.person or "—", chase.contact.phone or "—"]


def chase_lines(chases: list[Chase], notices: dict[str, str] | None = None) -> list[str]:
    """The chase list as lines for a terminal; `notices` county → the notice file, where written."""
    if not chases:
        return ["催报清单:无(各县(市)报表均已采用,没有需要重新报送的)"]
    notices = notices or {}
    rows = [
        [c.county, c.what, c.reasons or "—", *_contact_cells(c), notices.get(c.county, "—")] for c in chases
    ]
    table = table_lines(["县(市)", "情况", "问题", "联系人", "电话", "通知"], rows)
    return ["催报清单(需报送或重新报送的县(市)):", *("  " + line for line in table)]


def chase_markdown(chases: list[Chase], month: str, deadline_day: int, today: date) -> str:
    """The chase list as a Markdown table (Dagster metadata)."""
    state = "已过" if past_deadline(month, deadline_day, today) else "未到"
    due = chinese_day(next_month(month), deadline_day)
    head = f"报送截止日期 {due}({state})。"
    if not chases:
        return head + "没有需要报送或重新报送的县(市)。"
    rows = ["| 县(市) | 情况 | 问题 | 联系人 | 电话 |", "| --- | --- | --- | --- | --- |"]
    for c in chases:
        cells = [c.county, c.what, c.reasons or "—", *_contact_cells(c)]
        rows.append("| " + " | ".join(_md(x) for x in cells) + " |")
    return head + "\n\n" + "\n".join(rows)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
