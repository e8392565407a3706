"""Publications of a month: the 信息简报 PDF and the static site."""

from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from assets.month import by_month, history
from assets.partitions import months
from assets.resources import KacSettings
from pipeline.bulletin import bulletin_content, publish_bulletin
from pipeline.months import from_partition_key
from pipeline.progress import progress
from pipeline.site import build_home, publish_month, publish_problems

PUBLICATIONS_GROUP = "publications"


@asset(
    group_name=PUBLICATIONS_GROUP,
    partitions_def=months,
    ins={"usage_history": history("usage")},
    kinds={"pdf"},
    description="信息简报(PDF/A-3b,附本月数据表)",
)
def bulletin(
    context: AssetExecutionContext,
    settings: KacSettings,
    volumes: dict[str, pd.DataFrame],
    submissions: pd.DataFrame,
    usage_history,
) -> dict:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    content = bulletin_content(month, ref, volumes, submissions, by_month(usage_history, month))
    tables = settings.layout.tables(month)
    attachments = [tables / f"{name}.csv" for name in ("usage", "volumes", "submissions", "problems")]
    pdf, version, is_new = publish_bulletin(content, settings.layout.bulletins(month), attachments)
    progress.info("  信息简报:第%d版%s", version, "(新版本)" if is_new else "(内容未变,沿用)")
    context.add_output_metadata(
        {"pdf": MetadataValue.path(str(pdf)), "version": version, "new_version": is_new}
    )
    return {"content": content, "version": version, "pdf": str(pdf)}


@asset(
    group_name=PUBLICATIONS_GROUP,
    partitions_def=months,
    kinds={"html"},
    description="静态网站:首页与本月页面(可从共享文件夹直接打开)",
)
def site(
    context: AssetExecutionContext,
    settings: KacSettings,
    bulletin: dict,
    problems: pd.DataFrame,
    rejected_rows: pd.DataFrame,
) -> str:
    root = settings.layout.site
    content = bulletin["content"]
    page = publish_month(root, content, bulletin["version"], Path(bulletin["pdf"]))
    publish_problems(root, content, problems, rejected_rows)
    home = build_home(root)
    progress.info("  网站:%s", page.relative_to(root))
    context.add_output_metadata(
        {"home": MetadataValue.path(str(home)), "month_page": MetadataValue.path(str(page))}
    )
    return str(home)
