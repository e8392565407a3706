"""The Dagster definitions, assembled in one place (`dagster dev` finds them via pyproject)."""

from __future__ import annotations

from pathlib import Path

from dagster import (
    AssetSelection,
    Definitions,
    ExecutorDefinition,
    FilesystemIOManager,
    build_schedule_from_partitioned_job,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
)

from assets.analytics import alerts, cases, customer_archive, quarterly_usage, tiers, visit_coverage
from assets.centres import centre_scorecards
from assets.checks import contract_checks
from assets.counties import COUNTIES_GROUP, county_asset
from assets.feedback import feedback
from assets.market import market
from assets.month import MONTH_GROUP, month_intake_asset, volumes
from assets.pay import assessment, pay, pay_confirmation, pay_statements, scorecards_table
from assets.projects import project_evaluations, project_register, projects
from assets.publications import brief, bulletin, edition, month_content_data, quarterly_report, site
from assets.reconciliation import reconciliation
from assets.resources import KacSettings, default_inputs, default_outputs
from assets.sensors import county_files_sensor, published_month_guards
from assets.sources import (
    computed_tables,
    month_workbooks,
    observe_jobs,
    reference_data,
    sources_changed,
    survey_workbooks_source,
    system_exports,
)
from assets.surveys import SURVEYS_GROUP, survey_headlines, survey_wave, waves
from assets.todo import key_person_birthdays, todo_lists
from pipeline.core.execution import CELERY, IN_PROCESS, choose_executor, max_processes
from pipeline.core.layout import Layout
from pipeline.ingest.reference import Reference
from pipeline.publish.todo import move_old_items

ANALYTICS = AssetSelection.groups(COUNTIES_GROUP, MONTH_GROUP)
# Imported once by the forkserver, so that a step process starts with pandas, dagster and the
# asset modules loaded (a cold import is ≈ 2.5 s here).
PRELOAD_MODULES = [
    "assets.quiet_steps",
    "assets.counties",
    "assets.month",
    "assets.analytics",
    "assets.pay",
    "assets.surveys",
    "assets.publications",
    "assets.checks",
    "assets.feedback",
    "assets.reconciliation",
    "assets.market",
    "assets.todo",
    "assets.projects",
    "assets.centres",
]


def executor_for(ref: Reference, executor: str | None = None) -> ExecutorDefinition:
    """In-process, or a forkserver process per step, as the rules decide by county count."""
    rules = ref.rules.latest()
    chosen = choose_executor(len(ref.counties), rules, executor)
    if chosen == IN_PROCESS:
        return in_process_executor
    if chosen == CELERY:  # broker and backend from KAC_CELERY_BROKER/_BACKEND (assets/workers.py)
        from assets.workers import celery_executor_def

        return celery_executor_def()
    return multiprocess_executor.configured(
        {
            "max_concurrent": max_processes(rules),
            "start_method": {"forkserver": {"preload_modules": PRELOAD_MODULES}},
        },
        name="forkserver_multiprocess",
    )


def move_old_storage(layout: Layout) -> None:
    """Asset values stored by versions that kept them beside the instance move under restricted/
    once, whole (one rename), before anything reads them: the months computed stay computed."""
    if layout.old_storage.is_dir() and not layout.storage.exists():
        layout.storage.parent.mkdir(parents=True, exist_ok=True)
        layout.old_storage.replace(layout.storage)


def build_defs(inputs: str | Path, outputs: str | Path, executor: str | None = None) -> Definitions:
    """`executor`: "in_process" or "multiprocess"; None lets the rules choose (or KAC_EXECUTOR)."""
    layout = Layout(Path(inputs), Path(outputs))
    ref = Reference.load(layout.reference)
    move_old_storage(layout)
    move_old_items(layout)
    month_job = define_asset_job(
        "month",
        selection=AssetSelection.all() - AssetSelection.groups(SURVEYS_GROUP),
        description="一个月的全部处理:各县报表 → 汇总分析 → 简报与网站",
    )
    analytics_job = define_asset_job(
        "month_analytics",
        selection=ANALYTICS,
        description="只做各县报表与汇总分析(补齐历史月份时用)",
    )
    counties = [county_asset(row.code, row.name) for row in ref.counties.itertuples()]
    sources = [
        reference_data,
        month_workbooks,
        computed_tables,
        survey_workbooks_source(waves),
        system_exports,
        project_register,
    ]
    month_assets = [
        month_intake_asset(list(ref.counties.code)),
        volumes,
        customer_archive,
        cases,
        tiers,
        alerts,
        visit_coverage,
        quarterly_usage,
        reconciliation,
        market,
        centre_scorecards,
        assessment,
        scorecards_table,
        pay,
        pay_confirmation,
        pay_statements,
        feedback,
        month_content_data,
        edition,
        bulletin,
        brief,
        quarterly_report,
        site,
        key_person_birthdays,
        todo_lists,
        projects,
        project_evaluations,
    ]
    return Definitions(
        assets=[*counties, *month_assets, survey_wave, survey_headlines, *sources],
        asset_checks=contract_checks(),  # run with the asset they check, in the same run
        resources={
            "settings": KacSettings(inputs_dir=str(inputs), outputs_dir=str(outputs)),
            "io_manager": FilesystemIOManager(base_dir=str(layout.storage)),
        },
        jobs=[
            *observe_jobs,
            month_job,
            define_asset_job(
                "survey_waves",
                selection=AssetSelection.assets(survey_wave),
                description="一轮满意度测评(按测评轮次分区)",
            ),
            define_asset_job(
                "survey_summary",
                selection=AssetSelection.assets(survey_headlines),
                description="各轮测评要点(供月度简报引用)",
            ),
            analytics_job,
        ],
        sensors=[
            sources_changed,
            county_files_sensor(
                [k for a in month_assets for k in a.keys],
                [k for a in month_assets for k in a.keys if a.group_names_by_key[k] == MONTH_GROUP],
            ),
            *published_month_guards([month_job, analytics_job]),
        ],
        schedules=[
            # counties report by the 3rd: on the 4th, the month just closed is materialised
            build_schedule_from_partitioned_job(
                month_job, day_of_month=4, hour_of_day=6, name="month_on_the_4th"
            ),
        ],
        executor=executor_for(ref, executor),
    )


defs = build_defs(default_inputs(), default_outputs())
