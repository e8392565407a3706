"""Publications of a month: the content, its edition (version), the PDFs and the site."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from assets.month import history, usage_months
from assets.partitions import months
from assets.resources import KacSettings
from assets.sources import ALL_SURVEYS, ALL_TABLES
from pipeline.analytics.alerts import short_history
from pipeline.analytics.quarterly import is_quarter_end, render_quarterly
from pipeline.core.months import from_partition_key
from pipeline.core.progress import progress
from pipeline.ingest.guards import guard
from pipeline.publish.bulletin import (
    alert_wording,
    held_pay,
    month_content,
    records,
    render_brief,
    render_bulletin,
    scorecard_ranking,
)
from pipeline.publish.centres import centre_section
from pipeline.publish.corrections import published_content
from pipeline.publish.issue import issue_edition, render_once, with_notes
from pipeline.site.build import build_site
from pipeline.surveys.survey import wave_end_month

PUBLICATIONS_GROUP = "publications"
ATTACHED_TABLES = ("usage", "volumes", "tiers", "alerts", "cases", "submissions", "problems")
ATTACHED_IF_PRESENT = ("reconciliation",)  # 对账差异, in a month with a system export


@asset(
    group_name=PUBLICATIONS_GROUP,
    partitions_def=months,
    ins={"usage_history": history("usage")},
    description="本月简报内容(数字、表格、名单),信息简报、信息参考与网站共用",
)
def month_content_data(
    context: AssetExecutionContext,
    settings: KacSettings,
    volumes: dict,
    submissions: pd.DataFrame,
    usage_history,
    tiers: pd.DataFrame,
    alerts: pd.DataFrame,
    visit_coverage: dict,
    customer_archive: pd.DataFrame,
    survey_headlines: dict,
    scorecards_table: pd.DataFrame,
    cases: pd.DataFrame,
    progress_reports: pd.DataFrame,
    reconciliation: dict,
    market: dict,
    projects: dict,
    centre_scorecards: dict,
    pay: dict,
) -> dict:
    month = from_partition_key(context.partition_key)
    content = month_content(
        month,
        settings.reference(),
        volumes,
        submissions,
        usage_months(usage_history, month),
        tiers,
        alerts,
        visit_coverage["by_county"],
        customer_archive,
        cases,
        progress_reports,
        pay["problems"],  # the month's problems, complete only once pay is computed (no amount)
    )
    rules = settings.reference().rules.for_month(month)
    content["alerts"]["short_history"] = len(
        short_history(usage_months(usage_history, month), month, tiers, rules)
    )
    ended = [h for wave, h in sorted(survey_headlines.items()) if wave_end_month(wave) <= month]
    content["survey"] = {k: v for k, v in ended[-1].items() if k != "report"} if ended else None
    bands = rules.get("scorecard").get("bands", {})
    content["ranking"] = scorecard_ranking(scorecards_table, bands)
    content["pay_held"] = held_pay(scorecards_table)
    if reconciliation["note"] is not None:  # only with an export: a month without one states what it did
        content["reconciliation"] = reconciliation["note"]
    content["market"] = market["content"]  # 叠加使用, 浮动定价, 市场研究
    content["projects"] = projects["section"]
    content["centres"] = centre_section(centre_scorecards, rules.get("county_scorecard.weights"))
    context.add_output_metadata({"revenue_fen": content["total"]["revenue_fen"] or 0})
    return content


@asset(
    group_name=PUBLICATIONS_GROUP,
    partitions_def=months,
    description="本月发布版本:内容变化才出新版(第2版…),内容不变沿用原版本",
)
def edition(
    context: AssetExecutionContext,
    settings: KacSettings,
    month_content_data: dict,
    quarterly_usage: pd.DataFrame,
    pay: dict,
) -> dict:
    month = from_partition_key(context.partition_key)
    folder = settings.layout.bulletins(month)
    # month_intake already stopped a folder mistake; checked again here so that no selection of
    # assets (a UI materialisation from the stored intake) publishes one
    guard(month, published_content(folder), month_content_data["submissions"], context.run.tags)
    pay_lines = pay["lines"].astype(str).to_dict("records")
    reference = settings.reference().file_digests
    issued = issue_edition(folder, month, month_content_data, records(quarterly_usage), pay_lines, reference)
    progress.info("  发布版本:第%d版%s", issued.version, "(新版本)" if issued.new else "(内容未变,沿用)")
    context.add_output_metadata(
        {"version": issued.version, "new_version": issued.new, "content_hash": issued.digest}
    )
    return issued.as_dict()


@asset(
    group_name=PUBLICATIONS_GROUP,
    partitions_def=months,
    kinds={"pdf"},
    description="信息简报(PDF/A-3b,附本月数据表 CSV)",
)
def bulletin(
    context: AssetExecutionContext, settings: KacSettings, month_content_data: dict, edition: dict
) -> dict:
    month = from_partition_key(context.partition_key)
    tables = settings.layout.tables(month)
    attachments = [tables / f"{name}.csv" for name in ATTACHED_TABLES]
    attachments += [tables / f"{n}.csv" for n in ATTACHED_IF_PRESENT if n in month_content_data]
    wording = alert_wording(settings.reference().rules.for_month(month))
    files = render_once(
        settings.layout.bulletins(month),
        edition,
        "bulletin",
        lambda folder: [
            render_bulletin(
                with_notes(month_content_data, edition), edition["version"], folder, attachments, wording
            )
        ],
    )
    context.add_output_metadata({"pdf": MetadataValue.path(files["bulletin"])})
    return files


@asset(
    group_name=PUBLICATIONS_GROUP,
    partitions_def=months,
    kinds={"pdf"},
    description="信息参考(供领导决策,不超过两页)",
)
def brief(
    context: AssetExecutionContext, settings: KacSettings, month_content_data: dict, edition: dict
) -> dict:
    month = from_partition_key(context.partition_key)
    wording = alert_wording(settings.reference().rules.for_month(month))
    files = render_once(
        settings.layout.bulletins(month),
        edition,
        "brief",
        lambda folder: [
            render_brief(with_notes(month_content_data, edition), edition["version"], folder, wording)
        ],
    )
    context.add_output_metadata({"pdf": MetadataValue.path(files["brief"])})
    return files


@asset(
    group_name=PUBLICATIONS_GROUP,
    partitions_def=months,
    kinds={"pdf", "excel"},
    description="大客户用邮情况表(季末月份:PDF 与 xlsx,按县分节)",
)
def quarterly_report(
    context: AssetExecutionContext,
    settings: KacSettings,
    month_content_data: dict,
    edition: dict,
    quarterly_usage: pd.DataFrame,
) -> dict:
    month = from_partition_key(context.partition_key)
    if not is_quarter_end(month):
        context.add_output_metadata({"quarter_end": False})
        return {}
    files = render_once(
        settings.layout.bulletins(month),
        edition,
        "quarterly",
        lambda folder: list(
            render_quarterly(quarterly_usage, month_content_data, edition["version"], folder)
        ),
    )
    context.add_output_metadata({k: MetadataValue.path(v) for k, v in files.items()})
    return files


@asset(
    group_name=PUBLICATIONS_GROUP,
    partitions_def=months,
    kinds={"html"},
    # feedback: its problems page links the counties' feedback files; project_evaluations: the
    # project pages link the month's evaluation PDFs (the site is built after they are written);
    # the survey waves: their pages (report, results, the questionnaires' problems)
    deps=[ALL_TABLES, *ALL_SURVEYS, "feedback", "project_evaluations"],
    description="静态网站:首页、各月、各县(市)、各业务种类、各大客户页面,报表问题清单与检索"
    "(可从共享文件夹直接打开;新版本整体替换,只重写内容有变化的页面)",
)
def site(
    context: AssetExecutionContext,
    settings: KacSettings,
    bulletin: dict,
    brief: dict,
    quarterly_report: dict,
) -> str:
    """Rebuilt from the published outputs after this month's publications are written."""
    built = build_site(settings.layout, settings.reference())
    home = settings.layout.site / "index.html"
    context.add_output_metadata(
        {
            "home": MetadataValue.path(str(home)),
            "release": MetadataValue.path(str(built.release)),
            "pages": built.pages,
            "pages_rendered": built.rendered,
            "files_removed": built.removed,
            "seconds": round(built.seconds, 2),
        }
    )
    return str(home)
