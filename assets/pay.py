"""Scorecards and pay of the account managers. Pay is restricted: written only under
outputs/restricted/, never on the site or in a bulletin."""

from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, DataVersion, Failure, MetadataValue, Output, asset

from assets.analytics import previous
from assets.month import HISTORY_MONTHS, MONTH_GROUP, by_month, history, usage_months
from assets.partitions import months
from assets.resources import KacSettings
from assets.sources import ASSESSMENT_DEPS
from pipeline.analytics.cases import case_problems
from pipeline.core.contract import SCORECARDS
from pipeline.core.months import from_partition_key, same_year
from pipeline.core.problems import to_frame
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.ingest.assessment import read_assessment
from pipeline.ingest.files import assessment_files, bytes_sha256, file_sha256
from pipeline.ingest.submissions import ACCEPTED, unaccepted_counties
from pipeline.pay.claims import claim_problems, window_months
from pipeline.pay.issue import issue_pay
from pipeline.pay.month import (
    counties_then,
    held_counties,
    month_pay,
    paid_staff,
    unused_rows,
)
from pipeline.pay.release import (
    confirmers,
    read_confirmation,
)
from pipeline.pay.scorecard import ITEMS, accepted_months, restrict_scorecards, scorecards
from pipeline.publish.problem_report import write_month_problems

PAY_GROUP = "pay"


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    deps=ASSESSMENT_DEPS,
    kinds={"excel"},
    description="中心月度考核评分表(市场调查、项目策划、其他、突出贡献奖)",
)
def assessment(context: AssetExecutionContext, settings: KacSettings):
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    paths = assessment_files(settings.layout.month_inputs(month), ref)
    table, problems = read_assessment(paths, ref, month)
    names = "、".join(p.name for p in paths)
    if not paths:
        progress.warning("  考核评分表:本月未找到,全部客户经理的业绩工资暂缓发放(补报后重新运行本月)")
    elif len(paths) > 1:
        progress.warning(
            "  考核评分表:收到 %d 个(%s),均未采用,业绩工资暂缓发放(只保留一个后重新运行本月)",
            len(paths),
            names,
        )
    yield Output(
        {
            "table": table,
            "found": len(paths) == 1,
            "problems": to_frame(problems),
            "sha256": bytes_sha256(paths),
        },
        data_version=_file_version(*paths),
        metadata={"file": names or "—", "managers": len(table), "problems": len(problems)},
    )


def _file_version(*paths: Path | None) -> DataVersion:
    """Files read by a step: their names and bytes are their version (Dagster sees them change)."""
    found = [p for p in paths if p is not None]
    return DataVersion(file_sha256(found) if found else "missing")


# a month without a readable 考核评分 sheet pays nobody's performance pay: it cannot be released
NO_ASSESSMENT = "本月考核评分表缺失或无法读取,薪酬只能为草稿,请中心补报考核评分表后重新运行本月,再由主任确认"


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={
        "tiers_history": history("tiers", 11),
        "usage_history": history("usage", 11),
        "submissions_history": history("submissions", 11),  # which months each county was accepted
    },
    description="客户经理考核评分卡(八项指标,权重取自规则文件;每项有实测值、得分与计算说明)",
)
def scorecards_table(
    context: AssetExecutionContext,
    settings: KacSettings,
    tiers_history,
    usage_history,
    customer_archive: pd.DataFrame,
    alerts: pd.DataFrame,
    visits: pd.DataFrame,
    assessment: dict,
    submissions_history,
    projects: dict,
) -> pd.DataFrame:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    this_year = {m: f for m, f in by_month(tiers_history, month).items() if same_year(m, month)}
    tiers = this_year[month]
    usage_year = [f for m, f in usage_months(usage_history, month).items() if same_year(m, month)]
    submissions_year = {m: f for m, f in by_month(submissions_history, month).items() if same_year(m, month)}
    submissions = submissions_year[month]
    out = scorecards(
        month,
        ref.rules.for_month(month),
        paid_staff(ref, month),
        tiers,
        list(this_year.values()),
        customer_archive,
        alerts,
        visits,
        pd.concat(usage_year, ignore_index=True),
        assessment["table"],
        assessment["found"],
        ref.targets,
        county_held=held_counties(ref, submissions),
        projects=projects["table"],
        county_names=ref.county_names,
        accepted_months=accepted_months(submissions_year, ref.county_names.values(), ACCEPTED),
        counties_then=counties_then(ref, list(submissions_year)),
    )
    shown = out.assign(**{c: out[c].map(float) for c in [*ITEMS, "total", "possible"]})
    write_table(shown, settings.layout.restricted_pay(month), SCORECARDS)
    restrict_scorecards(settings.layout)  # where versions before this one kept them
    held = out[out.held != ""]
    for why, group in held.groupby("held", sort=False):  # one line for a reason many share
        names = "、".join(f"{r.manager_id} {r.name}" for r in group.itertuples())
        shown = names if len(group) <= 3 else f"{len(group)} 人"
        progress.warning("  考核暂缓:%s(%s)", shown, why)
    context.add_output_metadata({"managers": len(out), "held": len(held)})  # scores stay restricted
    return out


@asset(
    group_name=PAY_GROUP,
    partitions_def=months,
    # the 新揽收 window, at most; last month's cases, against which this month's are matched
    ins={
        "usage_history": history("usage", HISTORY_MONTHS),
        "submissions_history": history("submissions", HISTORY_MONTHS),  # which of them can be trusted
        "previous_cases": previous("cases"),
    },
    description="客户经理薪酬(业绩工资、营销奖励、突出贡献奖、外勤津贴),逐行可追溯;新揽收须经核实",
)
def pay(
    context: AssetExecutionContext,
    settings: KacSettings,
    scorecards_table: pd.DataFrame,
    usage_history,
    assessment: dict,
    customer_archive: pd.DataFrame,
    submissions_history,
    problems: pd.DataFrame,
    reconciliation: dict,
    projects: dict,
    case_updates: pd.DataFrame,
    previous_cases,
    rejected_rows: pd.DataFrame,
) -> dict:
    month, ref = from_partition_key(context.partition_key), settings.reference()
    if window_months(ref.rules.for_month(month)) > HISTORY_MONTHS:
        raise Failure(f"规则 pay.new_business_window_months 超过 {HISTORY_MONTHS} 个月,无法核实新揽收")
    names = customer_archive.set_index("customer_id").name
    sent = by_month(submissions_history, month)
    submissions = sent[month]
    held = held_counties(ref, submissions)
    usage = usage_months(usage_history, month)
    unaccepted = unaccepted_counties(sent)  # the claims' window, and a late case's month
    paid = month_pay(
        month, ref, scorecards_table, usage, assessment["table"], names, held, unaccepted, assessment["found"]
    )
    claims, lines, summary = paid.claims, paid.lines, paid.summary
    unpaid = claim_problems(claims, ref.manager_names)
    parts = [problems, assessment["problems"], to_frame(unpaid), projects["problems"]]
    parts.append(reconciliation["problems"])  # 对账 warnings (assets.reconciliation)
    parts.append(
        to_frame(case_problems(previous_cases, case_updates, month, unaccepted))
    )  # not taken by `cases`
    layout = settings.layout
    complete = write_month_problems(layout.tables(month), layout.problems(month), month, parts, submissions)
    write_table(claims, settings.layout.restricted_pay(month), "new_business_claims")
    context.add_output_metadata(  # amounts stay restricted
        {
            "managers": len(summary),
            "lines": len(lines),
            "claims_rewarded": int(claims.rewarded.sum()),
            "claims_not_rewarded": int((~claims.rewarded).sum()),
            "held": int((summary.held != "").sum()),
        }
    )
    # the month's problems, complete only here: the feedback to the counties is made from them
    return {
        "lines": lines,
        "summary": summary,
        "claims": claims,
        "unused_rows": unused_rows(rejected_rows, customer_archive),
        "problems": complete,
        "release_blocked": "" if not assessment["table"].empty else NO_ASSESSMENT,
        # the 考核评分 the pay was computed from (`kac status`: changed since?)
        "assessment_sha256": assessment.get("sha256"),
    }


@asset(
    group_name=PAY_GROUP,
    partitions_def=months,
    kinds={"file"},
    description="主任对本月考核结果的确认文件(inputs/confirmations/,kac confirm 生成)",
)
def pay_confirmation(context: AssetExecutionContext, settings: KacSettings):
    month = from_partition_key(context.partition_key)
    path = settings.layout.confirmation(month)
    found = read_confirmation(path)
    yield Output(
        found,
        data_version=_file_version(path if path.exists() else None),
        metadata={"file": str(path) if path.exists() else "—"},
    )


@asset(
    group_name=PAY_GROUP,
    partitions_def=months,
    kinds={"pdf"},
    description="薪酬明细(每人一份 PDF)、中心汇总表与 pay.csv,只写入 outputs/restricted/;主任确认前为草稿",
)
def pay_statements(
    context: AssetExecutionContext,
    settings: KacSettings,
    pay: dict,
    scorecards_table: pd.DataFrame,
    edition: dict,
    pay_confirmation,
) -> str:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    root = settings.layout.restricted_pay(month)
    allowed = confirmers(ref.managers_active_in(month))
    # after the edition: a month refused by its guards (assets.publications) issues no pay
    issued = issue_pay(
        root, month, edition, pay, scorecards_table, pay_confirmation, ref.rules.for_month(month), allowed
    )
    progress.info(
        "  薪酬明细:第%d版(%s),%s:%s", issued.version, issued.state_label, issued.said, issued.folder
    )
    if not issued.released:
        progress.warning("  薪酬明细为草稿:%s", issued.note)
    if issued.warning:
        progress.warning("  %s", issued.warning)
    context.add_output_metadata(
        {
            "folder": MetadataValue.path(str(issued.folder)),
            "version": issued.version,
            "state": issued.state_label,
            "note": issued.note,
        }
    )
    return str(issued.folder)
