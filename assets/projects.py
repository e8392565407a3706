"""Marketing projects (项目登记): the register as an observed source, the month's project results
(projects.csv), and at a cycle's end the evaluation PDF with the next cycle's draft row."""

import pandas as pd
from dagster import (
    AssetDep,
    AssetExecutionContext,
    DataVersion,
    DataVersionsByPartition,
    MetadataValue,
    asset,
    observable_source_asset,
)

from assets.analytics import TIER_HISTORY, previous
from assets.month import MONTH_GROUP, by_month, history, usage_months
from assets.partitions import months
from assets.resources import KacSettings
from assets.sources import SOURCES_GROUP
from pipeline.analytics.projects import cadence, project_results
from pipeline.core.contract import PROJECTS
from pipeline.core.digest import files_digest
from pipeline.core.months import from_partition_key, year_of
from pipeline.core.problems import to_frame
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.ingest.projects import read_register, register_files, years_read
from pipeline.ingest.submissions import unaccepted_counties
from pipeline.publish.projects import project_section, write_evaluations

PROJECTS_OUTPUT = "projects"  # outputs/projects/YYYY-MM/: evaluations and draft rows


@observable_source_asset(
    group_name=SOURCES_GROUP,
    partitions_def=months,
    description="项目登记 inputs/projects/项目登记_YYYY.xlsx:中心与各县(市)的营销项目(周期、目标客户、目标);"
    "一个月读本年与上年的登记表",
)
def project_register(settings: KacSettings) -> DataVersionsByPartition:
    inputs = settings.layout.inputs
    return DataVersionsByPartition(
        {
            key: DataVersion(files_digest(register_files(inputs, years_read(from_partition_key(key)))))
            for key in months.get_partition_keys()
        }
    )


def cadence_rules(rules) -> dict[str, tuple[int, int]]:
    return {unit: tuple(rules.get(f"projects.cadence_{unit}")) for unit in ("centre", "county")}


def cadence_due_month(rules) -> int:
    """The month of the year from which a unit short of its plans is 不足 (before it: 待报)."""
    return int(rules.get("projects.cadence_due_month"))


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    deps=[AssetDep("project_register"), AssetDep("reference_data")],
    ins={
        "usage_history": history("usage", TIER_HISTORY),
        "tiers_history": history("tiers", TIER_HISTORY),
        "submissions_history": history("submissions", TIER_HISTORY),  # months a county is unknown
        "previous_projects": previous("projects"),  # ended projects keep their result
    },
    description="营销项目:项目登记表校验(问题定位到单元格),本年度各项目周期内收入、新增业务、"
    "转化客户与新增大客户,对比周期前同长度的基线;年度方案数对照要求",
)
def projects(
    context: AssetExecutionContext,
    settings: KacSettings,
    usage_history,
    tiers_history,
    submissions_history,
    customer_archive: pd.DataFrame,
    previous_projects: dict | None,
) -> dict:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    register, rejected, problems = read_register(settings.layout.inputs, ref, month)
    frame, details, warnings = project_results(
        register,
        month,
        usage_months(usage_history, month),
        by_month(tiers_history, month),
        customer_archive,
        ref.business_order,
        unaccepted_counties(by_month(submissions_history, month)),
        previous_projects["table"] if previous_projects else None,
    )
    problems += warnings
    folder = settings.layout.tables(month)
    write_table(frame, folder, PROJECTS)
    write_table(rejected, folder, "project_rejected_rows", list(rejected.columns))
    rules = ref.rules.for_month(month)
    rows = cadence(register, month, ref.county_names, cadence_rules(rules), cadence_due_month(rules))
    if not register_files(settings.layout.inputs, {year_of(month)}):
        progress.warning(
            "  项目登记:未找到 %s 年的项目登记表(inputs/projects/项目登记_%s.xlsx),本年方案数按 0 计",
            year_of(month),
            year_of(month),
        )
    section = project_section(frame, rows, year_of(month))
    if len(rejected):
        progress.warning("  项目登记:%d 行未采用(见问题清单)", len(rejected))
    context.add_output_metadata(
        {
            "projects": len(frame),
            "ending": len(section["ending"]),
            "rejected_rows": len(rejected),
            "problems": len(problems),
            "files": MetadataValue.json(
                [p.name for p in register_files(settings.layout.inputs, years_read(month))]
            ),
        }
    )
    return {"table": frame, "details": details, "problems": to_frame(problems), "section": section}


@asset(
    group_name="publications",
    partitions_def=months,
    kinds={"pdf"},
    description="评估绩效项目效果:周期在本月结束的项目,评估 PDF(目标与结果、争取到的客户、逐月收入与基线)"
    "与下一周期项目登记草稿(xlsx),写入 outputs/projects/YYYY-MM/",
)
def project_evaluations(
    context: AssetExecutionContext, settings: KacSettings, projects: dict, customer_archive: pd.DataFrame
) -> list[str]:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    names = customer_archive.set_index("customer_id").name
    managers = ref.manager_names
    folder = settings.layout.outputs / PROJECTS_OUTPUT / month  # in the snapshot (publish.snapshot)
    written = write_evaluations(folder, month, projects["details"], names, managers)
    for path in written:
        progress.info("  项目评估:%s", path)
    context.add_output_metadata({"folder": MetadataValue.path(str(folder)), "files": len(written)})
    return [str(p) for p in written]
