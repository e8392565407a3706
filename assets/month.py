"""Month assets: the counties' intakes combined, then the volume tables."""

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetOut,
    MetadataValue,
    Output,
    TimeWindowPartitionMapping,
    asset,
    multi_asset,
)

from assets.counties import county_key
from assets.partitions import months
from assets.resources import KacSettings
from pipeline.analytics.tiers import key_accounts
from pipeline.analytics.trailing import months_with_data
from pipeline.analytics.volumes import volume_tables
from pipeline.core.contract import PROBLEMS, PROGRESS, REJECTED_ROWS, SUBMISSIONS, USAGE, VOLUMES
from pipeline.core.months import from_partition_key
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.feedback.chase import beijing_today, chase_list, chase_markdown
from pipeline.ingest.county import USAGE_COLUMNS, CountyIntake
from pipeline.ingest.files import county_files, unknown_file_problems
from pipeline.ingest.guards import guard, nothing_accepted
from pipeline.ingest.month import combine
from pipeline.ingest.submissions import STATUS_LABELS, submissions_table
from pipeline.publish.corrections import published_content
from pipeline.publish.problem_report import write_problem_workbook
from pipeline.publish.snapshot import take_snapshot

MONTH_GROUP = "month"
HISTORY_MONTHS = 12  # YoY needs the same month last year; the trend shows 13 months


def history(key: str, months_before: int = HISTORY_MONTHS) -> AssetIn:
    """`key` for this month and the `months_before` before it (absent before the first month)."""
    return AssetIn(
        key,
        partition_mapping=TimeWindowPartitionMapping(
            start_offset=-months_before, end_offset=0, allow_nonexistent_upstream_partitions=True
        ),
    )


def by_month(partitions, month: str) -> dict[str, pd.DataFrame]:
    """A windowed input by YYYY-MM. The IO manager hands over a bare value, not a dict,
    when the window holds only the month itself (the first month)."""
    if not isinstance(partitions, dict):
        return {month: partitions}
    return {from_partition_key(k): v for k, v in partitions.items()}


def usage_months(usage_history, month: str) -> dict[str, pd.DataFrame]:
    """The usage window by YYYY-MM, the earlier months without data left out (months_with_data)."""
    return months_with_data(by_month(usage_history, month), month)


def month_intake_asset(county_codes: list[str]):
    @multi_asset(
        outs={
            "usage": AssetOut(
                group_name=MONTH_GROUP, description="本月采用的用邮明细(含来源文件、工作表、行号)"
            ),
            "submissions": AssetOut(group_name=MONTH_GROUP, description="各县(市)报送状态"),
            "problems": AssetOut(
                group_name=MONTH_GROUP,
                description="本月全部问题(文件、工作表、单元格、原值、处理意见)",
            ),
            "archive_updates": AssetOut(group_name=MONTH_GROUP, description="本月报送的客户档案新增与变更"),
            "rejected_rows": AssetOut(group_name=MONTH_GROUP, description="未采用的行及其原始内容(隔离区)"),
            "visits": AssetOut(group_name=MONTH_GROUP, description="本月走访记录"),
            "progress_reports": AssetOut(
                group_name=MONTH_GROUP, description="各县(市)报送的工作进展、存在问题与需协调事项"
            ),
            "case_updates": AssetOut(
                group_name=MONTH_GROUP, description="本月报送的投诉、查询、理赔(新受理的与办结的)"
            ),
        },
        ins={county_key(code).path[0]: AssetIn(county_key(code)) for code in county_codes},
        partitions_def=months,
    )
    def month_intake(context: AssetExecutionContext, settings: KacSettings, **counties: CountyIntake):
        month = from_partition_key(context.partition_key)
        history = context.run.job_name == "month_analytics"  # tables only: no publication, no site
        in_process = context.job_def.executor_def.name == "in_process"  # this process is the run
        take_snapshot(settings.layout, month, context.run.run_id, not history, holds_run=in_process)
        ref = settings.reference()
        intakes = [counties[county_key(code).path[0]] for code in county_codes]
        _, unknown = county_files(settings.layout.month_inputs(month), ref)
        combined = combine(intakes, unknown_file_problems(unknown))
        submissions = submissions_table(intakes, ref.county_names)
        # before any table is written: a county the published version used and this run would
        # drop is a folder mistake until the operator says otherwise (pipeline.guards)
        published = published_content(settings.layout.bulletins(month))
        guard(month, published, submissions.to_dict("records"), context.run.tags)
        if not history:  # a history month may predate the centre's data
            nothing_accepted(month, submissions.to_dict("records"))
        folder = settings.layout.tables(month)
        write_table(combined.usage, folder, USAGE)
        write_table(submissions, folder, SUBMISSIONS)
        write_table(combined.problems, folder, PROBLEMS)
        write_table(combined.quarantine, folder, REJECTED_ROWS)
        write_table(combined.progress, folder, PROGRESS)
        write_table(combined.problems, settings.layout.problems(month), PROBLEMS)
        write_problem_workbook(settings.layout.problems(month), month, combined.problems, submissions)
        deadline_day = int(ref.rules.for_month(month).get("submission.deadline_day"))
        chase = chase_list(submissions, combined.problems, ref.county_contacts)
        status_counts = submissions.status.map(STATUS_LABELS).value_counts().to_dict()
        progress.info(
            "  读表汇总:采用 %d 行,读表问题 %d 条,%s(新揽收、对账等问题随后核对,见问题清单)",
            len(combined.usage),
            len(combined.problems),
            ",".join(f"{k} {v}" for k, v in status_counts.items()),
        )
        yield Output(
            combined.usage[USAGE_COLUMNS],
            output_name="usage",
            metadata={
                "rows": len(combined.usage),
                "path": MetadataValue.path(str(folder / "usage.csv")),
            },
        )
        yield Output(
            submissions,
            output_name="submissions",
            metadata={
                "by_county": MetadataValue.md(
                    submissions[["county", "status", "rows", "errors", "warnings"]].to_markdown(index=False)
                ),
                # 催报: who must send (again), whom to call (notices: the feedback asset)
                "chase": MetadataValue.md(chase_markdown(chase, month, deadline_day, beijing_today())),
            },
        )
        yield Output(combined.problems, output_name="problems", metadata={"problems": len(combined.problems)})
        yield Output(
            combined.archive,
            output_name="archive_updates",
            metadata={"rows": len(combined.archive)},
        )
        yield Output(combined.visits, output_name="visits", metadata={"rows": len(combined.visits)})
        yield Output(combined.cases, output_name="case_updates", metadata={"rows": len(combined.cases)})
        yield Output(
            combined.progress,
            output_name="progress_reports",
            metadata={"counties": combined.progress.county.nunique()},
        )
        yield Output(
            combined.quarantine, output_name="rejected_rows", metadata={"rows": len(combined.quarantine)}
        )

    return month_intake


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={"usage_history": history("usage")},
    description="用邮量与收入:分县(市)×业务种类、分业务、分县、分客户,含环比与同比",
)
def volumes(
    context: AssetExecutionContext, settings: KacSettings, usage_history, tiers: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    month = from_partition_key(context.partition_key)
    key = pd.Index(key_accounts(tiers).customer_id)
    tables = volume_tables(usage_months(usage_history, month), month, key)
    folder = settings.layout.tables(month)
    write_table(tables["county_business"], folder, VOLUMES)
    write_table(tables["business"], folder, "volumes_by_business")
    write_table(tables["county"], folder, "volumes_by_county")
    write_table(tables["customer"], folder, "volumes_by_customer")
    write_table(tables["total"], folder, "volumes_total")
    context.add_output_metadata(
        {
            "rows": len(tables["county_business"]),
            "path": MetadataValue.path(str(folder / "volumes.csv")),
        }
    )
    return tables
