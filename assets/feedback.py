"""Feedback to the counties: their workbooks returned with every problem marked, and a notice to
each county that must send (again). Made after pay, where the month's problems are complete."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from assets.partitions import months
from assets.resources import KacSettings
from pipeline.core.months import from_partition_key
from pipeline.core.progress import progress
from pipeline.feedback.chase import beijing_today, chase_markdown
from pipeline.feedback.month import write_month_feedback

FEEDBACK_GROUP = "publications"


@asset(
    group_name=FEEDBACK_GROUP,
    partitions_def=months,
    kinds={"excel"},
    description="问题反馈与催报:有问题的县(市)各一份标注问题的报表(问题反馈.xlsx),"
    "需报送或重新报送的县(市)各一份通知(通知.txt),写入 outputs/feedback/YYYY-MM/",
)
def feedback(
    context: AssetExecutionContext, settings: KacSettings, pay: dict, submissions: pd.DataFrame
) -> dict:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    deadline_day = int(ref.rules.for_month(month).get("submission.deadline_day"))
    today = beijing_today()
    made = write_month_feedback(
        settings.layout.feedback(month),
        month,
        settings.layout.month_inputs(month),
        submissions,
        pay["problems"],
        ref.county_contacts,
        deadline_day,
        today,
    )
    progress.info(
        "  问题反馈:%d 个县(市),催报通知 %d 份:%s", len(made.workbooks), len(made.notices), made.folder
    )
    context.add_output_metadata(
        {
            "folder": MetadataValue.path(str(made.folder)),
            "workbooks": len(made.workbooks),
            "notices": len(made.notices),
            "rebuilt": "、".join(made.rebuilt) or "—",
            "chase": MetadataValue.md(chase_markdown(made.chase, month, deadline_day, today)),
        }
    )
    return {"workbooks": made.workbooks, "notices": made.notices}
