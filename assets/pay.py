"""Scorecards and pay of the account managers. Pay is restricted: written only under
outputs/restricted/, never on the site or in a bulletin."""

import pandas as pd
from dagster import AssetExecutionContext, DataVersion, MetadataValue, Output, asset

from assets.month import MONTH_GROUP, by_month, history
from assets.partitions import months
from assets.resources import KacSettings
from pipeline.assessment import assessment_file, read_assessment
from pipeline.ingest import file_sha256
from pipeline.months import from_partition_key
from pipeline.pay import pay_deltas, pay_lines, pay_summary
from pipeline.problems import to_frame
from pipeline.progress import progress
from pipeline.scorecard import ITEMS, paid_managers, scorecards
from pipeline.statements import read_pay_summary, render_statements, write_pay_tables, write_summary_workbook
from pipeline.tables import write_table

PAY_GROUP = "pay"


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    kinds={"excel"},
    description="中心月度考核评分表(市场调查、项目策划、其他、突出贡献奖)",
)
def assessment(context: AssetExecutionContext, settings: KacSettings):
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    path = assessment_file(settings.layout.month_inputs(month), ref)
    table, problems = read_assessment(path, ref, month)
    write_table(to_frame(problems), settings.layout.tables(month), "assessment_problems")
    yield Output(
        {"table": table, "found": path is not None},
        data_version=DataVersion(file_sha256([path]) if path else "missing"),
        metadata={"file": path.name if path else "—", "managers": len(table), "problems": len(problems)},
    )


def _managers(settings: KacSettings, month: str) -> pd.DataFrame:
    ref = settings.reference()
    managers = paid_managers(ref.managers_active_in(month))
    return managers.assign(county_name=managers.county.map(ref.county_display))


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={"tiers_history": history("tiers", 11), "usage_history": history("usage", 11)},
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
) -> pd.DataFrame:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    this_year = {m: f for m, f in by_month(tiers_history, month).items() if m[:4] == month[:4]}
    tiers = this_year[month]
    usage_year = [f for m, f in by_month(usage_history, month).items() if m[:4] == month[:4]]
    out = scorecards(
        month,
        ref.rules.for_month(month),
        _managers(settings, month),
        tiers,
        list(this_year.values()),
        customer_archive,
        alerts,
        visits,
        pd.concat(usage_year, ignore_index=True),
        assessment["table"],
        assessment["found"],
        ref.targets,
    )
    shown = out.assign(**{c: out[c].map(float) for c in [*ITEMS, "total"]})
    write_table(shown, settings.layout.tables(month), "scorecards", ["manager_id", *ITEMS, "total"])
    context.add_output_metadata(
        {"managers": len(out), "mean_total": round(float(shown.total.mean() or 0), 2)}
    )
    return out


@asset(
    group_name=PAY_GROUP,
    partitions_def=months,
    description="客户经理薪酬(业绩工资、营销奖励、突出贡献奖、外勤津贴),逐行可追溯",
)
def pay(
    context: AssetExecutionContext,
    settings: KacSettings,
    scorecards_table: pd.DataFrame,
    usage: pd.DataFrame,
    assessment: dict,
    customer_archive: pd.DataFrame,
) -> dict:
    month = from_partition_key(context.partition_key)
    rules = settings.reference().rules.for_month(month)
    managers = _managers(settings, month)
    names = customer_archive.set_index("customer_id").name
    lines = pay_lines(month, rules, managers, scorecards_table, usage, assessment["table"], names)
    summary = pay_summary(lines, managers)
    context.add_output_metadata({"managers": len(summary), "lines": len(lines)})  # amounts stay restricted
    return {"lines": lines, "summary": summary}


@asset(
    group_name=PAY_GROUP,
    partitions_def=months,
    kinds={"pdf"},
    description="薪酬明细(每人一份 PDF)、中心汇总表与 pay.csv,只写入 outputs/restricted/",
)
def pay_statements(
    context: AssetExecutionContext,
    settings: KacSettings,
    pay: dict,
    scorecards_table: pd.DataFrame,
    edition: dict,
) -> str:
    month = from_partition_key(context.partition_key)
    version = edition["version"]
    root = settings.layout.restricted_pay(month)
    folder = root / f"v{version}"
    if not (folder / "pay.csv").exists() or edition["new"]:
        previous_pay = read_pay_summary(root / f"v{version - 1}") if version > 1 else None
        deltas = pay_deltas(pay["summary"], previous_pay) if previous_pay is not None else pd.DataFrame()
        rules = settings.reference().rules.for_month(month)
        versions = render_statements(
            month,
            version,
            rules,
            pay["summary"],
            pay["lines"],
            scorecards_table,
            deltas,
            folder / "statements",
            previous=root / f"v{version - 1}" / "statements" if version > 1 else None,
        )
        write_summary_workbook(
            folder / f"薪酬汇总_{month}_第{version}版.xlsx",
            month,
            version,
            pay["summary"],
            pay["lines"],
            scorecards_table,
        )
        write_pay_tables(folder, pay["summary"], pay["lines"], versions)
        if not deltas.empty:
            deltas.to_csv(folder / "pay_deltas.csv", index=False, lineterminator="\n")
    issued = read_pay_summary(folder)  # each manager's statement in force in this version
    versions = dict(zip(issued.manager_id, issued.version.astype(int), strict=True))
    write_pay_tables(root, pay["summary"], pay["lines"], versions)  # the latest version, as the contract says
    progress.info("  薪酬明细:%d 人,第%d版(仅限 restricted 目录)", len(pay["summary"]), version)
    context.add_output_metadata({"folder": MetadataValue.path(str(folder)), "version": version})
    return str(folder)
