"""The data contract's tables (SPEC §9), each declared once: where it is written, its columns in
order with their kind, which must never be blank, and its key.

A table's declared columns come first in its CSV, in this order; a table may carry further
columns after them (SPEC §9: "add to them freely"). Code that builds or writes a contract table
takes its columns from here (`pipeline.core.tables.write_table` orders the CSV by them), and the
asset checks (`assets.checks`) verify every written CSV against it with `check_csv`.

Kinds, as the CSV shows them:
- text: anything;
- fen: an amount of money, a whole number of fen shown as 元 with two decimals (`1234.50`);
  inside the pipeline the column is `<name>_fen`, integer fen (pipeline.core.money);
- integer: a whole number (`-?[0-9]+`);
- decimal: a number (ratios, scores, shares);
- date: YYYY-MM-DD; month: YYYY-MM.

Blank (an empty cell) is the only "no value"; a required column has none. Rows in messages are
numbered as in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from pipeline.core.layout import Layout
from pipeline.core.text import from_csv_text

TEXT, FEN, INTEGER, DECIMAL, DATE, MONTH = "text", "fen", "integer", "decimal", "date", "month"
KINDS = (TEXT, FEN, INTEGER, DECIMAL, DATE, MONTH)
FEN_SUFFIX = "_fen"
_SHOWN = 5  # rows or values quoted in one message


@dataclass(frozen=True)
class Column:
    name: str  # as in the CSV
    kind: str = TEXT
    required: bool = False  # never blank

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: kind {self.kind!r} is not one of {', '.join(KINDS)}")

    @property
    def frame_name(self) -> str:
        """The column in the pipeline's frames: an amount is `<name>_fen`, integer fen."""
        return self.name + FEN_SUFFIX if self.kind == FEN else self.name


@dataclass(frozen=True)
class Table:
    name: str  # the file is `name`.csv (parquet beside it where write_table writes it)
    folder: Callable[[Layout, str], Path]  # (layout, YYYY-MM or survey wave) → its folder
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique together, where SPEC implies one
    description: str = ""

    def __post_init__(self) -> None:
        names = self.names
        if len(set(names)) != len(names) or not set(self.key) <= set(names):
            raise ValueError(f"table {self.name}: repeated column or a key column not declared")

    @property
    def names(self) -> list[str]:
        """The declared columns, as in the CSV and in this order."""
        return [c.name for c in self.columns]

    @property
    def frame_columns(self) -> list[str]:
        """The declared columns as the pipeline's frames name them (amounts in `_fen`)."""
        return [c.frame_name for c in self.columns]

    def of_kind(self, kind: str) -> list[str]:
        return [c.name for c in self.columns if c.kind == kind]

    def path(self, layout: Layout, where: str) -> Path:
        """The CSV of the month (YYYY-MM) or survey wave `where`."""
        return self.folder(layout, where) / f"{self.name}.csv"


def _columns(spec: Iterable[tuple]) -> tuple[Column, ...]:
    return tuple(Column(*entry) for entry in spec)


REQUIRED = True

SUBMISSIONS = Table(
    "submissions",
    Layout.tables,
    _columns(
        [
            ("county", TEXT, REQUIRED),
            ("status", TEXT, REQUIRED),  # on_time, late, received, missing, rejected
            ("file", TEXT),
            ("sha256", TEXT),
            ("rows", INTEGER, REQUIRED),
            ("errors", INTEGER, REQUIRED),
            ("warnings", INTEGER, REQUIRED),
            ("report_date", DATE),
            ("received_at", TEXT),  # the file's modification time, local, to the minute
            ("reject_code", TEXT),
        ]
    ),
    key=("county",),
    description="各县(市)报送状态,每县一行",
)
PROBLEMS = Table(
    "problems",
    Layout.tables,
    _columns(
        [
            ("severity", TEXT, REQUIRED),  # error, warning
            ("code", TEXT, REQUIRED),
            ("county", TEXT),
            ("file", TEXT),
            ("sheet", TEXT),
            ("cell", TEXT),  # A1 style
            ("value", TEXT),
            ("message", TEXT, REQUIRED),
        ]
    ),
    description="本月全部问题",
)
USAGE = Table(
    "usage",
    Layout.tables,
    _columns(
        [
            ("month", MONTH, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("customer_id", TEXT, REQUIRED),
            ("business_type", TEXT, REQUIRED),
            ("volume", INTEGER, REQUIRED),
            ("revenue", FEN, REQUIRED),
            ("manager_id", TEXT, REQUIRED),
            ("collection", TEXT, REQUIRED),
            ("source_file", TEXT, REQUIRED),
            ("source_sheet", TEXT, REQUIRED),
            ("source_row", INTEGER, REQUIRED),
        ]
    ),
    key=("customer_id", "business_type"),  # one row per customer × business type in a month
    description="本月采用的用邮明细",
)
REJECTED_ROWS = Table(
    "rejected_rows",
    Layout.tables,
    _columns(
        [
            ("county", TEXT),
            ("file", TEXT, REQUIRED),
            ("sheet", TEXT),
            ("row", INTEGER),  # blank for the note of a county rejected as a whole
            ("code", TEXT, REQUIRED),
            ("values", TEXT),
            ("customer_id", TEXT),  # of a 用邮情况 row: that customer's month is not known in full
        ]
    ),
    description="未采用的行及其原始内容(隔离区)",
)
VISITS = Table(
    "visits",
    Layout.tables,
    _columns(
        [
            ("date", DATE),  # blank where the county gave none (a warning, not counted)
            ("customer_id", TEXT, REQUIRED),
            ("manager_id", TEXT),
            ("method", TEXT),
            ("content", TEXT),
            ("feedback", TEXT),
            ("county", TEXT, REQUIRED),
            ("source_file", TEXT, REQUIRED),
            ("source_row", INTEGER, REQUIRED),
            ("planned", DATE),  # 计划日期: with no date, a visit planned and not made
        ]
    ),
    description="本月走访记录",
)
PROGRESS = Table(
    "progress",
    Layout.tables,
    _columns(
        [
            ("county", TEXT, REQUIRED),
            ("item", TEXT, REQUIRED),  # 工作进展, 存在问题, 需协调事项
            ("text", TEXT, REQUIRED),  # in full, as the county wrote it (the 信息参考 shortens it)
            ("source_file", TEXT, REQUIRED),
            ("source_row", INTEGER, REQUIRED),
        ]
    ),
    key=("county", "item"),
    description="各县(市)本月工作进展、存在问题与需协调事项(全文;未报送的县不在表中)",
)
ARCHIVE = Table(
    "archive",
    Layout.tables,
    _columns(
        [
            ("customer_id", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            # the record's own fields, as a county's 客户档案 sheet gives them
            ("name", TEXT),
            ("address", TEXT),
            ("contact", TEXT),
            ("phone", TEXT),
            ("nature", TEXT),
            ("partner", TEXT),
            ("products", TEXT),
            ("business_types", TEXT),
            ("potential", TEXT),
            ("competitors", TEXT),
            ("manager_id", TEXT),
            ("county_designated", TEXT),
            ("updated", DATE),
            # the archive's history
            ("first_month", MONTH, REQUIRED),
            ("changed_month", MONTH, REQUIRED),
            ("source", TEXT, REQUIRED),
            ("agreed_band", TEXT),  # 协议档次 (optional): the pricing bands agreed, e.g. 特快:一档
        ]
    ),
    key=("customer_id",),
    description="客户档案(截至本月),每客户一行",
)
VOLUMES = Table(
    "volumes",
    Layout.tables,
    _columns(
        [
            ("county", TEXT, REQUIRED),
            ("business_type", TEXT, REQUIRED),
            ("volume", INTEGER, REQUIRED),
            ("revenue", FEN, REQUIRED),
            ("volume_mom", DECIMAL),  # ratios, blank where undefined
            ("revenue_mom", DECIMAL),
            ("volume_yoy", DECIMAL),
            ("revenue_yoy", DECIMAL),
        ]
    ),
    key=("county", "business_type"),
    description="用邮量与收入:分县(市)×业务种类",
)
TIERS = Table(
    "tiers",
    Layout.tables,
    _columns(
        [
            ("customer_id", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("tier", TEXT, REQUIRED),  # prefecture, county, ordinary
            ("reasons", TEXT),
            ("previous_tier", TEXT),
            ("change", TEXT, REQUIRED),
            ("months_below", INTEGER, REQUIRED),
            ("manager_id", TEXT),
            ("last_key_month", MONTH),
        ]
    ),
    key=("customer_id",),
    description="州级/县级大客户划分,每客户一行",
)
ALERTS = Table(
    "alerts",
    Layout.tables,
    _columns(
        [
            ("customer_id", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("manager_id", TEXT),
            ("kind", TEXT, REQUIRED),  # loss, decline, complaint
            ("this_month", FEN),  # revenue; blank for a complaint alert
            ("reference", FEN),
            ("ratio", DECIMAL),
            ("basis", TEXT, REQUIRED),
            ("tier", TEXT, REQUIRED),
        ]
    ),
    # a key account has one revenue alert at most (loss or decline), and a complaint alert beside it
    key=("customer_id", "kind"),
    description="大客户流失预警、下降预警与投诉超时预警",
)
CASES = Table(
    "cases",
    Layout.tables,
    _columns(
        [
            ("case_id", TEXT, REQUIRED),  # county|customer id|受理日期|type|邮件号码 (analytics.cases)
            ("county", TEXT, REQUIRED),
            ("customer_id", TEXT, REQUIRED),
            ("type", TEXT, REQUIRED),  # complaint, inquiry, claim
            ("business_type", TEXT),
            ("content", TEXT),
            ("mail_no", TEXT),
            ("claim_amount", FEN),  # a claim's amount; blank for a complaint or an inquiry
            ("opened", DATE, REQUIRED),  # 受理日期
            ("closed", DATE),  # 办结日期, blank while open
            ("result", TEXT),
            ("manager_id", TEXT),
            ("status", TEXT, REQUIRED),  # open, overdue, closed, closed_late
            ("limit_days", INTEGER, REQUIRED),
            ("age_days", INTEGER, REQUIRED),  # to 办结日期, or to the month's last day while open
            ("days_to_close", INTEGER),  # blank while open
            ("first_month", MONTH, REQUIRED),
            ("changed_month", MONTH, REQUIRED),
            ("source_file", TEXT, REQUIRED),
            ("source_row", INTEGER, REQUIRED),
            # the month whose workbook first gave the 办结日期: the closure counts in that month,
            # also when the date is earlier (a closure reported a month late); blank while open
            ("closed_month", MONTH),
        ]
    ),
    key=("case_id",),
    description="投诉、查询、理赔案件登记(截至本月),每案一行",
)
SCORECARDS = Table(
    "scorecards",
    Layout.restricted_pay,  # exact scores reveal pay: restricted (SPEC §10), not among the tables
    _columns(
        [
            ("manager_id", TEXT, REQUIRED),
            # one column per item of the plan (四、客户经理考核指标), points
            ("archive", DECIMAL, REQUIRED),
            ("contact", DECIMAL, REQUIRED),
            ("market_survey", DECIMAL, REQUIRED),
            ("retention", DECIMAL, REQUIRED),
            ("other", DECIMAL, REQUIRED),
            ("project_plan", DECIMAL, REQUIRED),
            ("new_accounts", DECIMAL, REQUIRED),
            ("annual_target", DECIMAL, REQUIRED),
            ("total", DECIMAL, REQUIRED),
        ]
    ),
    key=("manager_id",),
    description="客户经理考核评分卡,每人一行",
)
PAY = Table(
    "pay",
    Layout.restricted_pay,
    _columns(
        [
            ("manager_id", TEXT, REQUIRED),
            ("name", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("performance_pay", FEN, REQUIRED),
            ("marketing_reward", FEN, REQUIRED),
            ("award", FEN, REQUIRED),
            ("allowance", FEN, REQUIRED),
            ("total", FEN, REQUIRED),
            ("version", INTEGER, REQUIRED),  # of the manager's statement in force
            ("held", TEXT),  # why a line is held (暂缓), blank where none is
            ("state", TEXT),  # of that statement: draft (草稿: not to be paid from) or released (已确认)
        ]
    ),
    key=("manager_id",),
    description="客户经理薪酬汇总(仅 outputs/restricted/),每人一行",
)
SATISFACTION = Table(
    "satisfaction",
    Layout.survey_tables,
    _columns(
        [
            ("wave", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),  # or 全州
            ("dimension", TEXT, REQUIRED),
            ("n", INTEGER, REQUIRED),
            ("mean", DECIMAL),  # blank where the group is suppressed
            ("csat", DECIMAL),
            ("csat_low", DECIMAL),
            ("csat_high", DECIMAL),
            ("suppressed", TEXT, REQUIRED),
            *((f"share_{s}", DECIMAL) for s in range(1, 6)),
            ("csat_change", DECIMAL),
            ("change_is_real", TEXT, REQUIRED),
        ]
    ),
    key=("wave", "county", "dimension"),
    description="满意度测评汇总:分项、分县",
)
CROSS_SELL = Table(
    "cross_sell",
    Layout.tables,
    _columns(
        [
            ("customer_id", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("manager_id", TEXT),
            ("nature", TEXT, REQUIRED),  # 企业性质: what makes customers comparable
            ("business_type", TEXT, REQUIRED),  # used by comparable customers, not by this one
            ("rank", INTEGER, REQUIRED),  # within the customer, 1 = best
            ("scope", TEXT, REQUIRED),  # county, or prefecture when the county has too few peers
            ("peers", INTEGER, REQUIRED),  # comparable customers in the scope
            ("users", INTEGER, REQUIRED),  # of them, using the business type
            ("uptake", DECIMAL),  # users ÷ peers
            ("median_revenue", FEN, REQUIRED),  # trailing-window revenue of the type per user, median
            ("users_revenue", FEN, REQUIRED),  # all users' trailing-window revenue of the type
        ]
    ),
    key=("customer_id", "business_type"),
    description="叠加使用机会:同类客户在用而本大客户未用的业务种类,按同类客户收入排序",
)
CROSS_SELL_BY_MANAGER = Table(
    "cross_sell_by_manager",
    Layout.tables,
    _columns(
        [
            ("manager_id", TEXT, REQUIRED),
            ("manager_rank", INTEGER, REQUIRED),
            ("customer_id", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("business_type", TEXT, REQUIRED),
            ("customer_rank", INTEGER, REQUIRED),
            ("scope", TEXT, REQUIRED),
            ("uptake", DECIMAL),
            ("median_revenue", FEN, REQUIRED),
        ]
    ),
    key=("manager_id", "manager_rank"),
    description="各客户经理的叠加使用重点机会(每人前若干条)",
)
BUSINESS_BREADTH = Table(
    "business_breadth",
    Layout.tables,
    _columns(
        [
            ("month", MONTH, REQUIRED),
            ("key_accounts", INTEGER, REQUIRED),
            ("none", INTEGER, REQUIRED),  # key accounts with no usage in the window
            ("one", INTEGER, REQUIRED),
            ("two", INTEGER, REQUIRED),
            ("three_plus", INTEGER, REQUIRED),
            ("share_one", DECIMAL),
            ("share_two", DECIMAL),
            ("share_three_plus", DECIMAL),
            ("window_months", INTEGER, REQUIRED),  # months of data in the trailing window
        ]
    ),
    key=("month",),
    description="大客户使用业务种类数(1、2、3种及以上)的占比,近13个月",
)
PRICING_BANDS = Table(
    "pricing_bands",
    Layout.tables,
    _columns(
        [
            ("customer_id", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("manager_id", TEXT),
            ("business_type", TEXT, REQUIRED),
            ("measure", TEXT, REQUIRED),  # volume or revenue (rules: pricing.bands)
            ("trailing_volume", INTEGER, REQUIRED),
            ("trailing_revenue", FEN, REQUIRED),
            ("band", INTEGER, REQUIRED),  # 0 = the lowest band
            ("band_label", TEXT, REQUIRED),
            ("next_label", TEXT),  # blank in the highest band
            ("to_next_volume", INTEGER),  # what is missing to the next band, in the measure
            ("to_next_revenue", FEN),
            ("previous_label", TEXT),  # last month's band (last month's window and rules)
            # up, down, same, first, partial (window before the data), incomplete (a county's month missing)
            ("change", TEXT, REQUIRED),
            ("agreed_label", TEXT),  # 协议档次 from the archive
            ("agreement", TEXT),  # above_agreed, below_agreed, unreadable, or blank
        ]
    ),
    key=("customer_id", "business_type"),
    description="浮动定价档次:大客户按业务种类的滚动12个月用邮规模所处档次、距上一档差距、本月档次变动",
)
COMPETITOR_MENTIONS = Table(
    "competitor_mentions",
    Layout.tables,
    _columns(
        [
            ("customer_id", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("manager_id", TEXT),
            ("kind", TEXT, REQUIRED),  # competitor or need
            ("name", TEXT, REQUIRED),  # canonical competitor or need category; else the text as written
            ("matched", TEXT, REQUIRED),  # yes: through the aliases; no: 未归类
            ("written", TEXT, REQUIRED),  # the part of the archive cell as written
            ("trailing_revenue", FEN, REQUIRED),  # the key account's trailing-12-month revenue
        ]
    ),
    key=("customer_id", "kind", "name"),
    description="大客户档案中的竞争对手与潜在需求(按别名归并),每客户每项一行",
)
COMPETITORS = Table(
    "competitors",
    Layout.tables,
    _columns(
        [
            ("competitor", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),  # or 全州
            ("business_type", TEXT, REQUIRED),  # or 全部
            ("matched", TEXT, REQUIRED),
            ("key_accounts", INTEGER, REQUIRED),
            ("revenue", FEN, REQUIRED),  # their trailing-12-month revenue (of the business type)
            ("revenue_share", DECIMAL),  # of all key accounts' revenue in the scope
            ("written", TEXT),  # the variants seen
        ]
    ),
    key=("competitor", "county", "business_type"),
    description="竞争对手:分县(市)、分业务种类,涉及大客户数及其收入",
)
NEEDS = Table(
    "needs",
    Layout.tables,
    _columns(
        [
            ("need", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),  # or 全州
            ("served_by", TEXT),  # the business type serving it; blank when none does
            ("unserved", TEXT, REQUIRED),  # yes: no current business type serves it
            ("matched", TEXT, REQUIRED),
            ("key_accounts", INTEGER, REQUIRED),
            ("revenue", FEN, REQUIRED),
            ("written", TEXT),
        ]
    ),
    key=("need", "county"),
    description="潜在需求:按需求类别、分县(市),现有业务种类未覆盖的单独标出",
)
# what the month's market step writes (叠加使用, 浮动定价, 市场研究)
MARKET_TABLES = (
    CROSS_SELL,
    CROSS_SELL_BY_MANAGER,
    BUSINESS_BREADTH,
    PRICING_BANDS,
    COMPETITOR_MENTIONS,
    COMPETITORS,
    NEEDS,
)
TODO_ITEMS = Table(
    "todo_items",
    Layout.restricted_todo,  # every manager's items (birthdays): restricted, never under tables/
    _columns(
        [
            ("month", MONTH, REQUIRED),
            ("manager_id", TEXT, REQUIRED),
            ("manager_name", TEXT, REQUIRED),
            ("county", TEXT, REQUIRED),
            # not_visited, missed_visit, case, greeting, archive, survey_followup (publish.todo)
            ("section", TEXT, REQUIRED),
            ("customer_id", TEXT),  # blank for a holiday greeting to all the manager's key accounts
            ("customer_name", TEXT),
            ("date", DATE),  # planned, received, greeting, last changed or follow-up due date
            ("what", TEXT),  # tier, case type, occasion (节日 or 关键联系人生日) …
            ("status", TEXT),  # alerted, missed, open, overdue, waiting …
            ("detail", TEXT),
        ]
    ),
    description="客户经理工作清单的全部事项(仅 outputs/managers/,含关键联系人生日)",
)
PROJECTS = Table(
    "projects",
    Layout.tables,
    _columns(
        [
            ("project_id", TEXT, REQUIRED),  # 项目编号
            ("name", TEXT, REQUIRED),
            ("lead", TEXT, REQUIRED),  # 牵头单位: 州局 or a county
            ("manager_id", TEXT, REQUIRED),  # 负责客户经理
            ("business_types", TEXT, REQUIRED),  # joined by 、, or 全部
            ("targets", TEXT, REQUIRED),  # 目标客户 as registered: ids or a rule
            ("start", MONTH, REQUIRED),
            ("end", MONTH, REQUIRED),
            ("cycle_months", INTEGER, REQUIRED),
            ("elapsed_months", INTEGER, REQUIRED),  # of the cycle, up to the month
            ("counted_months", INTEGER, REQUIRED),  # elapsed, less the months left out
            ("months_left_out", TEXT),  # a target customer's county not accepted then (、-joined)
            ("phase", TEXT, REQUIRED),  # 未开始, 进行中, 本月结束, 已结束, 已取消, 草稿
            ("target_customers", INTEGER, REQUIRED),
            ("target_revenue", FEN, REQUIRED),
            ("target_revenue_due", FEN, REQUIRED),  # target × counted ÷ cycle months
            ("revenue", FEN, REQUIRED),  # of the cycle to date
            ("baseline_revenue", FEN, REQUIRED),  # the paired months before the cycle
            ("revenue_change", FEN, REQUIRED),
            ("new_business_revenue", FEN, REQUIRED),
            ("converted", INTEGER, REQUIRED),
            ("target_converted", INTEGER, REQUIRED),
            ("new_key_accounts", INTEGER, REQUIRED),
            ("target_new_accounts", INTEGER, REQUIRED),
            ("baseline_complete", TEXT, REQUIRED),  # 是/否: every baseline month has data
            ("status", TEXT),  # 状态 as registered
            ("source_file", TEXT, REQUIRED),
            ("source_row", INTEGER, REQUIRED),
        ]
    ),
    key=("project_id",),
    description="营销项目(项目登记)本年度各项目的目标与结果,每项目一行",
)
# 各级客户中心考核 (pipeline.pay.centres): the half-year visit completion and the county centres' scorecard
HALF_YEAR_VISITS = Table(
    "half_year_visits",
    Layout.tables,
    _columns(
        [
            ("county", TEXT, REQUIRED),
            ("half", TEXT, REQUIRED),  # YYYY-H1 (Jan–Jun) or YYYY-H2 (Jul–Dec)
            ("months", INTEGER, REQUIRED),  # months of the half-year so far
            ("key_accounts", INTEGER, REQUIRED),  # the county's key accounts at this month
            ("visited", INTEGER, REQUIRED),  # of them, visited at least once in the half-year so far
            ("share", DECIMAL),  # blank where the county has no key account
        ]
    ),
    key=("county",),
    description="半年走访完成率:各县(市)大客户本半年至本月至少走访一次的占比",
)
COUNTY_SCORECARD_ITEMS = (
    "submission",
    "data_quality",
    "visit_rate",
    "half_year",
    "archive",
    "cases",
    "retention",
    "csat",
)
COUNTY_SCORECARDS = Table(
    "county_scorecards",
    Layout.tables,
    _columns(
        [
            ("county", TEXT, REQUIRED),
            *((item, DECIMAL) for item in COUNTY_SCORECARD_ITEMS),  # points; blank: not scored or held
            ("total", DECIMAL, REQUIRED),
            ("possible", INTEGER, REQUIRED),  # the weights of the items scored
            ("rate", DECIMAL),  # total ÷ possible
            ("rank", INTEGER),  # blank where items are held
            ("held", TEXT),  # why items are held (暂缓)
            *((f"{item}_{part}", TEXT) for item in COUNTY_SCORECARD_ITEMS for part in ("value", "note")),
            # marketing plans (营销方案) the county leads that start in the year, against the plan's
            # cadence (rules `projects.cadence_county`): shown beside the scores, not scored
            ("plans", INTEGER),
            ("plans_verdict", TEXT),  # 符合, 不足 or 超出, and the range asked: 不足(1–2)
        ]
    ),
    key=("county",),
    description="各级客户中心考核:各县(市)客户中心每月考核得分与排名",
)
TABLES = {
    t.name: t
    for t in (
        SUBMISSIONS,
        PROBLEMS,
        USAGE,
        REJECTED_ROWS,
        VISITS,
        ARCHIVE,
        VOLUMES,
        TIERS,
        ALERTS,
        CASES,
        PROGRESS,
        SCORECARDS,
        PAY,
        SATISFACTION,
        TODO_ITEMS,
        *MARKET_TABLES,
        PROJECTS,
        HALF_YEAR_VISITS,
        COUNTY_SCORECARDS,
    )
}

# 对账差异: the counties' reports against the 量收系统 export (analytics.reconcile), one row per
# customer × business type that differs beyond the rules' tolerance
RECONCILIATION = Table(
    "reconciliation",
    Layout.tables,
    _columns(
        [
            ("month", MONTH, REQUIRED),
            ("county", TEXT, REQUIRED),
            ("customer_id", TEXT, REQUIRED),
            ("business_type", TEXT, REQUIRED),
            ("kind", TEXT, REQUIRED),  # system_only, county_only, amount_differs
            ("county_volume", INTEGER),  # blank where the county did not report the pair
            ("system_volume", INTEGER),  # blank where the system has none
            ("volume_diff", INTEGER, REQUIRED),  # county − system, a missing side as 0
            ("county_revenue", FEN),
            ("system_revenue", FEN),
            ("revenue_diff", FEN, REQUIRED),  # county − system, a missing side as 0
            ("record_source", TEXT, REQUIRED),  # revenue_source of the rules: county or system
            ("record_revenue", FEN, REQUIRED),  # that source's revenue (the other where it has none)
            ("customer_name", TEXT),
            ("county_file", TEXT),
            ("county_sheet", TEXT),
            ("county_row", INTEGER),
            ("system_file", TEXT),  # 系统数据/<file>
            ("system_sheet", TEXT),
            ("system_rows", TEXT),  # the export's rows added up, "12、15"
            ("system_cell", TEXT),  # the first row's 收入 cell
        ]
    ),
    key=("customer_id", "business_type"),
    description="对账差异:县(市)报表与量收系统不符的客户 × 业务种类",
)
TABLES[RECONCILIATION.name] = RECONCILIATION


# -- checking a written table ------------------------------------------------------------


def _integer(text: str) -> bool:
    return re.fullmatch(r"-?[0-9]+", text) is not None


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _whole_fen(text: str) -> bool:
    value = _number(text)
    return value is not None and (value * 100) % 1 == 0


def _date(text: str) -> bool:
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _month(text: str) -> bool:
    return re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text) is not None


VALID: dict[str, tuple[Callable[[str], bool], str]] = {  # kind → (test of a cell, what it must be)
    TEXT: (lambda _: True, "text"),
    FEN: (_whole_fen, "an amount in 元 of whole fen"),
    INTEGER: (_integer, "an integer"),
    DECIMAL: (lambda text: _number(text) is not None, "a number"),
    DATE: (_date, "a date YYYY-MM-DD"),
    MONTH: (_month, "a month YYYY-MM"),
}


def _rows(mask: pd.Series) -> str:
    """Spreadsheet rows of the true entries of `mask` (the header is row 1), the first few."""
    rows = [str(i + 2) for i in mask[mask].index[:_SHOWN]]
    more = int(mask.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more} more" if more > 0 else "")


def violations(table: Table, frame: pd.DataFrame) -> list[str]:
    """What in `frame` (the CSV read as text, blanks as "", a default index) breaks the
    contract of `table`, one sentence each; none when the table keeps it."""
    found: list[str] = []
    header = [str(c) for c in frame.columns]
    declared = table.names
    missing = [c for c in declared if c not in header]
    if missing:
        found.append(f"missing column(s): {', '.join(missing)}")
    elif header[: len(declared)] != declared:
        found.append(
            f"columns not in the contract's order: expected {', '.join(declared)} first, "
            f"found {', '.join(header[: len(declared)])}"
        )
    for column in (c for c in table.columns if c.name in header):
        values = frame[column.name].astype(str)
        blank = values.str.strip() == ""
        if column.required and blank.any():
            found.append(f"{column.name}: blank in a required column at row {_rows(blank)}")
        valid, what = VALID[column.kind]
        # each distinct value tested once (a month's usage repeats its values thousands of times)
        invalid = [v for v in values[~blank].unique() if not valid(v)] if column.kind != TEXT else []
        wrong = values.isin(invalid)
        if wrong.any():
            examples = ", ".join(repr(v) for v in values[wrong].head(_SHOWN))
            found.append(
                f"{column.name}: {int(wrong.sum())} value(s) not {what}: {examples} at row {_rows(wrong)}"
            )
    if table.key and all(k in header for k in table.key):
        repeated = frame.duplicated(list(table.key), keep=False)
        if repeated.any():
            first = frame.loc[repeated, list(table.key)].iloc[0]
            same = (frame[list(table.key)] == first).all(axis=1)
            found.append(
                f"key ({', '.join(table.key)}) not unique: {int(repeated.sum())} rows share a key, "
                f"e.g. {' / '.join(map(str, first))} at row {_rows(same)}"
            )
    return found


def read_csv(path: Path) -> pd.DataFrame:
    """A contract table as text, blanks as "" (as other tools read it), formula-like text without
    the apostrophe that kept it text in a spreadsheet (`pipeline.core.tables.for_csv`)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in frame.columns:
        quoted = frame[column].str.startswith("'")
        if quoted.any():  # rare: only those cells are looked at again
            frame[column] = frame[column].where(~quoted, frame[column][quoted].map(from_csv_text))
    return frame


def check_csv(table: Table, path: Path) -> list[str]:
    """`violations` of the CSV at `path`; a missing or headerless file is one."""
    if not path.exists():
        return [f"{path.name} is missing"]
    try:
        frame = read_csv(path)
    except pd.errors.EmptyDataError:
        return [f"{path.name} is empty (no header)"]
    return violations(table, frame)
