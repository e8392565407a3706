"""Each manager's to-do list (工作清单) and the key persons' birthdays it needs. Thin wiring: the
work is in pipeline.analytics.todo, pipeline.surveys.followup and pipeline.publish.todo."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from assets.analytics import previous
from assets.month import MONTH_GROUP, by_month, history
from assets.partitions import months
from assets.resources import KacSettings
from pipeline.analytics.todo import (
    birthday_register,
    planned_by_manager,
)
from pipeline.core.months import from_partition_key, next_month, shift, year_of
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.ingest.holidays import read_calendar
from pipeline.ingest.submissions import ACCEPTED
from pipeline.publish.todo import month_todo_items, stand_ins, write_todo_lists
from pipeline.surveys.followup import WAITING, followup_status, wave_followups

TODO_GROUP = "publications"
FOLLOWUP_MONTHS = 23  # visits read back for the survey follow-ups (a follow-up older is not tracked)


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={"previous_birthdays": previous("key_person_birthdays")},
    description="关键联系人生日(仅月日):上月登记加本月客户档案所填;只用于客户经理本人的工作清单,不发布",
)
def key_person_birthdays(
    context: AssetExecutionContext, previous_birthdays, archive_updates: pd.DataFrame
) -> pd.DataFrame:
    month = from_partition_key(context.partition_key)
    out = birthday_register(previous_birthdays, archive_updates, month)
    context.add_output_metadata(
        {"key_persons": len(out), "given_this_month": int((out.changed_month == month).sum())}
    )
    return out


@asset(
    group_name=TODO_GROUP,
    partitions_def=months,
    ins={"visit_history": history("visits", FOLLOWUP_MONTHS)},
    kinds={"excel", "pdf"},
    description="客户经理工作清单(每人一份 xlsx 与 PDF,outputs/managers/YYYY-MM/):未走访大客户(预警在前)、"
    "计划未走访、未办结案件、下月节日与生日问候、待更新档案、待回访客户",
)
def todo_lists(
    context: AssetExecutionContext,
    settings: KacSettings,
    visit_history,
    tiers: pd.DataFrame,
    alerts: pd.DataFrame,
    cases: pd.DataFrame,
    customer_archive: pd.DataFrame,
    key_person_birthdays: pd.DataFrame,
    submissions: pd.DataFrame,
) -> dict:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    layout = settings.layout
    rules = ref.rules.for_month(month)
    visits_by_month = by_month(visit_history, month)
    visits = visits_by_month.get(month)
    all_visits = pd.concat(list(visits_by_month.values()), ignore_index=True)
    calendar = read_calendar(layout.reference)
    for p in calendar.problems:
        progress.warning("  节日日历:%s %s %s", p.cell, p.value, p.message)
    refresh = int(rules.get("archive.refresh_months"))
    early = int(rules.get("greetings.early_days"))
    owners = customer_archive.set_index("customer_id").manager_id
    followups = wave_followups(layout.outputs / "tables" / "surveys", month)
    followups = followups[followups.surveyed.astype(str) >= f"{shift(month, -FOLLOWUP_MONTHS)}-01"]
    status = followup_status(
        followups, all_visits, cases, month, int(rules.get("survey_followup.days")), owners[owners != ""]
    )
    roster = ref.managers_active_in(month)
    managers = pd.DataFrame(
        {
            "manager_id": roster.manager_id.to_numpy(),
            "name": roster.name.to_numpy(),
            "county": [ref.county_display(c) for c in roster.county],
        }
    )
    items = month_todo_items(
        month,
        managers,
        customer_archive,
        tiers,
        visits,
        alerts,
        cases,
        calendar.holidays,
        key_person_birthdays,
        status,
        refresh,
        set(submissions.county[~submissions.status.isin(ACCEPTED)]),
        early,
        stand_ins(roster, ref.county_display),
    )
    # the calendar of each year the greetings reach (the first days after next month, too)
    reached = [next_month(month), *([next_month(next_month(month))] if early else [])]
    years_missing = sorted({year_of(m) for m in reached if not calendar.covers(year_of(m))})
    if years_missing:
        progress.warning(
            "  节日日历:没有 %s 年的节日,工作清单不列该年的节日问候;请补充 %s 后重新运行本月",
            "、".join(map(str, years_missing)),
            "inputs/reference/holidays.csv",
        )
    made = write_todo_lists(
        layout.managers(month), month, managers, items, years_missing, layout.restricted_todo(month)
    )
    planned = planned_by_manager(visits, month)
    write_table(planned, layout.tables(month), "planned_visits")  # counts only: no birthday
    sections = items.section.value_counts().to_dict()
    progress.info("  工作清单:%d 份(重新生成 %d 份)", made["lists"], made["written"])
    context.add_output_metadata(
        {
            **made,
            "items": MetadataValue.json(sections),
            "missed_planned_visits": int(planned.missed.sum()),
            "survey_followups_waiting": int(status.status.isin(WAITING).sum()),
            "calendar_problems": MetadataValue.json(
                [f"{p.cell} {p.value} {p.message}" for p in calendar.problems]
            ),
            "path": MetadataValue.path(str(layout.managers(month))),
        }
    )
    return {"month": month, **made, "missed_planned_visits": int(planned.missed.sum())}
